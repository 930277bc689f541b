package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.service.cm.Configuration;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.Bytes;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.spi.collateral.CollateralSource;

/**
 * Air-gapped verification: a collateral cache (factory pid {@code io.teebox.collateral.cache}) keeps what the
 * emulated Intel PCS answers while a TD quote is verified; with the cache switched to offline and the PCS bundle
 * stopped (no vendor service at all), the same quote still verifies from the files, and an empty offline directory
 * gives the verifier's own refusal.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class CollateralCacheIT extends TeeboxTestSupport {

    private Appraisal verify(EvidenceVerifier verifier, Evidence quote, byte[] root) {
        return verifier.verify(quote, new VerificationOptions(Clock.systemUTC(), List.of(root), Map.of(), Map.of()));
    }

    private Configuration cache(Path dir, String mode) throws Exception {
        Configuration c = configAdmin.createFactoryConfiguration("io.teebox.collateral.cache", "?");
        Dictionary<String, Object> d = new Hashtable<>();
        d.put("collateral.vendor", "intel");
        d.put("directory", dir.toString());
        d.put("mode", mode);
        c.update(d);
        // the one cache there is is this one: a deleted configuration's component goes asynchronously
        await("the collateral cache of " + dir + " in " + mode + " mode, alone", () -> {
            try {
                var all = context.getServiceReferences(CollateralSource.class, "(collateral.cache=true)");
                return all.size() == 1 && dir.toString().equals(all.iterator().next().getProperty("directory"))
                        && mode.equals(all.iterator().next().getProperty("mode"));
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        return c;
    }

    private static long files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".bin")).count();
        }
    }

    @Test
    public void aQuoteVerifiesFromCachedCollateralWithNoVendorServiceLeft() throws Exception {
        hypervisor().create(new GuestConfig("cached", "tdx", 1, "SPR", GUEST_MEMORY));
        hypervisor().launch("cached", LaunchPlan.DEFAULT, guestOwner("tdx").prepare(new OwnerPolicy(0x10000000L,
                null, null, null, null, null, null, -1)));
        Evidence quote = hypervisor().context("cached").evidence(Bytes.of(new byte[] {7}));
        byte[] root = service(IntelPcs.class, null).rootCaCertificate();
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=tdx-quote-v4)");
        Path dir = Files.createTempDirectory("teebox-collateral");
        Path empty = Files.createTempDirectory("teebox-collateral-empty");

        Configuration online = cache(dir, "cache");
        Appraisal first = verify(verifier, quote, root);
        assertTrue(first.failures().toString(), first.accepted());
        long kept = files(dir);
        assertTrue("the cache kept the PCS's answers: " + kept, kept >= 2);

        online.delete();
        Configuration offline = cache(dir, "offline");
        Bundle pcs = installedBundle("io.teebox.intel-pcs");
        pcs.stop();
        try {
            await("no vendor collateral source but the cache", () -> {
                try {
                    return context.getServiceReferences(CollateralSource.class, "(&(collateral.vendor=intel)"
                            + "(!(collateral.cache=true)))").isEmpty();
                } catch (org.osgi.framework.InvalidSyntaxException e) {
                    throw new IllegalStateException(e);
                }
            });
            Appraisal fromFiles = verify(verifier, quote, root);
            assertTrue(fromFiles.failures().toString(), fromFiles.accepted());
            assertEquals(first.claim("tcb_status"), fromFiles.claim("tcb_status"));
            assertEquals("nothing was fetched offline", kept, files(dir));

            offline.delete();
            Configuration none = cache(empty, "offline");
            Appraisal nothing = verify(verifier, quote, root);
            assertFalse("an empty offline cache gave collateral", nothing.accepted());
            assertEquals(0, files(empty));
            none.delete();
        } finally {
            pcs.start();
        }
    }
}
