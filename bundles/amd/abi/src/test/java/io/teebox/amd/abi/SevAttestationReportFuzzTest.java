package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.EcKeys;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;

/**
 * Reports of the legacy SEV ATTESTATION command (0xD0 bytes): {@link SevAttestationReport#parse} refuses with a
 * {@link MalformedStructureException} naming the field, or gives a report that re-signs to the same bytes and
 * whose signature check answers true or false.
 */
class SevAttestationReportFuzzTest {

    /** The PEK the seed reports are signed with. */
    static final PublicKey PEK = EcKeys.fromSeed("P-384", "fuzz seed pek".getBytes(StandardCharsets.UTF_8))
            .getPublic();

    @FuzzTest
    void reportsParseOrNameTheField(byte[] data) {
        SevAttestationReport r = typed(() -> SevAttestationReport.parse(data), MalformedStructureException.class);
        if (r == null) {
            return;
        }
        assertSame("bytes()", data, r.bytes());
        BigInteger[] rs = r.signature();
        assertSame("sign(fields, signature())", data, SevAttestationReport.sign(r.mnonce(), r.launchDigest(),
                r.policy(), d -> rs).bytes());
        r.verify(PEK);
        check("describe()", !r.describe().isEmpty());
    }
}
