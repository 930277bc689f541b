package io.teebox.boot.uefi;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.util.Arrays;
import java.util.Objects;

/**
 * One entry of a PE image's attribute certificate table (WIN_CERTIFICATE, PE Format "The Attribute Certificate
 * Table"): {@code dwLength} (u32, header included, padding excluded), {@code wRevision} (u16),
 * {@code wCertificateType} (u16) and {@code bCertificate}. Entries start on 8-byte boundaries: the writer pads with
 * zeros after {@code dwLength} bytes.
 *
 * @param revision wRevision, {@link #WIN_CERT_REVISION_2_0} for Authenticode
 * @param certificateType wCertificateType, {@link #WIN_CERT_TYPE_PKCS_SIGNED_DATA} for Authenticode
 * @param certificate bCertificate: for Authenticode a DER PKCS#7 SignedData
 */
public record WinCertificate(int revision, int certificateType, byte[] certificate) {

    /** The size of the header (dwLength, wRevision, wCertificateType). */
    public static final int HEADER_SIZE = 8;
    /** wRevision of the current WIN_CERTIFICATE. */
    public static final int WIN_CERT_REVISION_2_0 = 0x0200;
    /** wCertificateType of a PKCS#7 SignedData (Authenticode). */
    public static final int WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;
    /** wCertificateType of a WIN_CERTIFICATE_UEFI_GUID. */
    public static final int WIN_CERT_TYPE_EFI_GUID = 0x0EF1;

    /**
     * Copies the certificate bytes.
     */
    public WinCertificate {
        Objects.requireNonNull(certificate, "certificate");
        certificate = certificate.clone();
    }

    /**
     * An Authenticode entry: revision 2.0, type PKCS_SIGNED_DATA.
     *
     * @param signedData the DER PKCS#7 SignedData
     * @return the entry
     */
    public static WinCertificate pkcsSignedData(byte[] signedData) {
        return new WinCertificate(WIN_CERT_REVISION_2_0, WIN_CERT_TYPE_PKCS_SIGNED_DATA, signedData);
    }

    /**
     * The certificate bytes.
     *
     * @return a copy of bCertificate
     */
    @Override
    public byte[] certificate() {
        return certificate.clone();
    }

    /**
     * dwLength: the header and bCertificate, without padding.
     *
     * @return the length in bytes
     */
    public int length() {
        return HEADER_SIZE + certificate.length;
    }

    /**
     * The entry's size in the table: {@link #length()} rounded up to 8.
     *
     * @return the padded size
     */
    public int paddedLength() {
        return (length() + 7) & ~7;
    }

    /**
     * Encodes the entry with its zero padding to 8 bytes.
     *
     * @return {@link #paddedLength()} bytes
     */
    public byte[] toBytes() {
        byte[] out = new byte[paddedLength()];
        LittleEndian.put32(out, 0, length());
        LittleEndian.put16(out, 4, revision);
        LittleEndian.put16(out, 6, certificateType);
        System.arraycopy(certificate, 0, out, HEADER_SIZE, certificate.length);
        return out;
    }

    /**
     * Parses one entry.
     *
     * @param data the buffer (a whole image, or a certificate table)
     * @param offset where the entry starts
     * @param end where the certificate table ends in {@code data}
     * @return the entry
     * @throws MalformedStructureException if the header does not fit, dwLength is shorter than the header or runs
     *         past {@code end}, or the padding after it is not zero
     */
    public static WinCertificate parse(byte[] data, int offset, int end) {
        Objects.requireNonNull(data, "data");
        if (offset < 0 || end > data.length || end - offset < HEADER_SIZE) {
            throw new MalformedStructureException("WIN_CERTIFICATE", null, String.format(
                    "WIN_CERTIFICATE at 0x%X needs %d bytes, only %d left in the certificate table", offset,
                    HEADER_SIZE, Math.max(0, end - offset)));
        }
        long length = LittleEndian.u32(data, offset);
        if (length <= HEADER_SIZE || length > end - offset) {
            throw new MalformedStructureException("WIN_CERTIFICATE", "dwLength", String.format(
                    "WIN_CERTIFICATE at 0x%X has dwLength %d, expected more than %d and at most the %d bytes left in"
                            + " the certificate table", offset, length, HEADER_SIZE, end - offset));
        }
        int padded = (int) Math.min((length + 7) & ~7L, end - offset);
        for (int i = offset + (int) length; i < offset + padded; i++) {
            if (data[i] != 0) {
                throw new MalformedStructureException("WIN_CERTIFICATE", null, String.format(
                        "WIN_CERTIFICATE at 0x%X has padding byte 0x%02X at 0x%X, expected 0", offset,
                        data[i] & 0xFF, i));
            }
        }
        return new WinCertificate(LittleEndian.u16(data, offset + 4), LittleEndian.u16(data, offset + 6),
                Arrays.copyOfRange(data, offset + HEADER_SIZE, offset + (int) length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WinCertificate w && w.revision == revision && w.certificateType == certificateType
                && Arrays.equals(w.certificate, certificate);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * revision + certificateType) + Arrays.hashCode(certificate);
    }

    @Override
    public String toString() {
        return String.format("WIN_CERTIFICATE{dwLength=%d, wRevision=0x%04X, wCertificateType=0x%04X}", length(),
                revision, certificateType);
    }
}
