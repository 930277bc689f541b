package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.spi.collateral.CollateralSource;
import java.time.Clock;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The DCAP verifier on the platform fetches the collateral a bare quote lacks from the Intel collateral sources: the
 * emulated PCS from the start, and a PCS over HTTP once a configuration of factory pid
 * {@code io.teebox.intel.pcs.http} names one, ranked as configured.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class IntelCollateralIT extends TeeboxTestSupport {

    @Test
    public void aBareQuoteGetsItsCollateralFromThePcsAndAConfiguredHttpPcsRanksFirst() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("bare-td", "tdx", 1, "SPR", GUEST_MEMORY));
        hv.launch("bare-td", LaunchPlan.DEFAULT, guestOwner("tdx").prepare(new OwnerPolicy(0x10000000L, null, null,
                null, null, null, null, -1)));
        Evidence full = hv.context("bare-td").evidence(io.teebox.api.tee.Bytes.of(new byte[] {7}));
        // the quote alone: its certification data carries the PCK chain, nothing else comes with it
        Evidence bare = new Evidence(full.format(), full.report(), List.of(), Map.of());
        byte[] root = service(IntelPcs.class, null).rootCaCertificate();
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=tdx-quote-v4)");
        VerificationOptions trustRoot = new VerificationOptions(Clock.systemUTC(), List.of(root), Map.of(), Map.of());
        String pcs = service(CollateralSource.class, "(&(collateral.vendor=intel)(collateral.emulated=true))")
                .describe();
        Appraisal fromEmulated = verifier.verify(bare, trustRoot);
        assertTrue(fromEmulated.failures().toString(), fromEmulated.accepted());
        assertEquals(pcs, fromEmulated.claim("collateral"));
        assertEquals("UpToDate", fromEmulated.claim("tcb_status"));

        // the same PCS again, over HTTP under another name and ranked above the in-process one
        String url = service(HttpEndpoint.class, null).baseUrl().replace("127.0.0.1", "localhost");
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration("io.teebox.intel.pcs.http", "it",
                "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("url", url);
        p.put("service.ranking", 10);
        c.update(p);
        try {
            String http = service(CollateralSource.class, "(&(collateral.vendor=intel)(!(collateral.emulated=true)))")
                    .describe();
            assertTrue(http, http.startsWith("http://localhost:"));
            await("the HTTP PCS is asked first", () -> http.equals(verifier.verify(bare, trustRoot)
                    .claim("collateral")));
            Appraisal fromHttp = verifier.verify(bare, trustRoot);
            assertTrue(fromHttp.failures().toString(), fromHttp.accepted());
            assertEquals("UpToDate", fromHttp.claim("tcb_status"));
        } finally {
            c.delete();
        }
        await("the emulated PCS again once the HTTP one is gone", () -> pcs.equals(verifier.verify(bare, trustRoot)
                .claim("collateral")));
    }
}
