package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.intel.tdx.internal.TdxTesting;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The TDX verifier caches the verified PCK chain, CRL verdicts and the verified collateral, and never serves them
 * where they may not hold: past the collateral's nextUpdate (the injected clock), under other trusted roots, with
 * collateral whose CRL now revokes the PCK certificate, or with one byte of the cached collateral changed.
 */
public class TdxVerificationCacheTest {

    private static TdxFixture fixture;
    private static byte[] quote;
    private final TdxQuoteVerifier verifier = new TdxQuoteVerifier();

    @BeforeClass
    public static void platform() {
        fixture = new TdxFixture();
        quote = fixture.quoteV4();
    }

    private Appraisal verify(String collateral, byte[] root, Clock at) {
        return verifier.verify(TdxFixture.evidence(quote, collateral, null), new VerificationOptions(at,
                List.of(root), Map.of(), Map.of()));
    }

    private static List<String> reasons(Appraisal v, String check) {
        return v.failures().stream().filter(f -> f.check().equals(check)).map(Check::reason).toList();
    }

    @Test
    public void aVerifiedChainAndCollateralAreServedFromTheCache() {
        Appraisal first = verify(fixture.collateral(), fixture.root(), TdxFixture.AT);
        assertTrue(first.failures().toString(), first.accepted());
        long hits = DcapChain.CACHE.hits();
        Appraisal again = verify(fixture.collateral(), fixture.root(), TdxFixture.AT);
        assertTrue(again.failures().toString(), again.accepted());
        assertTrue("the second appraisal is answered from the cache", DcapChain.CACHE.hits() > hits);
    }

    @Test
    public void collateralPastItsNextUpdateIsNotServed() {
        assertTrue(verify(fixture.collateral(), fixture.root(), TdxFixture.AT).accepted());
        Appraisal late = verify(fixture.collateral(), fixture.root(), Clock.fixed(Instant.parse(
                "2026-07-01T00:00:01Z"), ZoneOffset.UTC));
        assertFalse(late.accepted());
        assertTrue(late.failures().toString(), reasons(late, "tcb_info").stream().anyMatch(r -> r.contains(
                "not at 2026-07-01T00:00:01Z")));
        assertTrue(late.failures().toString(), reasons(late, "crl").stream().anyMatch(r -> r.contains("not at")));
    }

    @Test
    public void otherTrustedRootsAreAMiss() {
        assertTrue(verify(fixture.collateral(), fixture.root(), TdxFixture.AT).accepted());
        byte[] otherRoot = TdxTesting.offlinePcs("another-intel", List.of(), Clock.fixed(TdxFixture.PCS_TIME,
                ZoneOffset.UTC)).rootCaCertificate();
        Appraisal v = verify(fixture.collateral(), otherRoot, TdxFixture.AT);
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), reasons(v, "pck_chain").stream().anyMatch(r -> r.contains(
                "trusted roots")));
        assertTrue(v.failures().toString(), reasons(v, "tcb_info_chain").stream().anyMatch(r -> r.contains(
                "trusted roots")));
    }

    @Test
    public void aPckRevokedByNewCollateralIsRejectedThoughItsChainWasCached() {
        assertTrue(verify(fixture.collateral(), fixture.root(), TdxFixture.AT).accepted());
        assertTrue(verify(fixture.collateral(), fixture.root(), TdxFixture.AT).accepted());
        String revoking = TdxTesting.offlinePcs(TdxTesting.INTEL_SEED, List.of(TdxTesting.ppid()), Clock.fixed(
                TdxFixture.PCS_TIME, ZoneOffset.UTC)).collateral(TdxTesting.fmspc());
        Appraisal v = verify(revoking, fixture.root(), TdxFixture.AT);
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), reasons(v, "revocation").stream().anyMatch(r -> r.contains(
                "PCK certificate")));
    }

    @Test
    public void cachedCollateralWithOneByteChangedIsAMissAndRejected() {
        assertTrue(verify(fixture.collateral(), fixture.root(), TdxFixture.AT).accepted());
        JsonObject c = JsonParser.parseString(fixture.collateral()).getAsJsonObject();
        String crl = c.get("pck_crl").getAsString();
        char last = crl.charAt(crl.length() - 1);
        c.addProperty("pck_crl", crl.substring(0, crl.length() - 1) + (last == '0' ? '1' : '0'));
        Appraisal v = verify(c.toString(), fixture.root(), TdxFixture.AT);
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), reasons(v, "crl").stream().anyMatch(r -> r.contains(
                "not issued and signed")));

        JsonObject t = JsonParser.parseString(fixture.collateral()).getAsJsonObject();
        String sig = t.get("tcb_info_signature").getAsString();
        t.addProperty("tcb_info_signature", (sig.charAt(0) == '0' ? "1" : "0") + sig.substring(1));
        Appraisal s = verify(t.toString(), fixture.root(), TdxFixture.AT);
        assertFalse(s.accepted());
        assertTrue(s.failures().toString(), !reasons(s, "tcb_info_signature").isEmpty());
        assertTrue(verify(fixture.collateral(), fixture.root(), TdxFixture.AT).accepted());
    }
}
