package io.teebox.boot.chain.internal;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.util.Arrays;

/**
 * The contents of shim's {@code .vendor_cert} section (shim's {@code struct cert_table}): vendor_authorized_size,
 * vendor_deauthorized_size, vendor_authorized_offset, vendor_deauthorized_offset (u32 each, offsets from the
 * section's start), then the data they point at. vendor_authorized is the DER certificate built in with
 * VENDOR_CERT_FILE; vendor_deauthorized an EFI_SIGNATURE_LIST sequence (vendor_dbx), empty here.
 *
 * @param vendorAuthorized the vendor certificate's DER
 * @param vendorDeauthorized the vendor dbx's bytes
 */
public record VendorCertTable(byte[] vendorAuthorized, byte[] vendorDeauthorized) {

    /** The section's name. */
    public static final String SECTION = ".vendor_cert";
    /** The four u32 fields. */
    public static final int HEADER_SIZE = 16;
    private static final String STRUCT = "cert_table";

    /** Copies the arrays. */
    public VendorCertTable {
        vendorAuthorized = vendorAuthorized.clone();
        vendorDeauthorized = vendorDeauthorized.clone();
    }

    @Override
    public byte[] vendorAuthorized() {
        return vendorAuthorized.clone();
    }

    @Override
    public byte[] vendorDeauthorized() {
        return vendorDeauthorized.clone();
    }

    /**
     * Writes the section: the header, the certificate right after it, the dbx after that.
     *
     * @return the section's bytes
     */
    public byte[] write() {
        byte[] b = new byte[HEADER_SIZE + vendorAuthorized.length + vendorDeauthorized.length];
        LittleEndian.put32(b, 0, vendorAuthorized.length);
        LittleEndian.put32(b, 4, vendorDeauthorized.length);
        LittleEndian.put32(b, 8, HEADER_SIZE);
        LittleEndian.put32(b, 12, HEADER_SIZE + vendorAuthorized.length);
        System.arraycopy(vendorAuthorized, 0, b, HEADER_SIZE, vendorAuthorized.length);
        System.arraycopy(vendorDeauthorized, 0, b, HEADER_SIZE + vendorAuthorized.length, vendorDeauthorized.length);
        return b;
    }

    /**
     * Parses a section's data (which may carry file-alignment padding after the table).
     *
     * @param section the section's raw data
     * @return the table
     * @throws MalformedStructureException if the header is truncated or a size and offset run past the section
     */
    public static VendorCertTable parse(byte[] section) {
        if (section.length < HEADER_SIZE) {
            throw new MalformedStructureException(STRUCT, null, STRUCT + " is " + section.length
                    + " bytes, shorter than its " + HEADER_SIZE + "-byte header");
        }
        return new VendorCertTable(slice(section, "vendor_authorized", LittleEndian.u32(section, 8),
                LittleEndian.u32(section, 0)), slice(section, "vendor_deauthorized", LittleEndian.u32(section, 12),
                LittleEndian.u32(section, 4)));
    }

    private static byte[] slice(byte[] s, String field, long offset, long size) {
        if (size == 0) {
            return new byte[0];
        }
        if (offset < HEADER_SIZE || offset + size > s.length) {
            throw new MalformedStructureException(STRUCT, field + "_offset", String.format(
                    "%s is %d bytes at offset %d, expected it after the header inside the %d-byte section", field,
                    size, offset, s.length));
        }
        return Arrays.copyOfRange(s, (int) offset, (int) (offset + size));
    }
}
