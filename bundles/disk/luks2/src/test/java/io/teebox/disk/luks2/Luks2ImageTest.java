package io.teebox.disk.luks2;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.disk.luks2.Luks2Exception.Reason;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

public class Luks2ImageTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    static final Kdf FAST = new Kdf.Pbkdf2(1000);
    static final Kdf ARGON = new Kdf.Argon2id(4, 64, 1);

    static byte[] key(int seed) {
        byte[] k = new byte[64];
        new java.util.Random(seed).nextBytes(k);
        return k;
    }

    static void flip(Path image, long offset) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.seek(offset);
            int b = f.read();
            f.seek(offset);
            f.write(b ^ 0x01);
        }
    }

    /** A guest's payload without a filesystem: sector 0 a file table (name, first sector, length), then the files. */
    static void putFiles(CryptVolume v, Map<String, byte[]> files) {
        int ss = v.sectorSize();
        ByteBuffer table = ByteBuffer.allocate(ss);
        table.putInt(files.size());
        long next = 1;
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            byte[] name = f.getKey().getBytes(StandardCharsets.UTF_8);
            table.put((byte) name.length).put(name).putLong(next).putInt(f.getValue().length);
            int sectors = (f.getValue().length + ss - 1) / ss;
            v.write(next, Arrays.copyOf(f.getValue(), sectors * ss));
            next += sectors;
        }
        v.write(0, table.array());
    }

    static Map<String, byte[]> getFiles(CryptVolume v) {
        ByteBuffer table = ByteBuffer.wrap(v.read(0, 1));
        Map<String, byte[]> out = new LinkedHashMap<>();
        int n = table.getInt();
        for (int i = 0; i < n; i++) {
            byte[] name = new byte[table.get()];
            table.get(name);
            long first = table.getLong();
            int len = table.getInt();
            int sectors = (len + v.sectorSize() - 1) / v.sectorSize();
            out.put(new String(name, StandardCharsets.UTF_8), Arrays.copyOf(v.read(first, sectors), len));
        }
        return out;
    }

    @Test
    public void createdVolumeUnlocksWithEachKeyslotAndKeepsFiles() throws IOException {
        Path img = tmp.getRoot().toPath().resolve("root.img");
        byte[] raw = new byte[32];
        new SecureRandom().nextBytes(raw);
        CryptVolume v = Luks2Image.create(img, 1 << 20, 512, key(1), NewKeyslot.passphrase(FAST, "correct horse"),
                new NewKeyslot(ARGON, raw));
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("etc/hostname", "cvm-1\n".getBytes(StandardCharsets.UTF_8));
        files.put("boot/blob", new byte[3000]);
        new SecureRandom().nextBytes(files.get("boot/blob"));
        putFiles(v, files);

        Luks2Image image = Luks2Image.open(img);
        assertEquals(Map.of(0, FAST, 1, ARGON), image.keyslots());
        assertFalse(image.recoveredFromSecondary());
        assertTrue(image.refusedCopy().isEmpty());
        assertEquals(16L << 20, image.dataOffset());
        assertEquals(1, image.seqid());
        CryptVolume byPass = image.unlock("correct horse".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(key(1), byPass.volumeKey());
        assertEquals(2048, byPass.sectors());
        CryptVolume byRaw = image.unlock(1, raw);
        Map<String, byte[]> back = getFiles(byRaw);
        assertEquals(files.keySet(), back.keySet());
        for (String name : files.keySet()) {
            assertArrayEquals(name, files.get(name), back.get(name));
        }
        byte[] disk = Files.readAllBytes(img);
        byte[] hostname = "cvm-1".getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i + hostname.length < disk.length; i++) {
            if (Arrays.equals(disk, i, i + hostname.length, hostname, 0, hostname.length)) {
                throw new AssertionError("plaintext found in the image at " + i);
            }
        }
    }

    @Test
    public void wrongSecretOpensNoKeyslot() throws IOException {
        Path img = tmp.getRoot().toPath().resolve("w.img");
        Luks2Image.create(img, 4096, 4096, key(2), NewKeyslot.passphrase(FAST, "right"));
        Luks2Image image = Luks2Image.open(img);
        Luks2Exception e = assertThrows(Luks2Exception.class,
                () -> image.unlock("wrong".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Reason.DIGEST_MISMATCH, e.reason());
        assertEquals("no keyslot of [0] opens with this secret: each yields a volume key that fails its digest",
                e.getMessage());
        assertEquals(Reason.BAD_METADATA, assertThrows(Luks2Exception.class,
                () -> image.unlock(5, "right".getBytes(StandardCharsets.UTF_8))).reason());
    }

    @Test
    public void flippedKeyslotAreaByteFailsTheDigest() throws IOException {
        Path img = tmp.getRoot().toPath().resolve("k.img");
        Luks2Image.create(img, 4096, 512, key(3), NewKeyslot.passphrase(FAST, "pw"));
        flip(img, 0x8000 + 100_000);
        Luks2Exception e = assertThrows(Luks2Exception.class,
                () -> Luks2Image.open(img).unlock(0, "pw".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Reason.DIGEST_MISMATCH, e.reason());
    }

    @Test
    public void flippedPrimaryHeaderByteIsRecoveredFromTheSecondary() throws IOException {
        Path img = tmp.getRoot().toPath().resolve("h.img");
        Luks2Image.create(img, 4096, 512, key(4), NewKeyslot.passphrase(FAST, "pw"));
        flip(img, 4096 + 20);
        Luks2Image image = Luks2Image.open(img);
        assertTrue(image.recoveredFromSecondary());
        assertEquals(Reason.BAD_CHECKSUM, image.refusedCopy().orElseThrow().reason());
        assertArrayEquals(key(4), image.unlock("pw".getBytes(StandardCharsets.UTF_8)).volumeKey());
        flip(img, 0x4000 + 4096 + 20);
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> Luks2Image.open(img));
        assertEquals(Reason.BAD_CHECKSUM, e.reason());
        assertTrue(e.getMessage(), e.getMessage().startsWith("LUKS2 primary header checksum is "));
        assertFalse(e.getMessage(), e.getMessage().contains("\n"));
    }

    @Test
    public void badMagicInBothCopiesIsRefused() throws IOException {
        Path img = tmp.getRoot().toPath().resolve("m.img");
        Luks2Image.create(img, 4096, 512, key(5), NewKeyslot.passphrase(FAST, "pw"));
        flip(img, 0);
        flip(img, 0x4000);
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> Luks2Image.open(img));
        assertEquals(Reason.BAD_MAGIC, e.reason());
    }

    @Test
    public void truncatedImagesAreRefused() throws IOException {
        Path img = tmp.getRoot().toPath().resolve("t.img");
        Luks2Image.create(img, 4096, 512, key(6), NewKeyslot.passphrase(FAST, "pw"));
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(1L << 20);
        }
        Luks2Exception e = assertThrows(Luks2Exception.class, () -> Luks2Image.open(img));
        assertEquals(Reason.TRUNCATED, e.reason());
        assertEquals("image is 1048576 bytes, expected at least the data segment offset 16777216", e.getMessage());
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(10000);
        }
        assertEquals(Reason.TRUNCATED, assertThrows(Luks2Exception.class, () -> Luks2Image.open(img)).reason());
    }

    @Test
    public void argumentsOutOfRangeAreRefused() {
        Path img = tmp.getRoot().toPath().resolve("a.img");
        NewKeyslot ks = NewKeyslot.passphrase(FAST, "pw");
        assertThrows(IllegalArgumentException.class, () -> Luks2Image.create(img, 4096, 512, new byte[32], ks));
        assertThrows(IllegalArgumentException.class, () -> Luks2Image.create(img, 4096, 1024, key(7), ks));
        assertThrows(IllegalArgumentException.class, () -> Luks2Image.create(img, 1000, 512, key(7), ks));
        assertThrows(IllegalArgumentException.class, () -> Luks2Image.create(img, 4096, 512, key(7)));
        assertThrows(IllegalArgumentException.class, () -> new Kdf.Argon2id(1, 4, 1));
        CryptVolume v = Luks2Image.create(img, 4096, 512, key(7), ks);
        assertThrows(IllegalArgumentException.class, () -> v.read(8, 1));
        assertThrows(IllegalArgumentException.class, () -> v.write(0, new byte[100]));
    }
}
