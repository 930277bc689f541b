package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;

/**
 * UEFI_PLATFORM_FIRMWARE_BLOB (PFP section 10.2.4), the event data of EV_EFI_PLATFORM_FIRMWARE_BLOB,
 * EV_S_CRTM_CONTENTS and EV_POST_CODE for a firmware volume: its base address and length. The record's digest is of
 * the volume's bytes.
 *
 * @param blobBase the physical address
 * @param blobLength the length in bytes
 */
public record UefiPlatformFirmwareBlob(long blobBase, long blobLength) {

    /** The struct name in messages. */
    public static final String STRUCT = "UEFI_PLATFORM_FIRMWARE_BLOB";
    /** BlobBase and BlobLength. */
    public static final int SIZE = 16;

    /**
     * Parses the structure.
     *
     * @param data the event data
     * @return the structure
     * @throws EventLogException if it is not 16 bytes
     */
    public static UefiPlatformFirmwareBlob parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        UefiPlatformFirmwareBlob b = new UefiPlatformFirmwareBlob(r.u64("BlobBase"), r.u64("BlobLength"));
        r.expectEnd("BlobLength");
        return b;
    }

    /**
     * Writes the structure.
     *
     * @return its 16 bytes
     */
    public byte[] write() {
        return new Writer().u64(blobBase).u64(blobLength).toByteArray();
    }
}
