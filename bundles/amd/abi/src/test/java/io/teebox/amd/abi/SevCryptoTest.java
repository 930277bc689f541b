package io.teebox.amd.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.security.KeyPair;

import org.junit.Test;

import io.teebox.api.tee.TeeException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.hex.Hex;

/** The published values of spec sections 1.6 and 1.7 (virtee/sev unit tests) and the structures' round trips. */
public class SevCryptoTest {

    private static final byte[] Z16 = new byte[16];

    @Test
    public void masterSecretKdfVector() {
        assertEquals("ab4d269fcc62bedb4511d56c386ce706", Hex.encode(SevCrypto.masterSecret(Z16, Z16)));
    }

    @Test
    public void sessionWrapVectors() {
        byte[] master = SevCrypto.masterSecret(Z16, Z16);
        byte[] wrapTk = SevCrypto.wrap(SevCrypto.kek(master), Z16, new byte[32]);
        assertEquals("2137bc7f9bb8bd7c3e55a576a15d3454b3856b8ba27afadf46dcfee9f02c02c4", Hex.encode(wrapTk));
        assertEquals("3176c0752738bd9d5e86689534020f528c088f16238826b000b327dee6aeed7d",
                Hex.encode(SevCrypto.wrapMac(SevCrypto.kik(master), wrapTk)));
        assertEquals("aa7855e13839dd767cd5da7c1ff5036540c9264b7a803029315e55375287b4af",
                Hex.encode(SevCrypto.policyMac(Z16, new SevPolicy(0))));
        assertArrayEquals(new byte[32], SevCrypto.wrap(SevCrypto.kek(master), Z16, wrapTk));
    }

    @Test
    public void launchMeasureVector() {
        byte[] m = SevCrypto.measure(Hex.decode("66320db73158a35a255d051758e95ed4"), 0, 0x12, 0x0f,
                new SevPolicy(0), Digests.sha256(), Hex.decode("4fbe0bedbad6c86ae8f68971d103e554"));
        assertEquals("6faab2daae389bcd3405a05d6cafe33c0414f7bedd0bae19ba5f38b7fd1664ea", Hex.encode(m));
    }

    @Test
    public void secretMacCoversEveryByte() {
        byte[] tik = new byte[16];
        byte[] iv = new byte[16];
        byte[] trans = "ciphertext of a secret".getBytes();
        byte[] measure = new byte[32];
        byte[] mac = SevCrypto.secretMac(tik, 0, iv, trans.length, trans, measure, 1, 55);
        trans[3] ^= 1;
        assertFalse(SevCrypto.macEquals(mac, SevCrypto.secretMac(tik, 0, iv, trans.length, trans, measure, 1, 55)));
        trans[3] ^= 1;
        measure[0] = 1;
        assertFalse(SevCrypto.macEquals(mac, SevCrypto.secretMac(tik, 0, iv, trans.length, trans, measure, 1, 55)));
        // before API 0.17 the MEASURE is not covered
        assertTrue(SevCrypto.macEquals(SevCrypto.secretMac(tik, 0, iv, trans.length, trans, new byte[32], 0, 16),
                SevCrypto.secretMac(tik, 0, iv, trans.length, trans, measure, 0, 16)));
    }

    @Test
    public void policyFieldsAndReservedBits() {
        SevPolicy p = new SevPolicy(0x1137_0005L);
        assertTrue(p.has(SevPolicy.NODBG));
        assertTrue(p.has(SevPolicy.ES));
        assertEquals(0x37, p.apiMajor());
        assertEquals(0x11, p.apiMinor());
        assertArrayEquals(new byte[] {5, 0, 0x37, 0x11}, p.bytes());
        TeeException e = assertThrows(TeeException.class, () -> new SevPolicy(0x40));
        assertEquals("INVALID_PARAM", e.status().name());
        assertTrue(e.getMessage().contains("reserved bits"));
    }

    @Test
    public void sessionAndSecretHeaderRoundTrip() {
        byte[] raw = new byte[0x80];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) i;
        }
        SevSession s = SevSession.parse(raw);
        assertArrayEquals(new byte[] {0x10, 0x11}, java.util.Arrays.copyOf(s.wrapTk(), 2));
        assertArrayEquals(raw, s.bytes());
        assertEquals("INVALID_LENGTH", assertThrows(TeeException.class,
                () -> SevSession.parse(new byte[0x7F])).status().name());
        byte[] h = new byte[0x34];
        h[0x14] = 9;
        SecretHeader sh = SecretHeader.parse(h);
        assertEquals(9, sh.mac()[0]);
        assertArrayEquals(h, sh.bytes());
    }

    @Test
    public void certificateRoundTripSignAndTamper() {
        KeyPair pek = EcKeys.generate("P-384");
        KeyPair pdh = EcKeys.generate("P-384");
        SevCertificate pekCert = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                pek.getPublic(), 1, 55);
        SevCertificate cert = SevCertificate.create(SevCertificate.USAGE_PDH, SevCertificate.ALGO_ECDH_SHA256,
                pdh.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_PEK, pek.getPrivate());
        byte[] bytes = cert.bytes();
        assertEquals(0x824, bytes.length);
        assertEquals(2, bytes[0x10]);
        SevCertificate parsed = SevCertificate.parse(bytes);
        assertArrayEquals(bytes, parsed.bytes());
        assertEquals(pdh.getPublic(), parsed.publicKey());
        assertTrue(parsed.signedBy(pekCert));
        bytes[0x100] ^= 1;
        assertFalse(SevCertificate.parse(bytes).signedBy(pekCert));
        byte[] badVersion = cert.bytes();
        badVersion[0] = 2;
        TeeException e = assertThrows(TeeException.class, () -> SevCertificate.parse(badVersion));
        assertEquals("INVALID_CERTIFICATE", e.status().name());
        byte[] reserved = cert.bytes();
        reserved[6] = 1;
        assertEquals("INVALID_CERTIFICATE", assertThrows(TeeException.class,
                () -> SevCertificate.parse(reserved)).status().name());
    }
}
