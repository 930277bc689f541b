package io.teebox.disk.luks2;

import static io.teebox.disk.luks2.Tools.cryptsetup;
import static io.teebox.disk.luks2.Tools.ok;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.teebox.disk.luks2.internal.Metadata;
import io.teebox.kit.hex.Hex;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * teebox's LUKS2 against cryptsetup 2.x (Debian cryptsetup-bin) and OpenSSL's XTS through python3-cryptography: each
 * reads what the other writes. No device-mapper is needed: --test-passphrase and --dump-volume-key only read.
 */
public class CryptsetupInteropTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file(String name, byte[] content) throws IOException {
        return Files.write(tmp.getRoot().toPath().resolve(name), content);
    }

    private static byte[] dumpedVolumeKey(Path image, Path keyFile) {
        String out = ok(cryptsetup("luksDump", "--dump-volume-key", "--batch-mode", "--key-file", keyFile.toString(),
                image.toString()), "cryptsetup luksDump --dump-volume-key");
        Matcher m = Pattern.compile("MK dump:((?:\\s+[0-9a-f]{2})+)").matcher(out);
        if (!m.find()) {
            fail("no 'MK dump:' in cryptsetup's output: " + out);
        }
        return Hex.decode(m.group(1).replaceAll("\\s+", ""));
    }

    private static boolean opens(Path image, Path keyFile, String... extra) {
        String[] args = new String[5 + extra.length];
        args[0] = "open";
        args[1] = "--test-passphrase";
        args[2] = "--key-file";
        args[3] = keyFile.toString();
        System.arraycopy(extra, 0, args, 4, extra.length);
        args[4 + extra.length] = image.toString();
        return cryptsetup(args).rc() == 0;
    }

    @Test
    public void cryptsetupReadsTeeboxImages() throws IOException {
        byte[] volumeKey = new byte[64];
        new SecureRandom().nextBytes(volumeKey);
        byte[] rawKey = new byte[32];
        new SecureRandom().nextBytes(rawKey);
        Path img = tmp.getRoot().toPath().resolve("teebox.img");
        Luks2Image.create(img, 1 << 20, 512, volumeKey, NewKeyslot.passphrase(new Kdf.Pbkdf2(1000), "guest pass"),
                new NewKeyslot(new Kdf.Argon2id(4, 64, 1), rawKey));
        Path pass = file("pass", "guest pass".getBytes(StandardCharsets.UTF_8));
        Path raw = file("raw", rawKey);
        Path wrong = file("wrong", "guest pasS".getBytes(StandardCharsets.UTF_8));

        String dump = ok(cryptsetup("luksDump", img.toString()), "cryptsetup luksDump");
        assertTrue(dump, dump.contains("Version:       \t2"));
        assertTrue(dump, dump.contains("UUID:          \t" + Luks2Image.open(img).uuid()));
        assertTrue(dump, dump.contains("offset: 16777216 [bytes]"));
        assertTrue(dump, dump.contains("cipher: aes-xts-plain64"));
        assertTrue(dump, dump.contains("sector: 512 [bytes]"));
        assertTrue(dump, dump.contains("  0: luks2"));
        assertTrue(dump, dump.contains("PBKDF:      pbkdf2"));
        assertTrue(dump, dump.contains("  1: luks2"));
        assertTrue(dump, dump.contains("PBKDF:      argon2id"));
        assertTrue(dump, dump.contains("Area offset:290816 [bytes]"));
        assertTrue(dump, dump.contains("AF stripes: 4000"));

        assertTrue(opens(img, pass));
        assertTrue(opens(img, pass, "--key-slot", "0"));
        assertTrue(opens(img, raw, "--key-slot", "1"));
        assertFalse("slot 0's passphrase must not open slot 1", opens(img, pass, "--key-slot", "1"));
        assertFalse(opens(img, wrong));
        assertArrayEquals(volumeKey, dumpedVolumeKey(img, pass));
        assertArrayEquals(volumeKey, dumpedVolumeKey(img, raw));
    }

    @Test
    public void cryptsetupRecoversFromTheSecondaryOfATeeboxImageAndRefusesAFlippedKeyslot() throws IOException {
        byte[] volumeKey = new byte[64];
        new SecureRandom().nextBytes(volumeKey);
        Path img = tmp.getRoot().toPath().resolve("tampered.img");
        Luks2Image.create(img, 4096, 512, volumeKey, NewKeyslot.passphrase(new Kdf.Pbkdf2(1000), "pw"));
        Path pass = file("pass", "pw".getBytes(StandardCharsets.UTF_8));
        Luks2ImageTest.flip(img, 4096 + 30);
        Path copy = Files.copy(img, tmp.getRoot().toPath().resolve("copy.img"));
        assertTrue("cryptsetup opens from the secondary header", opens(copy, pass));
        assertTrue(Luks2Image.open(img).recoveredFromSecondary());
        Luks2ImageTest.flip(img, 0x8000 + 1000);
        assertFalse("cryptsetup refuses a flipped keyslot area byte", opens(img, pass));
    }

    private Path cryptsetupImage(String name, Path keyFile, String... pbkdf) throws IOException {
        Path img = tmp.getRoot().toPath().resolve(name);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(17L << 20);
        }
        String[] args = new String[8 + pbkdf.length];
        args[0] = "luksFormat";
        args[1] = "--type";
        args[2] = "luks2";
        System.arraycopy(pbkdf, 0, args, 3, pbkdf.length);
        int i = 3 + pbkdf.length;
        args[i++] = "--batch-mode";
        args[i++] = "--key-file";
        args[i++] = keyFile.toString();
        args[i++] = "--sector-size=512";
        args[i] = img.toString();
        ok(cryptsetup(args), "cryptsetup luksFormat " + String.join(" ", pbkdf));
        return img;
    }

    @Test
    public void teeboxOpensCryptsetupImages() throws IOException {
        byte[] secret = "made by cryptsetup".getBytes(StandardCharsets.UTF_8);
        Path key = file("k", secret);
        Path p = cryptsetupImage("pbkdf2.img", key, "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000");
        Path a = cryptsetupImage("argon2id.img", key, "--pbkdf", "argon2id", "--pbkdf-force-iterations", "4",
                "--pbkdf-memory", "64", "--pbkdf-parallel", "2");
        Path k256 = cryptsetupImage("aes128xts.img", key, "--pbkdf", "pbkdf2", "--pbkdf-force-iterations", "1000",
                "--key-size", "256");
        assertEquals(32, Luks2Image.open(k256).unlock(secret).volumeKey().length);
        for (Path img : new Path[] {p, a, k256}) {
            Luks2Image image = Luks2Image.open(img);
            CryptVolume v = image.unlock(secret);
            assertArrayEquals(img.toString(), dumpedVolumeKey(img, key), v.volumeKey());
            assertEquals(512, image.sectorSize());
            assertEquals("our JSON writer gives cryptsetup's text back", image.json(),
                    Metadata.parse(image.json(), 0x4000).toJson());
            Luks2Exception e = org.junit.Assert.assertThrows(Luks2Exception.class,
                    () -> image.unlock("made by cryptsetuP".getBytes(StandardCharsets.UTF_8)));
            assertEquals(Luks2Exception.Reason.DIGEST_MISMATCH, e.reason());
        }
        assertEquals(new Kdf.Argon2id(4, 64, 2), Luks2Image.open(a).keyslots().get(0));
        // a volume key cryptsetup chose, used by teebox for data, is then read back by cryptsetup's key
        CryptVolume v = Luks2Image.open(p).unlock(secret);
        byte[] sector = new byte[512];
        Arrays.fill(sector, (byte) 'z');
        v.write(3, sector);
        assertArrayEquals(sector, Luks2Image.open(p).unlock(0, secret).read(3, 1));
        assertTrue(opens(p, key));

        // a second keyslot added by cryptsetup at id 3, behind the first keyslot's area
        byte[] added = "added later".getBytes(StandardCharsets.UTF_8);
        Path addedKey = file("k3", added);
        long seqidBefore = Luks2Image.open(p).seqid();
        ok(cryptsetup("luksAddKey", "--batch-mode", "--key-file", key.toString(), "--key-slot", "3", "--pbkdf",
                "pbkdf2", "--pbkdf-force-iterations", "1000", p.toString(), addedKey.toString()),
                "cryptsetup luksAddKey");
        Luks2Image twice = Luks2Image.open(p);
        assertEquals(java.util.Set.of(0, 3), twice.keyslots().keySet());
        assertEquals("luksAddKey writes both copies once more", seqidBefore + 1, twice.seqid());
        assertArrayEquals(v.volumeKey(), twice.unlock(3, added).volumeKey());
        assertArrayEquals(sector, twice.unlock(added).read(3, 1));
    }

    /** Decrypts one sector with OpenSSL's AES-XTS through python3-cryptography (openssl enc refuses XTS). */
    private static byte[] opensslXtsDecrypt(byte[] key, long iv, byte[] sector) {
        String py = "import sys\n"
                + "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n"
                + "k = bytes.fromhex(sys.argv[1]); t = bytes.fromhex(sys.argv[2])\n"
                + "d = Cipher(algorithms.AES(k), modes.XTS(t)).decryptor()\n"
                + "sys.stdout.write((d.update(sys.stdin.buffer.read()) + d.finalize()).hex())\n";
        byte[] tweak = new byte[16];
        for (int i = 0; i < 8; i++) {
            tweak[i] = (byte) (iv >>> (8 * i));
        }
        // Debian's python3, where the Debian package puts the library (a python3 earlier on the PATH may lack it)
        String python = java.nio.file.Files.isExecutable(java.nio.file.Path.of("/usr/bin/python3")) ? "/usr/bin/python3"
                : "python3";
        Tools.Result r = Tools.run("python3-cryptography", sector, python, "-c", py, Hex.encode(key),
                Hex.encode(tweak));
        ok(r, "python3 with OpenSSL's AES-XTS (Debian package python3-cryptography)");
        return Hex.decode(r.out().strip());
    }

    @Test
    public void sectorsDecryptWithAnIndependentXts() throws IOException {
        for (int sectorSize : new int[] {512, 4096}) {
            byte[] volumeKey = new byte[64];
            new SecureRandom().nextBytes(volumeKey);
            Path img = tmp.getRoot().toPath().resolve("x" + sectorSize + ".img");
            CryptVolume v = Luks2Image.create(img, 16L * sectorSize, sectorSize, volumeKey,
                    NewKeyslot.passphrase(new Kdf.Pbkdf2(1000), "pw"));
            byte[] plain = new byte[3 * sectorSize];
            new SecureRandom().nextBytes(plain);
            v.write(5, plain);
            byte[] image = Files.readAllBytes(img);
            for (int s = 5; s < 8; s++) {
                int at = (int) (Luks2Image.open(img).dataOffset() + (long) s * sectorSize);
                byte[] cipher = Arrays.copyOfRange(image, at, at + sectorSize);
                byte[] want = Arrays.copyOfRange(plain, (s - 5) * sectorSize, (s - 4) * sectorSize);
                assertNotEquals(Hex.encode(want), Hex.encode(cipher));
                assertEquals("sector " + s + " of " + sectorSize, Hex.encode(want),
                        Hex.encode(opensslXtsDecrypt(volumeKey, (long) s * (sectorSize / 512), cipher)));
            }
        }
    }
}
