package io.teebox.boot.uefi;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.firmware.EfiGuid;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One EFI_SIGNATURE_LIST (UEFI 2.10, 32.4.1): a 28-byte header ({@code SignatureType} EFI_GUID,
 * {@code SignatureListSize}, {@code SignatureHeaderSize}, {@code SignatureSize}, all u32), the
 * {@code SignatureHeader} and then EFI_SIGNATURE_DATA entries of {@code SignatureSize} bytes each. For
 * {@link EfiGuids#EFI_CERT_X509} lists the header is empty and each list holds one certificate (sizes differ); for
 * {@link EfiGuids#EFI_CERT_SHA256} the header is empty and SignatureSize is 48.
 *
 * @param signatureType what the entries are
 * @param signatureHeader the type-specific header, empty for X.509 and SHA-256
 * @param signatures the entries, all of the same SignatureSize
 */
public record EfiSignatureList(UUID signatureType, byte[] signatureHeader, List<EfiSignatureData> signatures) {

    /** The header's layout. */
    public static final Layout HEADER = Layout.define("EFI_SIGNATURE_LIST", 28)
            .bytes("SignatureType", 0, 16).u32("SignatureListSize", 16).u32("SignatureHeaderSize", 20)
            .u32("SignatureSize", 24).build();

    /**
     * Checks that all entries have the same size and that SHA-256 entries are 32 bytes.
     *
     * @throws IllegalArgumentException if they do not
     */
    public EfiSignatureList {
        Objects.requireNonNull(signatureType, "signatureType");
        signatureHeader = Objects.requireNonNull(signatureHeader, "signatureHeader").clone();
        signatures = List.copyOf(signatures);
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException("EFI_SIGNATURE_LIST has no EFI_SIGNATURE_DATA, expected at least 1");
        }
        int size = signatures.get(0).signatureData().length;
        for (EfiSignatureData d : signatures) {
            if (d.signatureData().length != size) {
                throw new IllegalArgumentException("EFI_SIGNATURE_LIST entries have SignatureData of " + size
                        + " and " + d.signatureData().length + " bytes, expected one size");
            }
        }
        if (signatureType.equals(EfiGuids.EFI_CERT_SHA256) && size != 32) {
            throw new IllegalArgumentException("EFI_CERT_SHA256 SignatureData is " + size + " bytes, expected 32");
        }
    }

    /**
     * A list holding one DER X.509 certificate, as {@code cert-to-efi-sig-list} writes it.
     *
     * @param owner the SignatureOwner
     * @param der the certificate
     * @return the list
     */
    public static EfiSignatureList x509(UUID owner, byte[] der) {
        return new EfiSignatureList(EfiGuids.EFI_CERT_X509, new byte[0], List.of(new EfiSignatureData(owner, der)));
    }

    /**
     * A list of SHA-256 hashes sharing one owner.
     *
     * @param owner the SignatureOwner
     * @param hashes 32-byte hashes, e.g. Authenticode image hashes
     * @return the list
     */
    public static EfiSignatureList sha256(UUID owner, List<byte[]> hashes) {
        List<EfiSignatureData> list = new ArrayList<>();
        for (byte[] h : hashes) {
            list.add(new EfiSignatureData(owner, h));
        }
        return new EfiSignatureList(EfiGuids.EFI_CERT_SHA256, new byte[0], list);
    }

    /**
     * The type-specific header.
     *
     * @return a copy
     */
    @Override
    public byte[] signatureHeader() {
        return signatureHeader.clone();
    }

    /**
     * SignatureSize: SignatureOwner and SignatureData.
     *
     * @return the size of each entry
     */
    public int signatureSize() {
        return EfiSignatureData.OWNER_SIZE + signatures.get(0).signatureData().length;
    }

    /**
     * SignatureListSize.
     *
     * @return the whole list's size
     */
    public int signatureListSize() {
        return HEADER.size() + signatureHeader.length + signatures.size() * signatureSize();
    }

    /**
     * Encodes the list.
     *
     * @return {@link #signatureListSize()} bytes
     */
    public byte[] toBytes() {
        byte[] out = new byte[signatureListSize()];
        Struct h = HEADER.create().set("SignatureType", EfiGuid.bytes(signatureType))
                .set("SignatureListSize", signatureListSize()).set("SignatureHeaderSize", signatureHeader.length)
                .set("SignatureSize", signatureSize());
        System.arraycopy(h.toBytes(), 0, out, 0, HEADER.size());
        int at = HEADER.size();
        System.arraycopy(signatureHeader, 0, out, at, signatureHeader.length);
        at += signatureHeader.length;
        for (EfiSignatureData d : signatures) {
            EfiGuid.write(d.signatureOwner(), out, at);
            byte[] data = d.signatureData();
            System.arraycopy(data, 0, out, at + EfiSignatureData.OWNER_SIZE, data.length);
            at += signatureSize();
        }
        return out;
    }

    /**
     * Parses one list at an offset, checking its sizes against each other and against the buffer.
     *
     * @param data the buffer, e.g. a whole db variable
     * @param offset where the list starts
     * @return the list
     * @throws MalformedStructureException if the header does not fit, SignatureListSize runs past the buffer, the
     *         signatures do not fill the list in whole SignatureSize steps, SignatureSize is not more than 16, or an
     *         EFI_CERT_SHA256 list has a SignatureSize other than 48
     */
    public static EfiSignatureList parse(byte[] data, int offset) {
        Struct h = HEADER.parse(data, offset);
        UUID type = EfiGuid.read(h.bytes("SignatureType"), 0);
        long listSize = h.u32("SignatureListSize");
        long headerSize = h.u32("SignatureHeaderSize");
        long sigSize = h.u32("SignatureSize");
        String at = String.format("EFI_SIGNATURE_LIST at 0x%X", offset);
        if (listSize > data.length - offset) {
            throw fail("SignatureListSize", "%s has SignatureListSize %d, expected at most the %d bytes left", at,
                    listSize, data.length - offset);
        }
        if (sigSize <= EfiSignatureData.OWNER_SIZE) {
            throw fail("SignatureSize", "%s has SignatureSize %d, expected more than %d", at, sigSize,
                    EfiSignatureData.OWNER_SIZE);
        }
        long body = listSize - HEADER.size() - headerSize;
        if (body <= 0 || body % sigSize != 0) {
            throw fail("SignatureListSize", "%s has SignatureListSize %d, expected 28 + SignatureHeaderSize %d + a"
                    + " positive multiple of SignatureSize %d", at, listSize, headerSize, sigSize);
        }
        if (type.equals(EfiGuids.EFI_CERT_SHA256) && (sigSize != 48 || headerSize != 0)) {
            throw fail("SignatureSize", "%s of EFI_CERT_SHA256 has SignatureSize %d and SignatureHeaderSize %d,"
                    + " expected 48 and 0", at, sigSize, headerSize);
        }
        int p = offset + HEADER.size();
        byte[] header = Arrays.copyOfRange(data, p, p + (int) headerSize);
        p += (int) headerSize;
        List<EfiSignatureData> list = new ArrayList<>();
        for (long i = 0; i < body / sigSize; i++) {
            list.add(new EfiSignatureData(EfiGuid.read(data, p),
                    Arrays.copyOfRange(data, p + EfiSignatureData.OWNER_SIZE, p + (int) sigSize)));
            p += (int) sigSize;
        }
        return new EfiSignatureList(type, header, list);
    }

    private static MalformedStructureException fail(String field, String format, Object... args) {
        return new MalformedStructureException("EFI_SIGNATURE_LIST", field, String.format(format, args));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EfiSignatureList l && l.signatureType.equals(signatureType)
                && Arrays.equals(l.signatureHeader, signatureHeader) && l.signatures.equals(signatures);
    }

    @Override
    public int hashCode() {
        return Objects.hash(signatureType, Arrays.hashCode(signatureHeader), signatures);
    }

    @Override
    public String toString() {
        return "EFI_SIGNATURE_LIST{SignatureType=" + signatureType + ", " + signatures.size() + " x "
                + signatureSize() + " bytes}";
    }
}
