package io.teebox.disk.image;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.disk.image.DiskImageException.Reason;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/** The newc cpio codec, against GNU cpio (Debian cpio). */
public class CpioArchiveTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static List<CpioEntry> files() {
        return List.of(CpioEntry.directory("EFI"), CpioEntry.directory("EFI/BOOT"),
                CpioEntry.file("EFI/BOOT/BOOTX64.EFI", ascii("MZ shim stand-in")),
                CpioEntry.file("grub.cfg", ascii("linux /vmlinuz root=PARTLABEL=root\n")),
                CpioEntry.file("empty", new byte[0]), CpioEntry.executable("abc", ascii("123")),
                new CpioEntry("lnk", CpioEntry.S_IFLNK | 0777, 0, 0, 1700000000L, ascii("grub.cfg")));
    }

    @Test
    public void roundTripAndLayout() {
        byte[] a = CpioArchive.write(files());
        assertEquals(files(), CpioArchive.read(a));
        assertEquals(0, a.length % 4);
        String head = new String(a, 0, 110 + 4, StandardCharsets.US_ASCII);
        // ino 1, mode 040755, uid 0, gid 0, nlink 2, mtime 0, size 0, devs 0, namesize 4 ("EFI" and NUL), check 0
        assertEquals("070701" + "00000001" + "000041ed" + "00000000" + "00000000" + "00000002" + "00000000"
                + "00000000" + "00000000" + "00000000" + "00000000" + "00000000" + "00000004" + "00000000" + "EFI\0",
                head);
        String tail = new String(a, a.length - 124, 124, StandardCharsets.US_ASCII);
        assertEquals("070701" + "00000000".repeat(4) + "00000001" + "00000000".repeat(6) + "0000000b" + "00000000"
                + "TRAILER!!!\0" + "\0\0\0", tail);
    }

    @Test
    public void gnuCpioListsAndExtractsOurArchive() throws Exception {
        byte[] a = CpioArchive.write(files());
        String list = Tools.ok(Tools.run("cpio", null, a, "cpio", "-t", "--quiet"), "cpio -t");
        assertEquals(List.of("EFI", "EFI/BOOT", "EFI/BOOT/BOOTX64.EFI", "grub.cfg", "empty", "abc", "lnk"),
                List.of(list.split("\n")));
        Path dir = tmp.newFolder("x").toPath();
        Tools.ok(Tools.run("cpio", dir, a, "cpio", "-idv", "--quiet", "--no-absolute-filenames"), "cpio -idv");
        assertArrayEquals(ascii("MZ shim stand-in"), Files.readAllBytes(dir.resolve("EFI/BOOT/BOOTX64.EFI")));
        assertArrayEquals(ascii("linux /vmlinuz root=PARTLABEL=root\n"), Files.readAllBytes(dir.resolve("grub.cfg")));
        assertEquals(0, Files.size(dir.resolve("empty")));
        assertTrue(Files.isExecutable(dir.resolve("abc")));
        assertEquals("grub.cfg", Files.readSymbolicLink(dir.resolve("lnk")).toString());
        assertTrue(Files.isDirectory(dir.resolve("EFI/BOOT")));
    }

    @Test
    public void readsAnArchiveWrittenByGnuCpio() throws Exception {
        byte[] a;
        try (InputStream in = getClass().getResourceAsStream("gnu-cpio-2.13-newc.cpio")) {
            a = in.readAllBytes();
        }
        List<CpioEntry> e = CpioArchive.read(a);
        // GNU cpio drops the "./" that find puts before each name
        assertEquals(List.of(".", "etc", "etc/hello.txt", "init", "link"),
                e.stream().map(CpioEntry::name).toList());
        assertArrayEquals(ascii("hello initramfs\n"), e.get(2).data());
        assertEquals(0100644, e.get(2).mode());
        assertEquals(0100755, e.get(3).mode());
        assertEquals(1704164645L, e.get(3).mtime());
        assertEquals(CpioEntry.S_IFLNK, e.get(4).mode() & CpioEntry.S_IFMT);
        assertArrayEquals(ascii("etc/hello.txt"), e.get(4).data());
        assertEquals(1024, a.length);
    }

    @Test
    public void readsWhatGnuCpioWritesNow() throws Exception {
        Path dir = tmp.newFolder("src").toPath();
        Files.write(dir.resolve("key.conf"), ascii("x=1\n"));
        Files.write(dir.resolve("odd-name-of-length-17"), new byte[] {1, 2, 3, 4, 5});
        byte[] a = Tools.ok(Tools.run("cpio", dir, ascii("key.conf\nodd-name-of-length-17\n"), "cpio", "-o",
                "-H", "newc", "--quiet"), "cpio -o -H newc").getBytes(StandardCharsets.ISO_8859_1);
        List<CpioEntry> e = CpioArchive.read(a);
        assertEquals("key.conf", e.get(0).name());
        assertArrayEquals(ascii("x=1\n"), e.get(0).data());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, e.get(1).data());
    }

    @Test
    public void truncatedArchiveIsRefused() {
        byte[] a = CpioArchive.write(files());
        for (int cut : new int[] {a.length - 1, a.length - 124, 50, 112, 130}) {
            DiskImageException e = assertThrows(DiskImageException.class,
                    () -> CpioArchive.read(Arrays.copyOf(a, cut)));
            assertEquals("cut at " + cut + ": " + e.getMessage(), Reason.CPIO_TRUNCATED, e.reason());
            assertTrue(e.getMessage(), !e.getMessage().contains("\n"));
        }
    }

    @Test
    public void nameLengthBeyondTheArchiveIsRefused() {
        byte[] a = CpioArchive.write(List.of(CpioEntry.file("a", new byte[0])));
        byte[] bad = a.clone();
        System.arraycopy(ascii("7fffffff"), 0, bad, 94, 8); // c_namesize
        DiskImageException e = assertThrows(DiskImageException.class, () -> CpioArchive.read(bad));
        assertEquals(Reason.CPIO_TRUNCATED, e.reason());
        assertEquals("cpio c_namesize at byte 0 is 2147483647, beyond the " + (a.length - 110)
                + " bytes left after the header", e.getMessage());
        System.arraycopy(ascii("00000003"), 0, bad, 94, 8); // one past the NUL
        e = assertThrows(DiskImageException.class, () -> CpioArchive.read(bad));
        assertEquals(Reason.CPIO_FORMAT, e.reason());
    }

    @Test
    public void wrongMagicHexCheckAndPaddingAreRefused() {
        byte[] a = CpioArchive.write(List.of(CpioEntry.file("ab", ascii("x"))));
        byte[] m = a.clone();
        m[5] = '2';
        assertEquals("cpio c_magic at byte 0 is \"070702\", expected \"070701\" (newc)",
                assertThrows(DiskImageException.class, () -> CpioArchive.read(m)).getMessage());
        byte[] h = a.clone();
        h[20] = 'g';
        assertEquals(Reason.CPIO_FORMAT, assertThrows(DiskImageException.class, () -> CpioArchive.read(h)).reason());
        byte[] c = a.clone();
        c[109] = '1';
        assertEquals("cpio c_check at byte 0 is 0x00000001, expected 0 in newc",
                assertThrows(DiskImageException.class, () -> CpioArchive.read(c)).getMessage());
        byte[] p = a.clone();
        p[110 + 3 + 1 + 1] = 7; // data padding after "x"
        assertEquals(Reason.CPIO_FORMAT, assertThrows(DiskImageException.class, () -> CpioArchive.read(p)).reason());
        byte[] t = Arrays.copyOf(a, a.length + 4);
        t[a.length + 2] = 1;
        assertEquals(Reason.CPIO_FORMAT, assertThrows(DiskImageException.class, () -> CpioArchive.read(t)).reason());
    }

    @Test
    public void initramfsIsANewcArchiveGnuCpioExtracts() throws Exception {
        UUID part = UUID.fromString("9cc3612a-976f-45b7-b731-25a9c1d21f59");
        byte[] a = Initramfs.build(part, "0b1c2d3e-0000-4000-8000-000000000001");
        Path dir = tmp.newFolder("initrd").toPath();
        Tools.ok(Tools.run("cpio", dir, a, "cpio", "-idv", "--quiet"), "cpio -idv");
        assertTrue(Files.isExecutable(dir.resolve("init")));
        String init = Files.readString(dir.resolve("init"));
        assertTrue(init, init.startsWith("#!/bin/sh\n") && init.contains("/dev/disk/by-partuuid/" + part)
                && init.contains("switch_root /sysroot"));
        assertTrue(Files.readString(dir.resolve("etc/crypttab")).startsWith("root PARTUUID=" + part + " "));
        assertTrue(Files.isDirectory(dir.resolve("sysroot")));
        assertEquals(Initramfs.unlockStage(part, "0b1c2d3e-0000-4000-8000-000000000001"), CpioArchive.read(a));
    }
}
