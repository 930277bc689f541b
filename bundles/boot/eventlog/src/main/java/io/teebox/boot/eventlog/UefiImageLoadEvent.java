package io.teebox.boot.eventlog;

import io.teebox.boot.eventlog.internal.Reader;
import io.teebox.boot.eventlog.internal.Writer;

/**
 * UEFI_IMAGE_LOAD_EVENT (PFP section 10.2.3), the event data of EV_EFI_BOOT_SERVICES_APPLICATION (PCR 4),
 * EV_EFI_BOOT_SERVICES_DRIVER and EV_EFI_RUNTIME_SERVICES_DRIVER (PCR 2): where the image was loaded, its size in
 * memory, its link-time address, and its device path. The UINTN fields are 64-bit here, as on x64 (uintnSize 2);
 * the record's digest is the image's Authenticode hash, which the caller passes in.
 *
 * @param imageLocationInMemory the load address
 * @param imageLengthInMemory the image size in memory
 * @param imageLinkTimeAddress the PE ImageBase
 * @param devicePath the EFI_DEVICE_PATH_PROTOCOL bytes, end node included
 */
public record UefiImageLoadEvent(long imageLocationInMemory, long imageLengthInMemory, long imageLinkTimeAddress,
        byte[] devicePath) {

    /** The struct name in messages. */
    public static final String STRUCT = "UEFI_IMAGE_LOAD_EVENT";
    /** The four 64-bit fields before DevicePath. */
    public static final int HEADER_SIZE = 32;

    /** Copies the device path. */
    public UefiImageLoadEvent {
        devicePath = devicePath.clone();
    }

    @Override
    public byte[] devicePath() {
        return devicePath.clone();
    }

    /**
     * Parses the structure; LengthOfDevicePath must take exactly the rest of {@code data}.
     *
     * @param data the event data
     * @return the structure
     * @throws EventLogException if it is truncated or LengthOfDevicePath differs from the bytes left
     */
    public static UefiImageLoadEvent parse(byte[] data) {
        Reader r = new Reader(STRUCT, data);
        long location = r.u64("ImageLocationInMemory");
        long length = r.u64("ImageLengthInMemory");
        long link = r.u64("ImageLinkTimeAddress");
        long dpLength = r.u64("LengthOfDevicePath");
        byte[] dp = r.bytes("DevicePath", dpLength);
        r.expectEnd("DevicePath");
        return new UefiImageLoadEvent(location, length, link, dp);
    }

    /**
     * Writes the structure.
     *
     * @return its bytes
     */
    public byte[] write() {
        return new Writer().u64(imageLocationInMemory).u64(imageLengthInMemory).u64(imageLinkTimeAddress)
                .u64(devicePath.length).bytes(devicePath).toByteArray();
    }
}
