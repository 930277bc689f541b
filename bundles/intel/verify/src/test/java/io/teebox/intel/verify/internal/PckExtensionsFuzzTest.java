package io.teebox.intel.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.testing.Fuzzing;
import io.teebox.kit.x509.X509Authority;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1), which the verifier reads for FMSPC, PCE-ID and
 * the TCB: the input is the extension's value (its DER SEQUENCE), put into a certificate as the PCS would.
 * {@link PckExtensions#of} gives PPID (16 bytes), 16 TCB components, PCE SVN, CPUSVN (16), PCE-ID (2), FMSPC (6) and
 * the SGX type, or an {@link IllegalArgumentException} naming the missing or malformed part (its Javadoc's
 * contract), never another exception.
 */
class PckExtensionsFuzzTest {

    private static final KeyPair KEY = EcKeys.fromSeed("P-256", "teebox PCK extension fuzzing".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));
    private static final X509Authority CA = X509Authority.builder().subject("CN=Intel SGX PCK Platform CA")
            .keyPair(KEY).validity(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2049-01-01T00:00:00Z"))
            .ca(0).selfSigned();

    @FuzzTest
    void pckExtensionReadsOrRefusesNamingThePart(byte[] data) {
        X509Certificate pck = CA.issue().subject("CN=Intel SGX PCK Certificate").publicKey(KEY.getPublic())
                .validity(Instant.parse("2024-01-01T00:00:00Z"), Instant.parse("2049-01-01T00:00:00Z"))
                .extension(PckExtensions.OID_SGX, false, data).buildCertificate();
        PckExtensions p = Fuzzing.typed(() -> PckExtensions.of(pck), IllegalArgumentException.class);
        if (p == null) {
            return;
        }
        check("PPID, PCE-ID, FMSPC sizes", p.ppid().length == 16 && p.pceId().length == 2 && p.fmspc().length == 6);
        check("16 TCB components and a CPUSVN", p.tcbComponents().length == 16 && p.cpuSvn() != null
                && p.cpuSvn().length == 16);
        check("SGX type", p.sgxType() >= 0);
        check("SVNs in range", java.util.Arrays.stream(p.tcbComponents()).allMatch(c -> c >= 0 && c <= 255)
                && p.pceSvn() >= 0 && p.pceSvn() <= 0xFFFF);
    }
}
