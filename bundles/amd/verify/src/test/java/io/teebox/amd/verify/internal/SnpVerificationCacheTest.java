package io.teebox.amd.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.security.cert.X509CRL;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.kit.x509.X509Authority;

/**
 * The SNP verifier caches a verified VCEK/ASK/ARK chain, and never serves that verdict where it may not hold: past
 * the earliest expiry (the injected clock), under other trusted roots, with a CRL that now revokes the VCEK, or for a
 * chain with one byte changed.
 */
public class SnpVerificationCacheTest {

    private static final Instant JUNE = Instant.parse("2026-06-01T00:00:00Z");

    private static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    private static Appraisal verify(Evidence e, byte[] root, Clock clock) {
        return new SnpReportVerifier().verify(e, new VerificationOptions(clock, List.of(root), Map.of(), Map.of()));
    }

    private static byte[] root(ForgedChain c) {
        return X509Authority.toDer(c.ark().certificate());
    }

    private static Evidence withCrl(ForgedChain c, X509CRL crl) {
        return c.evidence(c.report(s -> { }), Map.of(SnpReportVerifier.ATTACHMENT_CRL, X509Authority.toDer(crl)));
    }

    private static List<String> reasons(Appraisal v, String check) {
        return v.failures().stream().filter(f -> f.check().equals(check)).map(Check::reason).toList();
    }

    @Test
    public void aVerifiedChainIsServedFromTheCacheWithinItsValidity() {
        ForgedChain c = new ForgedChain();
        Evidence e = c.evidence();
        assertTrue(verify(e, root(c), at(JUNE)).failures().toString(), verify(e, root(c), at(JUNE)).accepted());
        long hits = AmdChainCheck.CACHE.hits();
        Appraisal again = verify(e, root(c), at(JUNE.plusSeconds(3600)));
        assertTrue(again.failures().toString(), again.accepted());
        assertTrue("the second appraisal of the same chain is answered from the cache",
                AmdChainCheck.CACHE.hits() > hits);
    }

    @Test
    public void anExpiredEntryIsNotServed() {
        ForgedChain c = new ForgedChain();
        c.leafTo = Instant.parse("2026-07-01T00:00:00Z");
        Evidence e = c.evidence();
        assertTrue(verify(e, root(c), at(JUNE)).accepted());
        assertTrue(verify(e, root(c), at(JUNE)).accepted());
        Appraisal late = verify(e, root(c), at(Instant.parse("2026-07-01T00:00:01Z")));
        assertFalse(late.accepted());
        List<String> chain = reasons(late, "chain");
        assertEquals(late.failures().toString(), 1, chain.size());
        assertTrue(chain.get(0), chain.get(0).contains("'SEV-VCEK'") && chain.get(0).contains("expired"));
        // and before the latest notBefore, the cached verdict does not hold either
        ForgedChain young = new ForgedChain();
        young.leafFrom = Instant.parse("2026-05-01T00:00:00Z");
        Evidence y = young.evidence();
        assertTrue(verify(y, root(young), at(JUNE)).accepted());
        Appraisal early = verify(y, root(young), at(Instant.parse("2026-04-30T00:00:00Z")));
        assertTrue(early.failures().toString(), reasons(early, "chain").stream().anyMatch(r -> r.contains(
                "not yet valid")));
    }

    @Test
    public void otherTrustedRootsAreAMiss() {
        ForgedChain c = new ForgedChain();
        Evidence e = c.evidence();
        assertTrue(verify(e, root(c), at(JUNE)).accepted());
        Appraisal other = verify(e, X509Authority.toDer(c.ask().certificate()), at(JUNE));
        assertFalse(other.accepted());
        assertTrue(other.failures().toString(), reasons(other, "chain").stream().anyMatch(r -> r.contains(
                "'ARK-Milan'") && r.contains("none of the 1 trust anchors")));
    }

    @Test
    public void aVcekRevokedByANewCrlIsRejectedThoughItsChainWasCached() {
        ForgedChain c = new ForgedChain();
        X509CRL clean = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.TO).build();
        assertTrue(verify(withCrl(c, clean), root(c), at(JUNE)).accepted());
        assertTrue(verify(withCrl(c, clean), root(c), at(JUNE)).accepted());
        X509CRL revoking = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.TO).revoke(c.leaf(),
                Instant.parse("2025-01-01T00:00:00Z")).build();
        Appraisal v = verify(withCrl(c, revoking), root(c), at(JUNE));
        assertFalse(v.accepted());
        assertTrue(v.failures().toString(), reasons(v, "revocation").stream().anyMatch(r -> r.contains("'SEV-VCEK'")));
    }

    @Test
    public void aRevocationDatedLaterEndsTheCachedVerdictAtThatDate() {
        ForgedChain c = new ForgedChain();
        X509CRL later = c.ark().crl().validity(ForgedChain.FROM, ForgedChain.TO).revoke(c.leaf(),
                Instant.parse("2026-07-01T00:00:00Z")).build();
        Evidence e = withCrl(c, later);
        assertTrue(verify(e, root(c), at(JUNE)).failures().toString(), verify(e, root(c), at(JUNE)).accepted());
        Appraisal after = verify(e, root(c), at(Instant.parse("2026-07-02T00:00:00Z")));
        assertFalse(after.accepted());
        assertTrue(after.failures().toString(), reasons(after, "revocation").stream().anyMatch(r -> r.contains(
                "'SEV-VCEK'")));
    }

    @Test
    public void aCachedChainWithOneByteChangedIsAMissAndRejected() {
        ForgedChain c = new ForgedChain();
        Evidence e = c.evidence();
        assertTrue(verify(e, root(c), at(JUNE)).accepted());
        List<byte[]> certs = new ArrayList<>(e.certificates());
        for (int which = 0; which < 3; which++) {
            byte[] tampered = certs.get(which).clone();
            tampered[tampered.length - 1] ^= 1;   // inside the signature: still DER, no longer signed
            List<byte[]> changed = new ArrayList<>(certs);
            changed.set(which, tampered);
            Evidence t = new Evidence(e.format(), e.report(), changed, e.attachments());
            Appraisal v = verify(t, root(c), at(JUNE));
            assertFalse("certificate " + which + " tampered", v.accepted());
            assertTrue(v.failures().toString(), reasons(v, "chain").stream().anyMatch(r -> r.contains("signature")));
        }
        assertTrue(verify(e, root(c), at(JUNE)).accepted());
    }
}
