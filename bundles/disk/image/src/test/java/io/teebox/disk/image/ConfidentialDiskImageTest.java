package io.teebox.disk.image;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.boot.eventlog.UefiGptData.PartitionEntry;
import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.NewKeyslot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.BeforeClass;
import org.junit.ClassRule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The whole disk, read by teebox and by sfdisk, sgdisk, GNU cpio and cryptsetup. */
public class ConfidentialDiskImageTest {

    @ClassRule
    public static TemporaryFolder tmp = new TemporaryFolder();

    private static final byte[] VOLUME_KEY = new byte[64];
    private static final byte[] RAW_KEY = new byte[32];
    private static final String SECRET_TEXT = "root-only secret: the guest's database password is hunter2-"
            + "7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c2e";
    private static final List<CpioEntry> BOOT = List.of(CpioEntry.directory("EFI"),
            CpioEntry.directory("EFI/BOOT"), CpioEntry.file("EFI/BOOT/BOOTX64.EFI", ascii("MZ shim stand-in")),
            CpioEntry.file("EFI/BOOT/grubx64.efi", ascii("MZ grub stand-in")),
            CpioEntry.file("vmlinuz", ascii("kernel stand-in")),
            CpioEntry.file("grub.cfg", ascii("linux /vmlinuz root=PARTLABEL=root\ninitrd /initramfs.img\n")));
    private static final List<CpioEntry> ROOT = List.of(CpioEntry.directory("etc"),
            CpioEntry.file("etc/hostname", ascii("guest\n")), CpioEntry.file("etc/secret.conf", ascii(SECRET_TEXT)),
            CpioEntry.file("var/big.bin", new byte[300_000]));

    private static byte[] image;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @BeforeClass
    public static void create() {
        for (int i = 0; i < 64; i++) {
            VOLUME_KEY[i] = (byte) (i * 7 + 1);
        }
        for (int i = 0; i < 32; i++) {
            RAW_KEY[i] = (byte) (0xa0 + i);
        }
        image = ConfidentialDiskImage.create(BOOT, ROOT, VOLUME_KEY, new NewKeyslot(new Kdf.Pbkdf2(1000), RAW_KEY),
                NewKeyslot.passphrase(new Kdf.Pbkdf2(1000), "recovery pass"));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static Path write(String name, byte[] b) throws Exception {
        return Files.write(tmp.getRoot().toPath().resolve(name), b);
    }

    /** A dd-like copy of one partition out of the image. */
    private static byte[] partition(PartitionEntry p) {
        return Arrays.copyOfRange(image, (int) (p.startingLba() * 512), (int) ((p.endingLba() + 1) * 512));
    }

    @Test
    public void openShowsTheBootFilesAndUnlocksTheRootWithEitherKeyslot() {
        ConfidentialDiskImage d = ConfidentialDiskImage.open(image);
        assertEquals(BOOT, d.bootFiles().subList(0, BOOT.size()));
        assertEquals(ConfidentialDiskImage.INITRAMFS, d.bootFiles().get(BOOT.size()).name());
        assertEquals(ROOT, d.unlockRoot(RAW_KEY));
        assertEquals(ROOT, d.unlockRoot(ascii("recovery pass")));
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> d.unlockRoot(new byte[32]));
        assertEquals(Luks2Exception.Reason.DIGEST_MISMATCH, e.reason());
        List<PartitionEntry> parts = d.gpt().partitions();
        assertEquals(ConfidentialDiskImage.XBOOTLDR, parts.get(0).partitionTypeGuid());
        assertEquals("boot", parts.get(0).partitionName());
        assertEquals(ConfidentialDiskImage.LINUX_ROOT_X86_64, parts.get(1).partitionTypeGuid());
        assertEquals("root", parts.get(1).partitionName());
        assertEquals(2048, parts.get(0).startingLba());
        assertEquals(0, parts.get(1).startingLba() % 2048);
        assertEquals(0, (parts.get(1).endingLba() + 1) % 2048);
    }

    @Test
    public void theHostSeesTheBootFilesButOnlyCiphertextOfTheRootFiles() {
        assertTrue(indexOf(image, ascii("linux /vmlinuz root=PARTLABEL=root")) >= 0);
        assertTrue(indexOf(image, ascii("MZ shim stand-in")) >= 0);
        assertEquals(-1, indexOf(image, ascii(SECRET_TEXT)));
        assertEquals(-1, indexOf(image, ascii("hunter2")));
        assertEquals(-1, indexOf(image, ascii("etc/secret.conf")));
        assertEquals(-1, indexOf(image, ascii("etc/hostname")));
        assertEquals(-1, indexOf(image, VOLUME_KEY));
        assertEquals(-1, indexOf(image, RAW_KEY));
    }

    @Test
    public void fileImageOpensAndUnlocksLikeTheBytes() throws Exception {
        Path p = tmp.getRoot().toPath().resolve("disk-from-file.img");
        ConfidentialDiskImage d = ConfidentialDiskImage.create(p, BOOT, ROOT, VOLUME_KEY,
                new NewKeyslot(new Kdf.Pbkdf2(1000), VOLUME_KEY));
        assertEquals(ROOT, d.unlockRoot(VOLUME_KEY));
        assertEquals(ROOT, ConfidentialDiskImage.open(p).unlockRoot(VOLUME_KEY));
        assertEquals(d.bootFiles(), ConfidentialDiskImage.open(Files.readAllBytes(p)).bootFiles());
    }

    @Test
    public void initramfsNamesTheRootPartitionAndItsLuksVolume() throws Exception {
        ConfidentialDiskImage d = ConfidentialDiskImage.open(image);
        CpioEntry initrd = d.bootFiles().get(d.bootFiles().size() - 1);
        List<CpioEntry> stage = CpioArchive.read(initrd.data());
        String conf = new String(stage.stream().filter(e -> e.name().equals("etc/teebox/unlock.conf")).findFirst()
                .orElseThrow().data(), StandardCharsets.US_ASCII);
        assertTrue(conf, conf.contains("root.partuuid=" + d.rootPartition().uniquePartitionGuid() + "\n"));
        Path root = write("root-for-uuid.luks2", partition(d.rootPartition()));
        String dump = Tools.ok(Tools.run("cryptsetup-bin", null, null, "cryptsetup", "luksUUID", root.toString()),
                "cryptsetup luksUUID").trim();
        assertTrue(conf + " vs " + dump, conf.contains("root.luks.uuid=" + dump + "\n"));
    }

    @Test
    public void sfdiskAndSgdiskListBothPartitions() throws Exception {
        Path p = write("disk.img", image);
        ConfidentialDiskImage d = ConfidentialDiskImage.open(image);
        String json = Tools.sfdiskJson(p).replaceAll("\\s*\n\\s*", " ");
        for (PartitionEntry e : d.gpt().partitions()) {
            String want = "\"start\": " + e.startingLba() + ", \"size\": " + (e.endingLba() - e.startingLba() + 1)
                    + ", \"type\": \"" + e.partitionTypeGuid().toString().toUpperCase() + "\", \"uuid\": \""
                    + e.uniquePartitionGuid().toString().toUpperCase() + "\", \"name\": \"" + e.partitionName() + "\"";
            assertTrue(json + " lacks " + want, json.contains(want));
        }
        String v = Tools.sgdisk("-v", p.toString());
        assertTrue(v, v.contains("No problems found") && !v.contains("Caution") && !v.contains("Warning"));
        String list = Tools.sgdisk("-p", p.toString());
        assertTrue(list, Pattern.compile("\\s1\\s+2048\\s.*EA00\\s+boot\\n").matcher(list).find());
        assertTrue(list, Pattern.compile("\\s2\\s+\\d+\\s.*8304\\s+root\\n").matcher(list).find());
    }

    @Test
    public void gnuCpioExtractsTheBootPartition() throws Exception {
        ConfidentialDiskImage d = ConfidentialDiskImage.open(image);
        byte[] boot = partition(d.gpt().partitions().get(0));
        Path dir = tmp.newFolder("boot").toPath();
        Tools.ok(Tools.run("cpio", dir, boot, "cpio", "-idv", "--quiet"),
                "cpio -idv");
        assertArrayEquals(ascii("MZ shim stand-in"), Files.readAllBytes(dir.resolve("EFI/BOOT/BOOTX64.EFI")));
        assertArrayEquals(ascii("linux /vmlinuz root=PARTLABEL=root\ninitrd /initramfs.img\n"),
                Files.readAllBytes(dir.resolve("grub.cfg")));
        byte[] initrd = Files.readAllBytes(dir.resolve(ConfidentialDiskImage.INITRAMFS));
        String list = Tools.ok(Tools.run("cpio", null, initrd, "cpio", "-t", "--quiet"), "cpio -t initramfs");
        assertTrue(list, List.of(list.split("\n")).containsAll(List.of("init", "etc/crypttab", "etc/teebox/unlock.conf")));
    }

    @Test
    public void cryptsetupAcceptsTheRootPartitionAndItsRawKeySlot() throws Exception {
        ConfidentialDiskImage d = ConfidentialDiskImage.open(image);
        Path root = write("root.luks2", partition(d.rootPartition()));
        String dump = Tools.ok(Tools.run("cryptsetup-bin", null, null, "cryptsetup", "luksDump", root.toString()),
                "cryptsetup luksDump");
        assertTrue(dump, dump.contains("Version:       \t2") || dump.contains("Version:"));
        assertTrue(dump, dump.contains("aes-xts-plain64"));
        Path key = write("raw.key", RAW_KEY);
        Tools.ok(Tools.run("cryptsetup-bin", null, null, "cryptsetup", "open", "--test-passphrase", "--key-file",
                key.toString(), root.toString()), "cryptsetup open --test-passphrase with the raw key");
        Path wrong = write("wrong.key", new byte[32]);
        assertNotEquals(0, Tools.run("cryptsetup-bin", null, null, "cryptsetup", "open", "--test-passphrase",
                "--key-file", wrong.toString(), root.toString()).rc());
        Matcher m = Pattern.compile("Data segments:\\s+0: crypt\\s+offset: (\\d+) \\[bytes\\]").matcher(dump);
        assertTrue(dump, m.find());
        assertEquals(16L * 1024 * 1024, Long.parseLong(m.group(1)));
    }

    @Test
    public void cryptsetupOpensA64ByteRawKeySlotAndChecksTheVolumeKey() throws Exception {
        byte[] img = ConfidentialDiskImage.create(BOOT, ROOT, VOLUME_KEY,
                new NewKeyslot(new Kdf.Pbkdf2(1000), VOLUME_KEY));
        PartitionEntry r = ConfidentialDiskImage.open(img).rootPartition();
        Path root = write("root-vk.luks2", Arrays.copyOfRange(img, (int) (r.startingLba() * 512),
                (int) ((r.endingLba() + 1) * 512)));
        Path vk = write("volume.key", VOLUME_KEY);
        Tools.ok(Tools.run("cryptsetup-bin", null, null, "cryptsetup", "open", "--test-passphrase", "--key-file",
                vk.toString(), root.toString()), "cryptsetup open --test-passphrase with the 64-byte raw key");
        Tools.ok(Tools.run("cryptsetup-bin", null, null, "cryptsetup", "open", "--test-passphrase",
                "--volume-key-file", vk.toString(), root.toString()),
                "cryptsetup open --test-passphrase --volume-key-file (the digest of the volume key)");
        Path other = write("other-volume.key", new byte[64]);
        assertNotEquals(0, Tools.run("cryptsetup-bin", null, null, "cryptsetup", "open", "--test-passphrase",
                "--volume-key-file", other.toString(), root.toString()).rc());
    }

    @Test
    public void flippedPrimaryHeaderStillOpensFromTheBackup() {
        byte[] bad = image.clone();
        bad[512 + 70] ^= 0x10;
        ConfidentialDiskImage d = ConfidentialDiskImage.open(bad);
        assertTrue(d.gpt().fromBackup());
        assertEquals(ROOT, d.unlockRoot(RAW_KEY));
        bad[bad.length - 512 + 70] ^= 0x10;
        assertEquals(DiskImageException.Reason.GPT_NO_VALID_COPY,
                assertThrows(DiskImageException.class, () -> ConfidentialDiskImage.open(bad)).reason());
        assertFalse(Arrays.equals(bad, image));
    }

    @Test
    public void truncatedBootArchiveIsRefused() {
        ConfidentialDiskImage d = ConfidentialDiskImage.open(image);
        byte[] bad = image.clone();
        long start = d.gpt().partitions().get(0).startingLba() * 512;
        // overwrite the trailer's magic: the archive now runs into the zero padding
        byte[] boot = CpioArchive.write(d.bootFiles());
        int trailer = (int) start + boot.length - 124;
        Arrays.fill(bad, trailer, trailer + 6, (byte) 0);
        DiskImageException e = assertThrows(DiskImageException.class, () -> ConfidentialDiskImage.open(bad));
        assertEquals(DiskImageException.Reason.CPIO_FORMAT, e.reason());
    }

    @Test
    public void bootFilesMayNotNameTheInitramfs() {
        assertThrows(IllegalArgumentException.class, () -> ConfidentialDiskImage.create(
                List.of(CpioEntry.file(ConfidentialDiskImage.INITRAMFS, new byte[1])), ROOT, VOLUME_KEY,
                NewKeyslot.passphrase(new Kdf.Pbkdf2(1000), "x")));
    }
}
