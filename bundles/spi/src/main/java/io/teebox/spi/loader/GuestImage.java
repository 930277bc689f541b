package io.teebox.spi.loader;

import java.util.Optional;

import io.teebox.api.tee.Bytes;

/**
 * What the host loads into a guest at launch.
 *
 * @param firmware the firmware image, or empty for the loader's built-in default
 * @param kernel a directly booted kernel, or empty
 * @param initrd its initrd, or empty
 * @param cmdline its command line, or empty
 */
public record GuestImage(Optional<Bytes> firmware, Optional<Bytes> kernel, Optional<Bytes> initrd,
        Optional<String> cmdline) {

    /** The built-in firmware, nothing else. */
    public static final GuestImage DEFAULT = new GuestImage(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /**
     * @throws IllegalArgumentException if an initrd or command line is given without a kernel
     */
    public GuestImage {
        if (kernel.isEmpty() && (initrd.isPresent() || cmdline.isPresent())) {
            throw new IllegalArgumentException("an initrd or command line needs a kernel");
        }
    }

    /**
     * @param firmware firmware bytes or null
     * @param kernel kernel bytes or null
     * @param initrd initrd bytes or null
     * @param cmdline command line or null
     * @return the image
     */
    public static GuestImage of(byte[] firmware, byte[] kernel, byte[] initrd, String cmdline) {
        return new GuestImage(Optional.ofNullable(firmware).map(Bytes::of), Optional.ofNullable(kernel).map(Bytes::of),
                Optional.ofNullable(initrd).map(Bytes::of), Optional.ofNullable(cmdline));
    }
}
