package io.teebox.amd.verify.internal;

import static io.teebox.kit.testing.Fuzzing.frame;
import static io.teebox.kit.testing.Fuzzing.utf8;

import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.abi.SevCertificate;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;

/**
 * Writes the seed inputs of {@link SevAttestationVerifierFuzzTest} (README beside them): evidence made the way
 * teebox's AMD Secure Processor makes it (self-signed OCA and CEK, a PEK signed by both, a PEK-signed report).
 * Not a test: run once from the module directory with the test classpath.
 */
public final class SevFuzzSeeds {

    private SevFuzzSeeds() {
    }

    static KeyPair key(String s) {
        return EcKeys.fromSeed("P-384", s.getBytes(StandardCharsets.UTF_8));
    }

    static void write(String name, Evidence e, List<byte[]> roots, String refs, String policy) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(new byte[] {0}, e.report(), new byte[] {(byte) e.certificates().size()}));
        e.certificates().forEach(c -> out.writeBytes(frame(c)));
        out.writeBytes(frame(new byte[] {(byte) roots.size()}));
        roots.forEach(r -> out.writeBytes(frame(r)));
        out.writeBytes(frame(utf8(refs), utf8(policy)));
        boolean accepted = new SevAttestationVerifier().verify(e, new VerificationOptions(
                SevAttestationVerifierFuzzTest.AT, roots, SevAttestationVerifierFuzzTest.options(refs),
                SevAttestationVerifierFuzzTest.options(policy))).accepted();
        System.out.println(name + ": " + (accepted ? "accepted" : "rejected"));
        Path dir = Path.of("src/test/resources/io/teebox/amd/verify/internal/SevAttestationVerifierFuzzTestInputs",
                "verifierAlwaysGivesAVerdict");
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), out.toByteArray());
    }

    public static void main(String[] args) throws IOException {
        KeyPair oca = key("fuzz oca");
        KeyPair cek = key("fuzz cek");
        KeyPair pek = key("fuzz pek");
        byte[] ocaCert = SevCertificate.create(SevCertificate.USAGE_OCA, SevCertificate.ALGO_ECDSA_SHA256,
                oca.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate()).bytes();
        byte[] cekCert = SevCertificate.create(SevCertificate.USAGE_CEK, SevCertificate.ALGO_ECDSA_SHA256,
                cek.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_CEK, cek.getPrivate()).bytes();
        byte[] pekCert = SevCertificate.create(SevCertificate.USAGE_PEK, SevCertificate.ALGO_ECDSA_SHA256,
                pek.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_OCA, oca.getPrivate())
                .sign(2, SevCertificate.USAGE_CEK, cek.getPrivate()).bytes();
        byte[] mnonce = "sixteen byte nnc".getBytes(StandardCharsets.US_ASCII);
        byte[] digest = new byte[32];
        digest[0] = 0x5A;
        byte[] report = SevAttestationReport.sign(mnonce, digest, 1, d -> Signatures.ecdsaSign(pek.getPrivate(),
                "SHA-256", d)).bytes();
        Evidence e = new Evidence(SevAttestationVerifier.FORMAT, report, List.of(pekCert, ocaCert, cekCert),
                Map.of());
        write("teebox-trusting-cek", e, List.of(cekCert), "launch_digest=" + Hex.encode(digest) + "\nreport_data="
                + Hex.encode(mnonce), "allow_debug=false");
        write("teebox-trusting-oca", e, List.of(ocaCert), "measurement=" + Hex.encode(digest), "");
        byte[] debug = SevAttestationReport.sign(mnonce, digest, 0, d -> Signatures.ecdsaSign(pek.getPrivate(),
                "SHA-256", d)).bytes();
        write("teebox-debug-guest", new Evidence(SevAttestationVerifier.FORMAT, debug, List.of(pekCert, ocaCert,
                cekCert), Map.of()), List.of(cekCert, ocaCert), "", "allow_debug=true");
    }
}
