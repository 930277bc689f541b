package io.teebox.amd.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.crypto.EcKeys;
import java.security.KeyPair;
import java.util.Arrays;
import org.junit.Test;

/** SEV-format certificates (spec 1.9): usage and algorithm are u32 fields, all 32 bits of them. */
public class SevCertificateTest {

    @Test
    public void usageAndAlgorithmAreUnsigned32BitFieldsThatRoundTrip() {
        KeyPair signer = EcKeys.generate("P-384");
        KeyPair subject = EcKeys.generate("P-384");
        SevCertificate odd = SevCertificate.create(0xFF001001, 0x80000002, signer.getPublic(), 1, 55);
        assertEquals(0xFF001001, odd.usage());
        assertEquals(0x80000002, odd.algorithm());
        assertArrayEquals(new byte[] {0x01, 0x10, 0x00, (byte) 0xFF}, Arrays.copyOfRange(odd.bytes(), 8, 12));
        SevCertificate parsed = SevCertificate.parse(odd.bytes());
        assertArrayEquals(odd.bytes(), SevCertificate.create(parsed.usage(), parsed.algorithm(),
                parsed.publicKey(), 1, 55).bytes());
        SevCertificate signed = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                subject.getPublic(), 1, 55).sign(1, odd.usage(), signer.getPrivate());
        assertTrue("a signer whose usage sets bit 31 is still found", signed.signedBy(odd));
    }
}
