package io.teebox.amd.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import java.io.File;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Base64;
import org.junit.Assume;
import org.junit.Test;

/** The legacy SEV ATTESTATION report (spec 1.10): layout, round trip, PEK signature, tampering, OpenSSL. */
public class SevAttestationReportTest {

    private static final KeyPair PEK = EcKeys.fromSeed("P-384",
            "pek of a test platform".getBytes(StandardCharsets.UTF_8));
    private static final byte[] MNONCE = "sixteen byte nnc".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DIGEST = new byte[32];

    static {
        for (int i = 0; i < 32; i++) {
            DIGEST[i] = (byte) (0xA0 + i);
        }
    }

    private static SevAttestationReport signed() {
        return SevAttestationReport.sign(MNONCE, DIGEST, 0x00_11_00_01L,
                data -> Signatures.ecdsaSign(PEK.getPrivate(), "SHA-256", data));
    }

    @Test
    public void fieldsSitAtTheSpecOffsetsAndRoundTrip() {
        assertEquals(0xD0, SevAttestationReport.LAYOUT.size());
        assertEquals(0x00, SevAttestationReport.LAYOUT.offset("MNONCE"));
        assertEquals(0x10, SevAttestationReport.LAYOUT.offset("LAUNCH_DIGEST"));
        assertEquals(0x30, SevAttestationReport.LAYOUT.offset("POLICY"));
        assertEquals(0x34, SevAttestationReport.LAYOUT.offset("SIG_USAGE"));
        assertEquals(0x38, SevAttestationReport.LAYOUT.offset("SIG_ALGO"));
        assertEquals(0x40, SevAttestationReport.LAYOUT.offset("SIG_R"));
        assertEquals(0x88, SevAttestationReport.LAYOUT.offset("SIG_S"));
        byte[] b = signed().bytes();
        assertArrayEquals(MNONCE, Arrays.copyOfRange(b, 0, 16));
        assertArrayEquals(DIGEST, Arrays.copyOfRange(b, 0x10, 0x30));
        assertArrayEquals(new byte[] {0x01, 0x00, 0x11, 0x00}, Arrays.copyOfRange(b, 0x30, 0x34));
        assertArrayEquals(new byte[] {0x02, 0x10, 0, 0, 0x02, 0, 0, 0}, Arrays.copyOfRange(b, 0x34, 0x3C));
        SevAttestationReport parsed = SevAttestationReport.parse(b);
        assertArrayEquals(b, parsed.bytes());
        assertArrayEquals(MNONCE, parsed.mnonce());
        assertArrayEquals(DIGEST, parsed.launchDigest());
        assertEquals(0x110001L, parsed.policy());
        assertTrue(parsed.verify(PEK.getPublic()));
    }

    @Test
    public void everySignedByteAndTheSignatureAreCovered() {
        byte[] b = signed().bytes();
        for (int i = 0; i < SevAttestationReport.SIGNED; i++) {
            byte[] t = b.clone();
            t[i] ^= 0x01;
            assertFalse("byte 0x" + Integer.toHexString(i), SevAttestationReport.parse(t).verify(PEK.getPublic()));
        }
        byte[] t = b.clone();
        t[0x40] ^= 0x01;
        assertFalse(SevAttestationReport.parse(t).verify(PEK.getPublic()));
        KeyPair other = EcKeys.fromSeed("P-384", "another platform's pek".getBytes(StandardCharsets.UTF_8));
        assertFalse(SevAttestationReport.parse(b).verify(other.getPublic()));
    }

    @Test
    public void malformedReportsAreRejectedNamingTheField() {
        byte[] b = signed().bytes();
        byte[] reserved = b.clone();
        reserved[0x3C] = 1;
        assertThrows(MalformedStructureException.class, () -> SevAttestationReport.parse(reserved));
        byte[] usage = b.clone();
        usage[0x34] = 0x04; // CEK
        assertTrue(assertThrows(MalformedStructureException.class, () -> SevAttestationReport.parse(usage))
                .getMessage().contains("SIG_USAGE is 0x1004"));
        byte[] algo = b.clone();
        algo[0x38] = 0x01;
        assertTrue(assertThrows(MalformedStructureException.class, () -> SevAttestationReport.parse(algo))
                .getMessage().contains("SIG_ALGO"));
        assertThrows(MalformedStructureException.class, () -> SevAttestationReport.parse(Arrays.copyOf(b, 0xCF)));
    }

    @Test
    public void openSslVerifiesThePekSignatureOverBytes0To33() throws Exception {
        Assume.assumeTrue(new File("/usr/bin/openssl").canExecute());
        SevAttestationReport r = signed();
        Path dir = Files.createTempDirectory("sev-attestation");
        Files.write(dir.resolve("signed.bin"), Arrays.copyOf(r.bytes(), SevAttestationReport.SIGNED));
        BigInteger[] rs = r.signature();
        Files.write(dir.resolve("sig.der"), Signatures.toDer(rs[0], rs[1]));
        Files.writeString(dir.resolve("pek.pem"), "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(PEK.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n");
        Process p = new ProcessBuilder("/usr/bin/openssl", "dgst", "-sha256", "-verify", "pek.pem", "-signature",
                "sig.der", "signed.bin").directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(out, 0, p.waitFor());
        assertEquals("Verified OK", out);
    }
}
