package io.teebox.boot.chain;

import io.teebox.boot.chain.internal.VendorCertTable;
import io.teebox.boot.uefi.EfiApplicationBuilder;
import io.teebox.disk.image.ConfidentialDiskImage;
import io.teebox.disk.image.CpioEntry;
import io.teebox.kit.x509.X509Authority;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The files of a guest's boot partition, by path. Shim and GRUB sit at the removable-media path
 * {@code EFI/BOOT/} that firmware boots without a Boot#### entry of the distro's own and where shim looks for
 * {@code grubx64.efi} (next to itself), as distro cloud images install them ({@code grub-install --removable});
 * grub.cfg sits next to GRUB, where a monolithic signed GRUB looks for it first. The kernel and the initramfs sit at
 * the partition's root, the initramfs under the name {@link ConfidentialDiskImage#INITRAMFS} that disk-image gives
 * the unlock stage's initramfs, so that a disk image's boot files boot as they are.
 */
public final class BootFiles {

    /** Shim, signed by the platform vendor's UEFI CA, carrying the distro CA in {@code .vendor_cert}. */
    public static final String SHIM = "EFI/BOOT/BOOTX64.EFI";
    /** GRUB, signed by the distro. */
    public static final String GRUB = "EFI/BOOT/grubx64.efi";
    /** GRUB's configuration. */
    public static final String GRUB_CFG = "EFI/BOOT/grub.cfg";
    /** The Linux kernel with its EFI stub, signed by the distro. */
    public static final String KERNEL = "vmlinuz";
    /** The initramfs, not signed. */
    public static final String INITRAMFS = ConfidentialDiskImage.INITRAMFS;
    /** The SBAT of shim 15.8 (the components' generations; shim itself checks GRUB's against SbatLevel). */
    static final String SHIM_SBAT = "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
            + "shim,4,UEFI shim,shim,1,https://github.com/rhboot/shim\n";

    private BootFiles() {
    }

    /**
     * Builds a distro's boot files: shim (vendor-signed, its {@code .vendor_cert} the distro CA's DER, its
     * {@code .sbat}), GRUB and the kernel (distro-signed), grub.cfg with one menu entry that loads {@code /vmlinuz}
     * with the command line and {@code /initramfs.img}, and the initramfs if given. Deterministic: the same inputs
     * give the same bytes.
     *
     * @param distro the distro whose keys sign GRUB and the kernel
     * @param kernelVersion e.g. "6.1.0-18-amd64"; different versions give different kernel images
     * @param cmdline the kernel arguments after the image, e.g. "root=/dev/vda2 ro console=ttyS0"
     * @param initramfs the initramfs, or null to leave it out (disk-image adds its own)
     * @return the entries, directories first
     * @throws IllegalArgumentException if the command line holds a newline or the kernel version is blank
     */
    public static List<CpioEntry> build(Distro distro, String kernelVersion, String cmdline, byte[] initramfs) {
        Objects.requireNonNull(distro, "distro");
        Objects.requireNonNull(kernelVersion, "kernelVersion");
        Objects.requireNonNull(cmdline, "cmdline");
        if (kernelVersion.isBlank() || cmdline.indexOf('\n') >= 0 || kernelVersion.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("kernel version \"" + kernelVersion + "\" is blank or the command line"
                    + " holds a newline");
        }
        List<CpioEntry> out = new ArrayList<>();
        out.add(CpioEntry.directory("EFI"));
        out.add(CpioEntry.directory("EFI/BOOT"));
        out.add(CpioEntry.file(SHIM, shim(distro)));
        out.add(CpioEntry.file(GRUB, grub(distro)));
        out.add(CpioEntry.file(GRUB_CFG, grubCfg(distro, kernelVersion, cmdline).getBytes(StandardCharsets.UTF_8)));
        out.add(CpioEntry.file(KERNEL, kernel(distro, kernelVersion)));
        if (initramfs != null) {
            out.add(CpioEntry.file(INITRAMFS, initramfs));
        }
        return out;
    }

    /**
     * The distro's shim, signed by its platform vendor.
     *
     * @param distro the distro
     * @return the signed PE32+ image
     */
    public static byte[] shim(Distro distro) {
        byte[] certTable = new VendorCertTable(X509Authority.toDer(distro.ca().certificate()), new byte[0]).write();
        return distro.vendor().sign(new EfiApplicationBuilder().payload("shim 15.8 (" + distro.name() + ")")
                .section(".sbat", SHIM_SBAT.getBytes(StandardCharsets.US_ASCII))
                .section(VendorCertTable.SECTION, certTable).build());
    }

    /**
     * The distro's GRUB, signed by the distro.
     *
     * @param distro the distro
     * @return the signed PE32+ image
     */
    public static byte[] grub(Distro distro) {
        String slug = distro.name().toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String sbat = "sbat,1,SBAT Version,sbat,1,https://github.com/rhboot/shim/blob/main/SBAT.md\n"
                + "grub,4,Free Software Foundation,grub,2.12,https://www.gnu.org/software/grub/\n"
                + "grub." + slug + ",1," + distro.name() + ",grub2,2.12," + "https://teebox.io\n";
        return distro.sign(new EfiApplicationBuilder().payload("GRUB 2.12 (" + distro.name() + ")")
                .section(".sbat", sbat.getBytes(StandardCharsets.US_ASCII)).build());
    }

    /**
     * A kernel with an EFI stub, signed by the distro.
     *
     * @param distro the distro
     * @param kernelVersion the version its banner names
     * @return the signed PE32+ image
     */
    public static byte[] kernel(Distro distro, String kernelVersion) {
        return distro.sign(new EfiApplicationBuilder().payload("Linux version " + kernelVersion + " ("
                + distro.name() + ") EFI stub").build());
    }

    /**
     * The grub.cfg text.
     *
     * @param distro the distro named in the menu entry
     * @param kernelVersion the version named in the menu entry
     * @param cmdline the kernel arguments
     * @return the configuration
     */
    public static String grubCfg(Distro distro, String kernelVersion, String cmdline) {
        return "set default=0\n"
                + "set timeout=0\n"
                + "menuentry '" + distro.name() + " GNU/Linux, with Linux " + kernelVersion + "' {\n"
                + "\tlinux /" + KERNEL + (cmdline.isEmpty() ? "" : " " + cmdline) + "\n"
                + "\tinitrd /" + INITRAMFS + "\n"
                + "}\n";
    }
}
