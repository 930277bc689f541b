package io.teebox.tpm.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.appraisal.TrustClaim;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.Bytes;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.guest.internal.GuestTpmService;

/**
 * The vTPM verifier over evidence a real vTPM (tpm-guest over tpm-vtpm, in a guest memory held in an array) made;
 * the hardware part is a test format whose verifier reports the report data it was given, so that the chain's links
 * can be broken one at a time (the real SNP and TDX verifiers are in the Pax Exam tests).
 */
public class VtpmEvidenceVerifierTest {

    static final String HW = "test-hardware";
    static final byte[] NONCE = "the relying party's nonce".getBytes(StandardCharsets.US_ASCII);

    /** A hardware verifier: the report is the report data; it refuses when told to. */
    static final class TestHardware implements EvidenceVerifier {
        boolean refuse;

        @Override
        public String format() {
            return HW;
        }

        @Override
        public Appraisal verify(Evidence e, VerificationOptions o) {
            List<Check> checks = refuse ? List.of(new Check("signature", TrustClaim.INSTANCE_IDENTITY,
                    Tier.CONTRAINDICATED, "the report's signature does not verify")) : List.of(Check.passed(
                    "signature", "ok"));
            return Appraisal.of(HW, Map.of("measurement", "00"), checks, Bytes.of(e.report()));
        }
    }

    static byte[] evidence() {
        byte[] memory = new byte[4 << 20];
        GuestContext ctx = (GuestContext) Proxy.newProxyInstance(VtpmEvidenceVerifierTest.class.getClassLoader(),
                new Class<?>[] {GuestContext.class}, (p, m, a) -> switch (m.getName()) {
                    case "read" -> Arrays.copyOfRange(memory, (int) (long) a[0], (int) (long) a[0] + (int) a[1]);
                    case "write" -> {
                        byte[] d = (byte[]) a[1];
                        System.arraycopy(d, 0, memory, (int) (long) a[0], d.length);
                        yield null;
                    }
                    case "accept" -> 0L;
                    case "extension" -> Optional.empty();
                    case "measurements" -> RuntimeMeasurements.NONE;
                    case "evidence" -> new Evidence(HW, ((Bytes) a[0]).value(), List.of(), Map.of());
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        GuestInfo info = new GuestInfo("g", new GuestConfig("g", "sev-snp", 1, "EPYC-Milan", memory.length), null, 1,
                null, 0, 0, "");
        Hypervisor h = (Hypervisor) Proxy.newProxyInstance(VtpmEvidenceVerifierTest.class.getClassLoader(),
                new Class<?>[] {Hypervisor.class}, (p, m, a) -> m.getName().equals("context") ? ctx : info);
        PlatformState state = (PlatformState) Proxy.newProxyInstance(VtpmEvidenceVerifierTest.class
                .getClassLoader(), new Class<?>[] {PlatformState.class}, (p, m, a) -> new byte[(int) a[2]]);
        GuestTpm tpm = new GuestTpmService(h, state).of("g");
        byte[] d = new byte[32];
        d[0] = 9;
        tpm.extend(9, Map.of("sha256", d));
        return tpm.evidence(NONCE, new int[] {0, 7, 9});
    }

    private static final byte[] GOOD = evidence();

    private static Appraisal verify(byte[] evidence, TestHardware hw) {
        VtpmEvidenceVerifier v = new VtpmEvidenceVerifier();
        if (hw != null) {
            v.addVerifier(hw);
        }
        return v.verify(new Evidence(VtpmEvidenceVerifier.FORMAT, evidence, List.of(), Map.of()),
                new VerificationOptions(Clock.systemUTC(), List.of(), Map.of(), Map.of()));
    }

    private static String failures(Appraisal a) {
        return a.failures().toString();
    }

    private static byte[] edit(java.util.function.Consumer<JsonObject> change) {
        JsonObject o = JsonParser.parseString(new String(GOOD, StandardCharsets.UTF_8)).getAsJsonObject();
        change.accept(o);
        return o.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    public void theWholeChainAffirmsAndGivesTheClaims() {
        Appraisal a = verify(GOOD, new TestHardware());
        assertEquals(failures(a), Tier.AFFIRMING, a.status());
        assertEquals(HexFormat.of().formatHex(NONCE), a.nonce().orElseThrow().hex());
        assertEquals(64, a.claim("ak_pub_sha256").length());
        assertEquals(64, a.claim("ek_pub_sha256").length());
        assertEquals(64, a.claim("pcr9").length());
        assertEquals("00", a.claim("measurement"));
    }

    @Test
    public void aTamperedQuoteFailsItsSignature() {
        byte[] bad = edit(o -> {
            JsonObject q = o.getAsJsonObject("quote");
            byte[] m = Base64.getDecoder().decode(q.get("message").getAsString());
            m[m.length - 1] ^= 1;
            q.addProperty("message", Base64.getEncoder().encodeToString(m));
        });
        Appraisal a = verify(bad, new TestHardware());
        assertEquals(Tier.CONTRAINDICATED, a.status());
        assertTrue(failures(a), failures(a).contains("does not verify with HCLAkPub"));
    }

    @Test
    public void aChangedPcrValueDoesNotHashToTheQuote() {
        byte[] bad = edit(o -> o.getAsJsonObject("quote").getAsJsonObject("pcrs").addProperty("9",
                HexFormat.of().formatHex(new byte[32])));
        Appraisal a = verify(bad, new TestHardware());
        assertTrue(failures(a), failures(a).contains("do not hash to the quote's pcrDigest"));
        assertEquals(null, a.claims().get("pcr9"));
    }

    @Test
    public void runtimeClaimsTheHardwareDidNotBindAreRefused() {
        byte[] bad = edit(o -> {
            String c = new String(Base64.getDecoder().decode(o.get("runtime_claims").getAsString()),
                    StandardCharsets.UTF_8).replace("\"tpm-enabled\":true", "\"tpm-enabled\":false");
            o.addProperty("runtime_claims", Base64.getEncoder().encodeToString(c.getBytes(StandardCharsets.UTF_8)));
        });
        Appraisal a = verify(bad, new TestHardware());
        assertTrue(failures(a), failures(a).contains("is not the SHA-256 of the runtime claims"));
    }

    @Test
    public void theHardwareVerifiersRefusalAndAbsenceAreTheAppraisals() {
        TestHardware refusing = new TestHardware();
        refusing.refuse = true;
        Appraisal a = verify(GOOD, refusing);
        assertTrue(failures(a), failures(a).contains("hardware.signature"));
        Appraisal none = verify(GOOD, null);
        assertTrue(failures(none), failures(none).contains("no verifier of the hardware evidence's format"));
    }

    @Test
    public void malformedEvidenceIsAFailedCheckNotAnException() {
        Appraisal a = verify("{not json".getBytes(StandardCharsets.US_ASCII), new TestHardware());
        assertEquals(Tier.CONTRAINDICATED, a.status());
        assertTrue(failures(a), failures(a).contains("is not the JSON of format hcl-vtpm"));
        Appraisal log = verify(edit(o -> o.addProperty("event_log", Base64.getEncoder().encodeToString(new byte[] {
            1, 2, 3}))), new TestHardware());
        assertTrue(failures(log), failures(log).contains("the event log does not parse"));
    }
}
