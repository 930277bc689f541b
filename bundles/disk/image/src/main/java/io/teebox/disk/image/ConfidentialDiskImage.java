package io.teebox.disk.image;

import io.teebox.boot.eventlog.UefiGptData.PartitionEntry;
import io.teebox.disk.image.DiskImageException.Reason;
import io.teebox.disk.luks2.CryptVolume;
import io.teebox.disk.luks2.Luks2Image;
import io.teebox.disk.luks2.NewKeyslot;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The disk of a confidential VM: GPT partition 1 "boot" (Linux extended boot, XBOOTLDR) holding the boot files in
 * clear as a newc cpio, with the unlock stage's initramfs added as {@value #INITRAMFS}; GPT partition 2 "root" (Linux
 * root x86-64) holding a LUKS2 volume (aes-xts-plain64, 512-byte sectors) whose decrypted sectors hold the root files
 * as a newc cpio. Partitions start on 1 MiB boundaries and fill whole MiBs. The host sees the boot files and the
 * root volume's ciphertext only.
 *
 * <p>XBOOTLDR rather than the EFI System Partition: the partition holds a cpio, not the FAT file system UEFI requires
 * of an ESP, and firmware scans ESPs for boot loaders; XBOOTLDR is the Boot Loader Specification's partition for
 * kernels and initrds that only the boot loader reads.
 */
public final class ConfidentialDiskImage {

    /** The PartitionTypeGUID of partition 1: Linux extended boot (XBOOTLDR). */
    public static final UUID XBOOTLDR = UUID.fromString("bc13c2ff-59e6-4262-a352-b275fd6f7172");
    /** The EFI System Partition type, for callers that look for one. */
    public static final UUID EFI_SYSTEM_PARTITION = UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b");
    /** The PartitionTypeGUID of partition 2: Linux root (x86-64). */
    public static final UUID LINUX_ROOT_X86_64 = UUID.fromString("4f68bce3-e8cd-4db1-96e7-fbcaf984b709");
    /** The name of partition 1. */
    public static final String BOOT = "boot";
    /** The name of partition 2. */
    public static final String ROOT = "root";
    /** The boot file holding the unlock stage's initramfs. */
    public static final String INITRAMFS = "initramfs.img";
    /** The LUKS2 segment's sector size. */
    public static final int VOLUME_SECTOR = 512;

    private static final long MIB = 1024 * 1024;
    private static final int S = GuidPartitionTable.SECTOR_SIZE;

    private final GuidPartitionTable gpt;
    private final List<CpioEntry> bootFiles;
    private final PartitionEntry root;
    private final byte[] image;
    private final Path file;

    private ConfidentialDiskImage(GuidPartitionTable gpt, List<CpioEntry> bootFiles, PartitionEntry root,
            byte[] image, Path file) {
        this.gpt = gpt;
        this.bootFiles = List.copyOf(bootFiles);
        this.root = root;
        this.image = image;
        this.file = file;
    }

    private static long roundMib(long n) {
        return Math.max(MIB, (n + MIB - 1) / MIB * MIB);
    }

    /**
     * Builds an image in memory: the root files' cpio is written through a new LUKS2 volume with the given keyslots
     * (a raw 32- or 64-byte key is a keyslot secret like any passphrase), then the boot files' cpio with the unlock
     * stage's initramfs, then the GPT around both.
     *
     * @param bootFiles the boot partition's files (shim, GRUB, kernel, grub.cfg...), in clear
     * @param rootFiles the guest's files, encrypted
     * @param volumeKey the 64-byte LUKS2 volume key
     * @param keyslots the keyslots, at least one
     * @return the image bytes
     * @throws IllegalArgumentException if the boot files already hold {@value #INITRAMFS}, or the key or keyslots are
     *         out of range
     * @throws DiskImageException IO if the temporary LUKS2 file cannot be written
     */
    public static byte[] create(List<CpioEntry> bootFiles, List<CpioEntry> rootFiles, byte[] volumeKey,
            NewKeyslot... keyslots) {
        for (CpioEntry e : bootFiles) {
            if (e.name().equals(INITRAMFS)) {
                throw new IllegalArgumentException("boot file " + INITRAMFS + " is given, expected it to be built");
            }
        }
        byte[] rootCpio = CpioArchive.write(rootFiles);
        long dataSize = roundMib(rootCpio.length);
        UUID rootGuid = UUID.randomUUID();
        byte[] luks;
        String luksUuid;
        Path tmp = null;
        try {
            tmp = Files.createTempFile("teebox-root", ".luks2");
            CryptVolume v = Luks2Image.create(tmp, dataSize, VOLUME_SECTOR, volumeKey, keyslots);
            // the whole data area is written, so its unused tail decrypts to zeros after the cpio
            v.write(0, Arrays.copyOf(rootCpio, (int) dataSize));
            luksUuid = Luks2Image.open(tmp).uuid();
            luks = Files.readAllBytes(tmp);
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot write the temporary LUKS2 volume: " + e.getMessage(), e);
        } finally {
            delete(tmp);
        }
        List<CpioEntry> boot = new ArrayList<>(bootFiles);
        boot.add(CpioEntry.file(INITRAMFS, Initramfs.build(rootGuid, luksUuid)));
        byte[] bootCpio = CpioArchive.write(boot);
        long bootSectors = roundMib(bootCpio.length) / S;
        long rootSectors = luks.length / S;
        long bootStart = GuidPartitionTable.ALIGNMENT;
        long rootStart = bootStart + bootSectors;
        long diskSectors = rootStart + rootSectors + GuidPartitionTable.ALIGNMENT;
        GuidPartitionTable gpt = GuidPartitionTable.create(diskSectors, UUID.randomUUID(), List.of(
                new PartitionEntry(XBOOTLDR, UUID.randomUUID(), bootStart, rootStart - 1, 0, BOOT),
                new PartitionEntry(LINUX_ROOT_X86_64, rootGuid, rootStart, rootStart + rootSectors - 1, 0, ROOT)));
        byte[] image = new byte[Math.toIntExact(diskSectors * S)];
        gpt.writeTo(image);
        System.arraycopy(bootCpio, 0, image, (int) (bootStart * S), bootCpio.length);
        System.arraycopy(luks, 0, image, (int) (rootStart * S), luks.length);
        return image;
    }

    /**
     * Builds an image and writes it to a file.
     *
     * @param image the file, overwritten
     * @param bootFiles the boot partition's files, in clear
     * @param rootFiles the guest's files, encrypted
     * @param volumeKey the 64-byte LUKS2 volume key
     * @param keyslots the keyslots, at least one
     * @return the image as opened from the file
     * @throws IllegalArgumentException see {@link #create(List, List, byte[], NewKeyslot...)}
     * @throws DiskImageException IO if the file cannot be written
     */
    public static ConfidentialDiskImage create(Path image, List<CpioEntry> bootFiles, List<CpioEntry> rootFiles,
            byte[] volumeKey, NewKeyslot... keyslots) {
        byte[] bytes = create(bootFiles, rootFiles, volumeKey, keyslots);
        try {
            Files.write(image, bytes);
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot write " + image + ": " + e.getMessage(), e);
        }
        return open(image);
    }

    /**
     * Opens an image in memory: reads the GPT (falling back to the backup), finds the boot and root partitions by
     * type and reads the boot files.
     *
     * @param image the image bytes; not copied
     * @return the image, its root volume locked
     * @throws DiskImageException for a refused GPT, LAYOUT if the boot or root partition is missing, CPIO_* for a bad
     *         boot archive
     */
    public static ConfidentialDiskImage open(byte[] image) {
        GuidPartitionTable gpt = GuidPartitionTable.read(image);
        PartitionEntry boot = partition(gpt, XBOOTLDR, BOOT);
        PartitionEntry root = partition(gpt, LINUX_ROOT_X86_64, ROOT);
        byte[] bootBytes = Arrays.copyOfRange(image, (int) (boot.startingLba() * S),
                (int) ((boot.endingLba() + 1) * S));
        return new ConfidentialDiskImage(gpt, CpioArchive.read(bootBytes), root, image, null);
    }

    /**
     * Opens an image file, reading only the GPT and the boot partition.
     *
     * @param image the image file
     * @return the image, its root volume locked
     * @throws DiskImageException as {@link #open(byte[])}, or IO if the file cannot be read
     */
    public static ConfidentialDiskImage open(Path image) {
        GuidPartitionTable gpt = GuidPartitionTable.read(image);
        PartitionEntry boot = partition(gpt, XBOOTLDR, BOOT);
        PartitionEntry root = partition(gpt, LINUX_ROOT_X86_64, ROOT);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(
                    Math.toIntExact((boot.endingLba() - boot.startingLba() + 1) * S));
            while (b.hasRemaining() && ch.read(b, boot.startingLba() * S + b.position()) >= 0) {
                // read on until the partition is in
            }
            return new ConfidentialDiskImage(gpt, CpioArchive.read(b.array()), root, null, image);
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot read " + image + ": " + e.getMessage(), e);
        }
    }

    /**
     * Works on the root volume's LUKS2 header inside a disk image file: its headers and keyslots area (the first
     * {@code 2 * HDR_SIZE + KEYSLOTS_SIZE} bytes of the partition) are copied to a temporary file that disk-luks2
     * opens, and, when {@code write} is set, copied back after the work (so a keyslot or token added there lands in
     * the disk). The data segment is not touched.
     *
     * @param image the disk image
     * @param write whether to copy the header back
     * @param work what to do with the header
     * @param <T> what the work returns
     * @return what the work returned
     * @throws DiskImageException IO if the image cannot be read or written
     */
    public static <T> T rootHeader(Path image, boolean write, java.util.function.Function<Luks2Image, T> work) {
        GuidPartitionTable gpt = GuidPartitionTable.read(image);
        PartitionEntry root = partition(gpt, LINUX_ROOT_X86_64, ROOT);
        long off = root.startingLba() * S;
        int len = Math.toIntExact(2 * Luks2Image.HDR_SIZE + Luks2Image.KEYSLOTS_SIZE);
        Path tmp = null;
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(len);
            while (b.hasRemaining() && ch.read(b, off + b.position()) > 0) {
                // read on until the header area is in
            }
            tmp = Files.createTempFile("teebox-root-header", ".luks2");
            Files.write(tmp, b.array());
            T result = work.apply(Luks2Image.open(tmp));
            if (write) {
                ch.write(java.nio.ByteBuffer.wrap(Files.readAllBytes(tmp)), off);
                ch.force(true);
            }
            return result;
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot read or write the root header of " + image + ": "
                    + e.getMessage(), e);
        } finally {
            delete(tmp);
        }
    }

    /**
     * The host rewrites one file of the boot partition, which is in clear: the partition's cpio is written again
     * with the file's new content (its mode kept), the rest of the partition zeroed; the GPT is unchanged.
     *
     * @param image the disk image
     * @param name the boot file
     * @param content its new content
     * @throws IllegalArgumentException if the boot partition has no such file or the new archive does not fit
     * @throws DiskImageException IO if the image cannot be written
     */
    public static void replaceBootFile(Path image, String name, byte[] content) {
        ConfidentialDiskImage disk = open(image);
        PartitionEntry boot = partition(disk.gpt(), XBOOTLDR, BOOT);
        List<CpioEntry> files = new ArrayList<>();
        boolean found = false;
        for (CpioEntry e : disk.bootFiles()) {
            if (e.name().equals(name)) {
                files.add(new CpioEntry(e.name(), e.mode(), e.uid(), e.gid(), e.mtime(), content));
                found = true;
            } else {
                files.add(e);
            }
        }
        if (!found) {
            throw new IllegalArgumentException("the boot partition has no file " + name);
        }
        byte[] cpio = CpioArchive.write(files);
        long size = (boot.endingLba() - boot.startingLba() + 1) * S;
        if (cpio.length > size) {
            throw new IllegalArgumentException("the boot files come to " + cpio.length + " bytes, more than the "
                    + size + "-byte boot partition");
        }
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(Arrays.copyOf(cpio, Math.toIntExact(size))), boot.startingLba() * S);
            ch.force(true);
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot write " + image + ": " + e.getMessage(), e);
        }
    }

    private static PartitionEntry partition(GuidPartitionTable gpt, UUID type, String what) {
        List<PartitionEntry> found = gpt.partitions().stream().filter(p -> p.partitionTypeGuid().equals(type))
                .toList();
        if (found.size() != 1) {
            throw new DiskImageException(Reason.LAYOUT, "disk has " + found.size() + " partitions of type " + type
                    + ", expected one " + what + " partition");
        }
        return found.get(0);
    }

    /**
     * The partition table.
     *
     * @return the GPT as read
     */
    public GuidPartitionTable gpt() {
        return gpt;
    }

    /**
     * The boot partition's files, in clear, including {@value #INITRAMFS}.
     *
     * @return the files
     */
    public List<CpioEntry> bootFiles() {
        return bootFiles;
    }

    /**
     * The root partition's entry.
     *
     * @return the entry
     */
    public PartitionEntry rootPartition() {
        return root;
    }

    /**
     * Unlocks the root volume and reads the guest's files from its decrypted sectors. The partition is copied to a
     * temporary file for disk-luks2, which is deleted before this returns.
     *
     * @param secret a keyslot's passphrase or raw key
     * @return the root files
     * @throws io.teebox.disk.luks2.Luks2Exception DIGEST_MISMATCH if no keyslot opens with the secret, or another
     *         reason for a damaged volume
     * @throws DiskImageException CPIO_* if the decrypted archive is malformed, IO if the copy fails
     */
    public List<CpioEntry> unlockRoot(byte[] secret) {
        Objects.requireNonNull(secret, "secret");
        long off = root.startingLba() * S;
        long len = (root.endingLba() - root.startingLba() + 1) * S;
        Path tmp = null;
        try {
            tmp = Files.createTempFile("teebox-root", ".luks2");
            if (image != null) {
                Files.write(tmp, Arrays.copyOfRange(image, Math.toIntExact(off), Math.toIntExact(off + len)));
            } else {
                try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ);
                        FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    long done = 0;
                    while (done < len) {
                        long n = in.transferTo(off + done, len - done, out);
                        if (n <= 0) {
                            throw new DiskImageException(Reason.IO, file + " ends inside the root partition at byte "
                                    + (off + done) + ", expected it to reach " + (off + len));
                        }
                        done += n;
                    }
                }
            }
            CryptVolume v = Luks2Image.open(tmp).unlock(secret);
            byte[] plain = v.read(0, Math.toIntExact(v.sectors()));
            return CpioArchive.read(plain);
        } catch (IOException e) {
            throw new DiskImageException(Reason.IO, "cannot copy the root partition: " + e.getMessage(), e);
        } finally {
            delete(tmp);
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                // a temporary file left behind holds ciphertext only; the result does not depend on it
                p.toFile().deleteOnExit();
            }
        }
    }
}
