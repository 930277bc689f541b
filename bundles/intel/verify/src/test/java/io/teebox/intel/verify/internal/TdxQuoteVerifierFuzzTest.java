package io.teebox.intel.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.testing.Fuzzing;
import io.teebox.kit.testing.Fuzzing.Parts;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The TDX quote verifier as a whole, given any quote, any collateral and event log attachments, any instant, any
 * trusted roots and any reference values and policy: {@link TdxQuoteVerifier#verify} returns an appraisal and never
 * throws (the {@code EvidenceVerifier} contract); every failure names a check and a one-line reason; an accepted
 * appraisal is re-checked independently: the attestation key signed header and body, the QE report binds that key,
 * the PCK leaf's key signed the QE report, the chain ends at a trusted root, collateral was attached, a debug TD was
 * allowed by the policy, and the reference values hold.
 *
 * <p>Input ({@code Parts}): a format selector (even: the TDX format), the quote, the {@code collateral} attachment
 * and the {@code event_log} attachment (empty: none), the instant (u64 epoch seconds; empty: {@link TdxFixture#AT}),
 * a root count (mod 3) and that many roots (DER), then the reference values and the policy as {@code key=value}
 * lines. The verifier has no PCS: collateral comes only from the evidence.
 */
class TdxQuoteVerifierFuzzTest {

    private static final TdxQuoteVerifier VERIFIER = new TdxQuoteVerifier();

    static Evidence evidence(Parts in) {
        String format = in.u8() % 2 == 0 ? Tdx.EVIDENCE_FORMAT : "sev-snp-report";
        byte[] quote = in.next();
        Map<String, byte[]> attachments = new LinkedHashMap<>();
        byte[] collateral = in.next();
        if (collateral.length > 0) {
            attachments.put(Tdx.ATTACHMENT_COLLATERAL, collateral);
        }
        byte[] log = in.next();
        if (log.length > 0) {
            attachments.put(Tdx.ATTACHMENT_EVENT_LOG, log);
        }
        return new Evidence(format, quote, List.of(), attachments);
    }

    static Clock clock(byte[] seconds) {
        if (seconds.length == 0) {
            return TdxFixture.AT;
        }
        long s = 0;
        for (int i = Math.min(8, seconds.length) - 1; i >= 0; i--) {
            s = s << 8 | seconds[i] & 0xFF;
        }
        // keep it an instant java.time can hold: years 0 .. 9999
        s = Math.floorMod(s, 253_402_300_800L);
        return Clock.fixed(Instant.ofEpochSecond(s), ZoneOffset.UTC);
    }

    static Map<String, String> options(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf('=');
            if (eq >= 0) {
                out.put(line.substring(0, eq), line.substring(eq + 1));
            } else if (!line.isEmpty()) {
                out.put(line, "");
            }
        }
        return out;
    }

    @FuzzTest
    void verifierAlwaysGivesAnAppraisal(byte[] data) {
        Parts in = new Parts(data);
        Evidence e = evidence(in);
        Clock clock = clock(in.next());
        List<byte[]> roots = new ArrayList<>();
        int n = in.u8() % 3;
        for (int i = 0; i < n; i++) {
            roots.add(in.next());
        }
        VerificationOptions o = new VerificationOptions(clock, roots, options(in.text()), options(in.text()));
        Appraisal v = VERIFIER.verify(e, o);
        wellFormed(v);
        if (v.accepted()) {
            acceptedMeansGenuine(e, o);
            String status = String.valueOf(v.claim("tcb_status"));
            String allowed = o.policy().getOrDefault("allowed_tcb_status", "UpToDate");
            check("accepted: the TCB status " + status + " is allowed and not Revoked", !status.equals("Revoked")
                    && Arrays.stream(allowed.split(",")).map(String::trim).anyMatch(status::equals));
        }
    }

    /** Every appraisal: failures name a check and give a one-line reason. */
    static void wellFormed(Appraisal v) {
        check("an appraisal", v != null && v.failures() != null && v.claims() != null);
        v.failures().forEach(f -> {
            check("failures name a check and a reason: " + f, !f.check().isBlank() && !f.reason().isBlank());
            Fuzzing.checkMessage(new IllegalStateException(f.reason()));
        });
    }

    static void acceptedMeansGenuine(Evidence e, VerificationOptions o) {
        check("accepted evidence is TDX evidence", e.format().equals(Tdx.EVIDENCE_FORMAT));
        check("accepted evidence carried its collateral", e.attachments().containsKey(Tdx.ATTACHMENT_COLLATERAL));
        Quote q = Quote.parse(e.report());
        byte[] ak = q.attestationKey();
        PublicKey key = EcKeys.publicKey("P-256", new BigInteger(1, Arrays.copyOf(ak, 32)),
                new BigInteger(1, Arrays.copyOfRange(ak, 32, 64)));
        check("accepted: the attestation key signed header and body", jdkVerify(key, q.signedBytes(),
                q.signature()));
        Struct qe = q.qeReport();
        check("accepted: the QE report binds the attestation key", Arrays.equals(qe.bytes("REPORTDATA"),
                Arrays.copyOf(Digests.sha256(ak, q.qeAuthData()), 64)));
        List<X509Certificate> chain = X509Authority.certificatesFromPem(q.pckChainText());
        check("accepted: the PCK leaf signed the QE report", jdkVerify(chain.get(0).getPublicKey(), qe.toBytes(),
                q.qeReportSignature()));
        X509Certificate top = chain.get(chain.size() - 1);
        check("accepted: the chain ends in a trusted root", o.trustedRoots().stream().map(
                TdxQuoteVerifierFuzzTest::parsed).filter(Objects::nonNull).anyMatch(r -> r.getSubjectX500Principal()
                        .equals(top.getSubjectX500Principal()) && r.getPublicKey().equals(top.getPublicKey())));
        for (int i = 0; i + 1 < chain.size(); i++) {
            check("accepted: certificate " + i + " is signed by the next", signedBy(chain.get(i), chain.get(i + 1)));
        }
        Collateral c = Collateral.parse(new String(e.attachments().get(Tdx.ATTACHMENT_COLLATERAL),
                StandardCharsets.UTF_8));
        for (String[] doc : new String[][] {{c.tcbInfoIssuerChain(), c.tcbInfo()}, {c.qeIdentityIssuerChain(),
            c.qeIdentity()}}) {
            List<X509Certificate> signing = X509Authority.certificatesFromPem(doc[0]);
            byte[] sig = doc[1] == c.tcbInfo() ? c.tcbInfoSignature() : c.qeIdentitySignature();
            check("accepted: the TCB Signing key signed the collateral", jdkVerify(signing.get(0).getPublicKey(),
                    doc[1].getBytes(StandardCharsets.UTF_8), sig) && signedBy(signing.get(0), signing.get(1)));
            X509Certificate root = signing.get(signing.size() - 1);
            check("accepted: the collateral's chain ends in a trusted root", o.trustedRoots().stream().map(
                    TdxQuoteVerifierFuzzTest::parsed).filter(Objects::nonNull).anyMatch(r -> r
                            .getSubjectX500Principal().equals(root.getSubjectX500Principal()) && r.getPublicKey()
                            .equals(root.getPublicKey())));
        }
        Struct body = q.body();
        check("accepted: a debug TD only if allowed", !TdAttributes.isDebug(body.u64("TDATTRIBUTES"))
                || "true".equalsIgnoreCase(String.valueOf(o.policy().get("allow_debug")).trim()));
        String nonce = o.referenceValues().get("report_data");
        if (nonce != null) {
            byte[] want = Arrays.copyOf(io.teebox.kit.hex.Hex.decode(nonce.trim()), 64);
            check("accepted: the report data is the nonce", Arrays.equals(want, body.bytes("REPORTDATA")));
        }
    }

    /** ECDSA P-256 SHA-256 with the JDK's provider, not the one the verifier uses. */
    private static boolean jdkVerify(PublicKey key, byte[] data, byte[] raw) {
        try {
            java.security.Signature s = java.security.Signature.getInstance("SHA256withECDSA", "SunEC");
            s.initVerify(key);
            s.update(data);
            BigInteger[] rs = Signatures.fromRaw(raw);
            return s.verify(Signatures.toDer(rs[0], rs[1]));
        } catch (java.security.GeneralSecurityException | RuntimeException ex) {
            return false;
        }
    }

    private static X509Certificate parsed(byte[] der) {
        try {
            return X509Authority.certificateFromDer(der);
        } catch (IllegalArgumentException ex) {
            return null;
        }
    }

    private static boolean signedBy(X509Certificate c, X509Certificate issuer) {
        try {
            c.verify(issuer.getPublicKey(), "SunEC");
            return true;
        } catch (java.security.GeneralSecurityException | RuntimeException ex) {
            return false;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
