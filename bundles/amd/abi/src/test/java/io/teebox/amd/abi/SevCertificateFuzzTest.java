package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TeeException;
import java.util.Arrays;

/**
 * SEV-format certificates (PDH, PEK, OCA, CEK; 0x824 bytes) as an owner or verifier receives them:
 * {@link SevCertificate#parse} refuses with a {@link TeeException} (INVALID_CERTIFICATE) naming what is wrong,
 * or gives a certificate whose key reads, whose signature checks answer true or false, and whose signed part is
 * what {@link SevCertificate#create} writes for the same key.
 */
class SevCertificateFuzzTest {

    @FuzzTest
    void certificatesParseOrAreRefused(byte[] data) {
        SevCertificate c = typed(() -> SevCertificate.parse(data), TeeException.class);
        if (c == null) {
            return;
        }
        assertSame("bytes()", data, c.bytes());
        c.signedBy(c);
        int[] api = c.apiVersion();
        SevCertificate again = SevCertificate.create(c.usage(), c.algorithm(), c.publicKey(), api[0], api[1]);
        byte[] canonical = again.bytes();
        // create() writes zero reserved bytes, a 2-byte curve id and zeros after Qy; other bytes of a parsed
        // certificate may differ only there
        byte[] mine = Arrays.copyOf(data, SevCertificate.SIGNED);
        byte[] theirs = Arrays.copyOf(canonical, SevCertificate.SIGNED);
        Arrays.fill(mine, 0x012, 0x014, (byte) 0);
        Arrays.fill(mine, 0x010 + 4 + 144, 0x414, (byte) 0);
        check("the signed part is create()'s for the same key", Arrays.equals(mine, theirs));
        check("an unsigned copy carries no signature", !SevCertificate.parse(canonical).signedBy(c));
    }
}
