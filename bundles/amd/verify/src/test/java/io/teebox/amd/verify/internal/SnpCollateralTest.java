package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.kds.testing.EmulatedKds;
import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.amd.testing.AmdVectors;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.api.testing.ServletHost;
import io.teebox.kit.x509.X509Authority;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;

/**
 * Evidence without its VCEK, chain or CRL gets them from the AMD collateral sources in ranking order, as a verifier
 * fetches them from AMD's KDS; a source that fails or answers with another ARK's collateral is passed over and
 * named; the appraisal says where the collateral came from.
 */
public class SnpCollateralTest {

    private static AmdSecureProcessor sp;
    private static ServletHost kds;
    private static Evidence full;
    private static Evidence bare;

    @BeforeClass
    public static void platform() throws Exception {
        sp = AmdPlatforms.processor(Map.of("chipSeed", "collateral-chip"));
        SnpPlatform snp = new SnpPlatform(sp);
        full = snp.attest(snp.launch(new MapGuestMemory(1), 1, 0x800F12, null).handle(), null, "n".getBytes());
        bare = new Evidence(full.format(), full.report(), List.of(), Map.of());
        kds = EmulatedKds.serve(sp);
    }

    @AfterClass
    public static void stop() throws Exception {
        kds.close();
    }

    private static KdsHttpSource http(String url) {
        return new KdsHttpSource(KdsHttpSourceTest.config(url, 2000));
    }

    private static Appraisal verify(Evidence e, Map<String, String> policy, CollateralSource... sources) {
        return new SnpReportVerifier(new CollateralSources(List.of(sources))).verify(e, new VerificationOptions(
                Clock.systemUTC(), List.of(X509Authority.toDer(sp.keys().ark())), Map.of(), policy));
    }

    /** A source that cannot be reached. */
    private static final CollateralSource DOWN = new CollateralSource() {
        @Override
        public Optional<Bytes> fetch(String kind, Map<String, String> key) {
            String down = "the KDS at https://mirror.invalid cannot be reached";
            throw new UncheckedIOException(down, new java.io.IOException(down));
        }

        @Override
        public String describe() {
            return "https://mirror.invalid";
        }
    };

    @Test
    public void aReportWithoutCertificatesGetsItsVcekChainAndCrlFromTheKds() {
        Appraisal v = verify(bare, Map.of("require_crl", "true"), http(kds.baseUrl()));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals("VCEK from " + kds.baseUrl() + "; ASK and ARK from " + kds.baseUrl() + "; CRL from "
                + kds.baseUrl(), v.claim("collateral"));
        assertTrue(v.claim("revocation"), v.claim("revocation").startsWith("checked against the CRL of ARK-Milan"));
        assertEquals("the same appraisal in-process", v.claim("revocation"), verify(bare, Map.of(),
                EmulatedKds.source(sp, kds)).claim("revocation"));
    }

    @Test
    public void withoutSourcesItIsTheChainFailureItWasAndEvidenceOfItsOwnNeedsNone() {
        Appraisal none = verify(bare, Map.of());
        assertFalse(none.accepted());
        assertTrue(none.failures().toString(), none.failures().stream().anyMatch(f -> f.check().equals("chain")
                && f.reason().contains("got 0")));
        Appraisal own = verify(full, Map.of("require_crl", "true"), DOWN);
        assertTrue(own.failures().toString(), own.accepted());
        assertNull("nothing was fetched", own.claim("collateral"));
        Evidence tableOnly = new Evidence(full.format(), full.report(), List.of(), Map.of("certificate-table",
                full.attachment("certificate-table"), "crl", full.attachment("crl")));
        Appraisal table = verify(tableOnly, Map.of("require_crl", "true"));
        assertTrue("the extended report's certificate table serves as the chain: " + table.failures(),
                table.accepted());
    }

    @Test
    public void aFailingSourceIsPassedOverAndNamed() {
        Appraisal v = verify(bare, Map.of(), DOWN, http(kds.baseUrl()));
        assertTrue(v.failures().toString(), v.accepted());
        assertTrue(v.claim("collateral"), v.claim("collateral").startsWith("VCEK from " + kds.baseUrl()));
        assertTrue(v.claim("collateral"), v.claim("collateral").contains("not from https://mirror.invalid: the KDS "
                + "at https://mirror.invalid cannot be reached"));
        Appraisal only = verify(bare, Map.of(), DOWN);
        assertFalse(only.accepted());
        assertTrue(only.claim("collateral"), only.claim("collateral").startsWith("none fetched; not from "));
    }

    @Test
    public void aCrlOfAnotherArkDoesNotCount() throws Exception {
        AmdSecureProcessor other = AmdPlatforms.processor(Map.of("chipSeed", "another machine"));
        other.keys().crl(); // its RSA-4096 roots take longer to make than the source waits
        ServletHost otherKds = EmulatedKds.serve(other);
        try {
            Evidence noCrl = new Evidence(full.format(), full.report(), full.certificates(), Map.of());
            Appraisal v = verify(noCrl, Map.of(), http(otherKds.baseUrl()));
            assertTrue(v.failures().toString(), v.accepted());
            assertTrue(v.claim("revocation"), v.claim("revocation").startsWith("not checked"));
            assertTrue(v.claim("collateral"), v.claim("collateral").contains("its CRL is not one the chain's ARK-Milan "
                    + "signed"));
            Appraisal required = verify(noCrl, Map.of("require_crl", "true"), http(otherKds.baseUrl()),
                    http(kds.baseUrl()));
            assertTrue("the next source's CRL is the chain's: " + required.failures(), required.accepted());
            assertTrue(required.claim("collateral"), required.claim("collateral").startsWith("CRL from "
                    + kds.baseUrl()));
        } finally {
            otherKds.close();
        }
    }

    @Test
    public void aVersion2ReportNamesNoProductSoThePolicyMust() {
        Evidence genuine = new Evidence(SnpReportVerifier.FORMAT, AmdVectors.milanReport(), List.of(), Map.of());
        Appraisal v = verify(genuine, Map.of("allow_debug", "true"), http(kds.baseUrl()));
        Check f = v.failures().stream().filter(c -> c.reason().contains("policy product")).findFirst().orElseThrow(
                () -> new AssertionError(v.failures().toString()));
        assertEquals("chain", f.check());
        Appraisal bad = verify(genuine, Map.of("allow_debug", "true", "product", "Rome"), http(kds.baseUrl()));
        assertTrue(bad.failures().toString(), bad.failures().stream().anyMatch(c -> c.check().equals("options")
                && c.reason().contains("'Rome'")));
        Appraisal milan = verify(genuine, Map.of("allow_debug", "true", "product", "Milan"), http(kds.baseUrl()));
        assertFalse("teebox's KDS does not know the genuine chip", milan.accepted());
        assertTrue(milan.claim("collateral"), milan.claim("collateral").startsWith("ASK and ARK from "));
    }
}
