package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.refusesTyped;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.util.Arrays;

/**
 * SNP ATTESTATION_REPORTs as a verifier receives them: {@link SnpReport#parse} refuses with a
 * {@link MalformedStructureException} naming the field, or gives a report whose bytes, signed region and
 * signature round-trip; its policy and TCB fields decode or are refused typed.
 */
class SnpReportFuzzTest {

    private static final PublicKey KEY = EcKeys.fromSeed("P-384",
            "snp report fuzz key".getBytes(StandardCharsets.UTF_8)).getPublic();

    @FuzzTest
    void reportsParseOrNameTheField(byte[] data) {
        SnpReport r = typed(() -> SnpReport.parse(data), MalformedStructureException.class);
        if (r == null) {
            return;
        }
        assertSame("bytes()", data, r.bytes());
        assertSame("signedBytes()", Arrays.copyOf(data, SnpReport.SIGNED), r.signedBytes());
        check("version 2..5", r.version() >= 2 && r.version() <= 5);
        BigInteger[] rs = r.signature();
        check("R and S are non-negative", rs[0].signum() >= 0 && rs[1].signum() >= 0);
        assertSame("sign(signature())", data, SnpReport.parse(data).sign(rs[0], rs[1]).bytes());
        Signatures.ecdsaVerify(KEY, "SHA-384", r.signedBytes(), rs[0], rs[1]);
        check("describe()", !r.fields().describe().isEmpty());
        refusesTyped(() -> new SnpPolicy(r.fields().u64("POLICY")), TeeException.class);
        for (String line : new String[] {"Milan", "Genoa", "Turin"}) {
            for (String field : new String[] {"CURRENT_TCB", "REPORTED_TCB", "COMMITTED_TCB", "LAUNCH_TCB"}) {
                refusesTyped(() -> TcbVersions.decode(line, r.fields().u64(field)), IllegalArgumentException.class);
            }
        }
    }
}
