package org.example.cca.rmm.internal;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeType;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.example.cca.rmm.Cca;
import org.example.cca.token.CcaToken;
import org.example.cca.token.CcaTokenVerifier;
import org.example.cca.token.RealmClaims;
import org.osgi.service.component.annotations.Component;

/**
 * The verifier half: appraises CCA attestation tokens with {@link CcaTokenVerifier}, trusting the CPAK public keys
 * a relying party names as roots (SubjectPublicKeyInfo DER, what the platform publishes under {@code "cpak"}), and
 * checks the reference values: {@code report_data} (the realm challenge, zero-padded to 64 bytes) and
 * {@code measurement} (the RIM). It needs nothing from the emulator: a relying party installs it alone.
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "=" + Cca.EVIDENCE_FORMAT)
@TeeType(Cca.TEE_TYPE)
public final class CcaVerifier implements EvidenceVerifier {

    @Override
    public String format() {
        return Cca.EVIDENCE_FORMAT;
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        List<Check> checks = new ArrayList<>();
        Map<String, Object> claims = new LinkedHashMap<>();
        if (!Cca.EVIDENCE_FORMAT.equals(evidence.format())) {
            checks.add(new Check("format", "evidence format '" + evidence.format() + "' is not " + Cca.EVIDENCE_FORMAT));
            return Appraisal.of(Cca.EVIDENCE_FORMAT, claims, checks, null);
        }
        byte[] expectedChallenge = null;
        String rd = options.referenceValues().get("report_data");
        if (rd != null) {
            try {
                byte[] asked = HexFormat.of().parseHex(rd);
                if (asked.length > 64) {
                    checks.add(new Check("report_data", "the reference report_data is " + asked.length
                            + " bytes; a realm challenge is 64"));
                } else {
                    expectedChallenge = Arrays.copyOf(asked, 64);
                }
            } catch (IllegalArgumentException e) {
                checks.add(new Check("report_data", "the reference report_data is not hex"));
            }
        }
        List<PublicKey> roots = new ArrayList<>();
        for (byte[] root : options.trustedRoots()) {
            try {
                roots.add(KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(root)));
            } catch (java.security.GeneralSecurityException | RuntimeException e) {
                // not a CPAK public key: it cannot be this platform's root
            }
        }
        CcaTokenVerifier.Result best = null;
        for (PublicKey cpak : roots) {
            CcaTokenVerifier.Result r = new CcaTokenVerifier().verify(evidence.report(), cpak, expectedChallenge);
            if (best == null || r.passed()) {
                best = r;
            }
            if (r.passed()) {
                break;
            }
        }
        if (best == null) {
            best = new CcaTokenVerifier().verify(evidence.report(), null, expectedChallenge);
            checks.add(new Check("cpak_signature", "no trusted CPAK public key: the platform token's signature "
                    + "cannot be checked"));
        }
 for (CcaTokenVerifier.Check c : best.checks()) {
            if (c.name().equals(CcaTokenVerifier.PLATFORM_SIGNATURE) && roots.isEmpty()) {
                continue; // named above
            }
            // the realm challenge is what teebox's appraisals call report_data (an instance-identity check)
            String name = c.name().equals(CcaTokenVerifier.REALM_CHALLENGE) ? "report_data"
                    : c.name().replace('-', '_');
            if (c.status() == CcaTokenVerifier.Status.SKIPPED) {
                continue; // not asked for (no expected challenge)
            }
            checks.add(c.passed() ? Check.passed(name, c.reason())
                    : new Check(name, c.reason().isBlank() ? c.name() + " failed" : c.reason().lines().findFirst()
                            .orElse(c.name() + " failed")));
        }
        Bytes nonce = null;
        if (best.token() != null) {
            CcaToken t = best.token();
            RealmClaims rc = t.realmClaims();
            nonce = Bytes.of(rc.challenge());
            claims.put("rim", Bytes.of(rc.initialMeasurement()));
            for (int i = 0; i < rc.extensibleMeasurements().size(); i++) {
                claims.put("rem" + i, Bytes.of(rc.extensibleMeasurements().get(i)));
            }
            claims.put("hash_algo", rc.hashAlgId());
            claims.put("rpv", Bytes.of(rc.personalizationValue()));
            if (rc.profile() != null) {
                claims.put("realm_profile", rc.profile());
            }
            claims.put("platform_profile", t.platformClaims().profile());
            claims.put("implementation_id", Bytes.of(t.platformClaims().implementationId()));
            claims.put("instance_id", Bytes.of(t.platformClaims().instanceId()));
            claims.put("lifecycle", (long) t.platformClaims().lifecycle());
            String m = options.referenceValues().get("measurement");
            if (m != null) {
                boolean same = m.equalsIgnoreCase(HexFormat.of().formatHex(rc.initialMeasurement()));
                checks.add(same ? Check.passed("measurement", "the RIM is the reference")
                        : new Check("measurement", "the RIM " + HexFormat.of().formatHex(rc.initialMeasurement())
                                + " is not the reference " + m));
            }
        }
        return Appraisal.of(Cca.EVIDENCE_FORMAT, claims, checks, nonce);
    }
}
