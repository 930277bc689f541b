package io.teebox.boot.chain;

import java.util.List;
import java.util.Objects;

/**
 * One stage of the boot: what ran, the Secure Boot verdict on it and what it measured (or what was measured about it).
 *
 * @param name "firmware", "shim", "grub", "kernel" or "initramfs"
 * @param file the boot file, e.g. "EFI/BOOT/grubx64.efi" ("" for the firmware)
 * @param verdict e.g. "signed by CN=..., db", "signed by CN=..., shim vendor certificate",
 *        "Secure Boot off: not checked", "not signed: initramfs is measured, not verified", or the refusal
 * @param measurements the stage's extends, in log order
 */
public record Stage(String name, String file, String verdict, List<Measurement> measurements) {

    /** Copies the list. */
    public Stage {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(verdict, "verdict");
        measurements = List.copyOf(measurements);
    }
}
