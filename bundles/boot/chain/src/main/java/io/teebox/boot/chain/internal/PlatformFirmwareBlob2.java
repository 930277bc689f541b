package io.teebox.boot.chain.internal;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.nio.charset.StandardCharsets;

/**
 * UEFI_PLATFORM_FIRMWARE_BLOB2 (TCG PC Client PFP 1.05, 10.2.5), the event data of EV_EFI_PLATFORM_FIRMWARE_BLOB2:
 * BlobDescriptionSize (u8), BlobDescription (that many bytes, no NUL), BlobBase (u64), BlobLength (u64).
 *
 * @param blobDescription e.g. "Fv(...)", as edk2 names a firmware volume
 * @param blobBase the physical address
 * @param blobLength the length in bytes
 */
public record PlatformFirmwareBlob2(String blobDescription, long blobBase, long blobLength) {

    private static final String STRUCT = "UEFI_PLATFORM_FIRMWARE_BLOB2";

    /**
     * Checks the description fits its u8 size.
     *
     * @throws IllegalArgumentException if it is longer than 255 bytes
     */
    public PlatformFirmwareBlob2 {
        if (blobDescription.getBytes(StandardCharsets.US_ASCII).length > 255) {
            throw new IllegalArgumentException("BlobDescription is longer than 255 bytes");
        }
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        byte[] d = blobDescription.getBytes(StandardCharsets.US_ASCII);
        byte[] b = new byte[1 + d.length + 16];
        b[0] = (byte) d.length;
        System.arraycopy(d, 0, b, 1, d.length);
        LittleEndian.put64(b, 1 + d.length, blobBase);
        LittleEndian.put64(b, 9 + d.length, blobLength);
        return b;
    }

    /**
     * Parses the structure, which must fill {@code data}.
     *
     * @param data the event data
     * @return the structure
     * @throws MalformedStructureException if the size does not match BlobDescriptionSize
     */
    public static PlatformFirmwareBlob2 parse(byte[] data) {
        int n = data.length == 0 ? -1 : data[0] & 0xFF;
        if (n < 0 || data.length != 1 + n + 16) {
            throw new MalformedStructureException(STRUCT, "BlobDescriptionSize", String.format(
                    "%s is %d bytes, expected %d for BlobDescriptionSize %d", STRUCT, data.length, 1 + n + 16, n));
        }
        return new PlatformFirmwareBlob2(new String(data, 1, n, StandardCharsets.US_ASCII),
                LittleEndian.u64(data, 1 + n), LittleEndian.u64(data, 9 + n));
    }
}
