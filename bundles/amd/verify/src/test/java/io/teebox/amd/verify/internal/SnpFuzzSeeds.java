package io.teebox.amd.verify.internal;

import static io.teebox.kit.testing.Fuzzing.frame;
import static io.teebox.kit.testing.Fuzzing.utf8;

import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.amd.testing.AmdVectors;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed inputs of {@link SnpReportVerifierFuzzTest} into {@code src/test/resources} (README there). Not a
 * test: run once from the module directory with the test classpath.
 */
public final class SnpFuzzSeeds {

    private SnpFuzzSeeds() {
    }

    static byte[] seed(Evidence e, List<byte[]> roots, String refs, String policy) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(new byte[] {0}, e.report(), new byte[] {(byte) e.certificates().size()}));
        e.certificates().forEach(c -> out.writeBytes(frame(c)));
        out.writeBytes(frame(e.attachments().getOrDefault(SnpReportVerifier.ATTACHMENT_CRL, new byte[0]),
                new byte[] {(byte) roots.size()}));
        roots.forEach(r -> out.writeBytes(frame(r)));
        out.writeBytes(frame(utf8(refs), utf8(policy)));
        return out.toByteArray();
    }

    static void write(String name, byte[] data, Evidence e, List<byte[]> roots, String refs, String policy)
            throws IOException {
        boolean accepted = new SnpReportVerifier().verify(e, new VerificationOptions(SnpReportVerifierFuzzTest.AT,
                roots, SnpReportVerifierFuzzTest.options(refs), SnpReportVerifierFuzzTest.options(policy)))
                .accepted();
        System.out.println(name + ": " + (accepted ? "accepted" : "rejected"));
        Path dir = Path.of("src/test/resources/io/teebox/amd/verify/internal/SnpReportVerifierFuzzTestInputs",
                "verifierAlwaysGivesAVerdict");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
    }

    static void write(String name, Evidence e, List<byte[]> roots, String refs, String policy) throws IOException {
        write(name, seed(e, roots, refs, policy), e, roots, refs, policy);
    }

    public static void main(String[] args) throws IOException {
        Evidence genuine = GenuineSnpEvidenceTest.genuine();
        List<byte[]> genuineRoots = List.of(GenuineSnpEvidenceTest.genuineArk());
        write("genuine-milan", genuine, genuineRoots, "measurement=b07af9620f3b839b47996422ddec6058338951d984e31211"
                + "5131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01\nreport_data=" + Hex.encode(
                AmdVectors.GENUINE_REPORT_DATA) + "\nvmpl=0", "allow_debug=true\nminimum_tcb=0x4405000000000002");
        write("genuine-milan-debug-refused", genuine, genuineRoots, "", "");

        ForgedChain c = new ForgedChain();
        List<byte[]> forgedRoots = List.of(X509Authority.toDer(c.ark().certificate()));
        X509CRL crl = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.TO).build();
        write("forged-chain-accepted", c.evidence(), forgedRoots, "", "");
        write("forged-chain-with-crl", c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                X509Authority.toDer(crl))), forgedRoots, "vmpl=0", "require_crl=true");
        write("forged-chain-pem-crl", c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL,
                X509Authority.toPem(crl).getBytes(java.nio.charset.StandardCharsets.US_ASCII))), forgedRoots,
                "", "require_crl=true");

                AmdSecureProcessor sp = AmdPlatforms.processor(Map.of("chipSeed", "fuzz-seed-chip"));
        SnpPlatform snp = new SnpPlatform(sp);
        Evidence teebox = snp.attest(snp.launch(new MapGuestMemory(1), 1, 0x800F12, null).handle(),
                null, "fuzz-nonce".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        write("teebox-backend", teebox, List.of(X509Authority.toDer(sp.keys().ark())), "report_data="
                + Hex.encode("fuzz-nonce".getBytes(java.nio.charset.StandardCharsets.UTF_8)), "require_crl=true");
    }
}
