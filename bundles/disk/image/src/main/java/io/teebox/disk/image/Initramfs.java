package io.teebox.disk.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The initramfs of the unlock stage, a newc cpio as Linux unpacks it into its rootfs: the mount points, an {@code init}
 * script saying the steps (obtain the root volume key after attestation, open the LUKS2 root partition named by its
 * PARTUUID and LUKS UUID, mount it, switch to it), {@code etc/crypttab} and {@code etc/teebox/unlock.conf} naming the
 * volume. Member names have no leading slash, as the kernel's gen_init_cpio writes them. No binaries are included:
 * teebox's guest model runs the stage itself.
 */
public final class Initramfs {

    /** The file the key broker's answer is written to, in the initramfs's tmpfs. */
    public static final String KEY_FILE = "/run/teebox/root.key";

    private Initramfs() {
    }

    /**
     * The members of the unlock stage's initramfs.
     *
     * @param rootPartition the root partition's UniquePartitionGUID (its PARTUUID)
     * @param luksUuid the LUKS2 header's uuid
     * @return the members, directories first
     */
    public static List<CpioEntry> unlockStage(UUID rootPartition, String luksUuid) {
        Objects.requireNonNull(rootPartition, "rootPartition");
        Objects.requireNonNull(luksUuid, "luksUuid");
        List<CpioEntry> e = new ArrayList<>();
        for (String d : List.of("dev", "proc", "sys", "run", "etc", "etc/teebox", "sysroot")) {
            e.add(CpioEntry.directory(d));
        }
        String dev = "/dev/disk/by-partuuid/" + rootPartition;
        String init = "#!/bin/sh\n"
                + "# teebox unlock stage: attest, receive the root volume key, open the LUKS2 root, switch to it\n"
                + "mount -t proc proc /proc\n"
                + "mount -t sysfs sysfs /sys\n"
                + "mount -t devtmpfs devtmpfs /dev\n"
                + "teebox-attest --key-out " + KEY_FILE + " || exec /bin/sh\n"
                + "cryptsetup open --type luks2 --key-file " + KEY_FILE + " " + dev + " root\n"
                + "mount -o ro /dev/mapper/root /sysroot\n"
                + "exec switch_root /sysroot /sbin/init\n";
        e.add(CpioEntry.executable("init", init.getBytes(StandardCharsets.US_ASCII)));
        e.add(CpioEntry.file("etc/crypttab", ("root PARTUUID=" + rootPartition + " " + KEY_FILE + " luks\n")
                .getBytes(StandardCharsets.US_ASCII)));
        e.add(CpioEntry.file("etc/teebox/unlock.conf", ("root.partuuid=" + rootPartition + "\nroot.luks.uuid="
                + luksUuid + "\nroot.key.file=" + KEY_FILE + "\n").getBytes(StandardCharsets.US_ASCII)));
        return e;
    }

    /**
     * The initramfs archive.
     *
     * @param rootPartition the root partition's UniquePartitionGUID
     * @param luksUuid the LUKS2 header's uuid
     * @return the newc cpio
     */
    public static byte[] build(UUID rootPartition, String luksUuid) {
        return CpioArchive.write(unlockStage(rootPartition, luksUuid));
    }
}
