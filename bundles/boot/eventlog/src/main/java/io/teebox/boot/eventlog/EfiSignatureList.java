package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * EFI_SIGNATURE_LIST (UEFI 2.10 section 32.4.1), the contents of PK, KEK, db and dbx as PCR 7's
 * EV_EFI_VARIABLE_DRIVER_CONFIG events carry them: SignatureType, SignatureListSize, SignatureHeaderSize,
 * SignatureSize, the header, then EFI_SIGNATURE_DATA entries (SignatureOwner and SignatureData) of SignatureSize
 * bytes each. A variable holds several lists one after another.
 *
 * @param signatureType e.g. {@link #EFI_CERT_X509_GUID}
 * @param signatureHeader the header bytes, empty for X.509 and SHA-256 lists
 * @param signatures the entries; all their SignatureData have the same length
 */
public record EfiSignatureList(UUID signatureType, byte[] signatureHeader, List<SignatureData> signatures) {

    /** The struct name in messages. */
    public static final String STRUCT = "EFI_SIGNATURE_LIST";
    /** SignatureType and the three sizes. */
    public static final int HEADER_SIZE = 16 + 12;
    /** EFI_CERT_X509_GUID: each entry is a DER certificate. */
    public static final UUID EFI_CERT_X509_GUID = UUID.fromString("a5c059a1-94e4-4aa7-87b5-ab155c2bf072");
    /** EFI_CERT_SHA256_GUID: each entry is a 32-byte hash. */
    public static final UUID EFI_CERT_SHA256_GUID = UUID.fromString("c1c41626-504c-4092-aca9-41f936934328");

    /**
     * One EFI_SIGNATURE_DATA.
     *
     * @param signatureOwner the owner's GUID
     * @param signatureData the certificate or hash
     */
    public record SignatureData(UUID signatureOwner, byte[] signatureData) {
        /** Copies the data. */
        public SignatureData {
            signatureData = signatureData.clone();
        }

        @Override
        public byte[] signatureData() {
            return signatureData.clone();
        }

        /**
         * The entry's bytes: SignatureOwner then SignatureData, as EV_EFI_VARIABLE_AUTHORITY logs it.
         *
         * @return the bytes
         */
        public byte[] write() {
            return new Writer().guid(signatureOwner).bytes(signatureData).toByteArray();
        }
    }

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if there is no entry or the entries differ in size
     */
    public EfiSignatureList {
        signatureHeader = signatureHeader.clone();
        signatures = List.copyOf(signatures);
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException(STRUCT + " has no EFI_SIGNATURE_DATA, expected at least one");
        }
        int size = signatures.get(0).signatureData().length;
        for (SignatureData s : signatures) {
            if (s.signatureData().length != size) {
                throw new IllegalArgumentException(STRUCT + " entries have SignatureData of " + size + " and "
                        + s.signatureData().length + " bytes, expected one size");
            }
        }
    }

    @Override
    public byte[] signatureHeader() {
        return signatureHeader.clone();
    }

    /**
     * Parses the lists of a variable; they must fill {@code data} exactly.
     *
     * @param data the variable's contents
     * @return the lists
     * @throws EventLogException if a list is truncated, its sizes are inconsistent, or it runs past the data
     */
    public static List<EfiSignatureList> parseAll(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        List<EfiSignatureList> lists = new ArrayList<>();
        while (r.remaining() > 0) {
            int start = r.position();
            UUID type = r.guid("SignatureType");
            long listSize = r.u32("SignatureListSize");
            long headerSize = r.u32("SignatureHeaderSize");
            long sigSize = r.u32("SignatureSize");
            long body = listSize - HEADER_SIZE - headerSize;
            if (sigSize <= 16 || body <= 0 || body % sigSize != 0) {
                throw new EventLogException(STRUCT, "SignatureListSize", STRUCT + " at offset " + start
                        + " has SignatureListSize " + listSize + ", SignatureHeaderSize " + headerSize
                        + ", SignatureSize " + sigSize + ", expected 28 + header + a multiple of SignatureSize (>16)");
            }
            byte[] header = r.bytes("SignatureHeader", headerSize);
            Reader entries = new Reader(STRUCT, r.bytes("Signatures", body));
            List<SignatureData> sigs = new ArrayList<>();
            while (entries.remaining() > 0) {
                sigs.add(new SignatureData(entries.guid("SignatureOwner"),
                        entries.bytes("SignatureData", sigSize - 16)));
            }
            lists.add(new EfiSignatureList(type, header, sigs));
        }
        return lists;
    }

    /**
     * Writes the list.
     *
     * @return its bytes
     */
    public byte[] write() {
        int sigSize = 16 + signatures.get(0).signatureData().length;
        Writer w = new Writer().guid(signatureType).u32(HEADER_SIZE + signatureHeader.length
                + (long) sigSize * signatures.size()).u32(signatureHeader.length).u32(sigSize).bytes(signatureHeader);
        for (SignatureData s : signatures) {
            w.bytes(s.write());
        }
        return w.toByteArray();
    }

    /**
     * Writes lists one after another, as a variable holds them.
     *
     * @param lists the lists
     * @return the variable's contents
     */
    public static byte[] writeAll(List<EfiSignatureList> lists) {
        Writer w = new Writer();
        for (EfiSignatureList l : lists) {
            w.bytes(l.write());
        }
        return w.toByteArray();
    }
}
