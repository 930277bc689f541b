package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

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

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.spi.collateral.CollateralSource;

/**
 * The SNP verifier on the platform fetches what evidence lacks from the AMD collateral sources: the emulated KDS
 * from the start, and a KDS over HTTP once a configuration of factory pid {@code io.teebox.amd.kds.http} names one,
 * ranked as configured.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AmdCollateralIT extends TeeboxTestSupport {

    @Test
    public void bareEvidenceGetsItsChainFromTheKdsAndAConfiguredHttpKdsRanksFirst() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("bare", "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch("bare", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000, null, null,
                null, null, null, null, -1)));
        Evidence full = hv.context("bare").evidence(io.teebox.api.tee.Bytes.of(new byte[] {7}));
        Evidence bare = new Evidence(full.format(), full.report(), List.of(), Map.of());
        byte[] ark = backend("sev-snp").platformCertificates().get("ark");
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=sev-snp-report)");
        VerificationOptions trustArk = new VerificationOptions(Clock.systemUTC(), List.of(ark), Map.of(),
                Map.of("require_crl", "true"));
        String kds = service(CollateralSource.class, "(collateral.emulated=true)").describe();
        Appraisal fromEmulated = verifier.verify(bare, trustArk);
        assertTrue(fromEmulated.failures().toString(), fromEmulated.accepted());
        assertEquals("VCEK from " + kds + "; ASK and ARK from " + kds + "; CRL from " + kds,
                fromEmulated.claim("collateral"));

        // the same KDS again, over HTTP under another name and ranked above the in-process one
        String url = service(HttpEndpoint.class, null).baseUrl().replace("127.0.0.1", "localhost");
        org.osgi.service.cm.Configuration c = configAdmin.getFactoryConfiguration("io.teebox.amd.kds.http", "it",
                "?");
        Dictionary<String, Object> p = new Hashtable<>();
        p.put("url", url);
        p.put("service.ranking", 10);
        c.update(p);
        try {
            service(CollateralSource.class, "(&(collateral.vendor=amd)(!(collateral.emulated=true)))");
            await("the HTTP KDS is asked first", () -> verifier.verify(bare, trustArk).claim("collateral")
                    .startsWith("VCEK from " + url));
            assertTrue(verifier.verify(bare, trustArk).accepted());
        } finally {
            c.delete();
        }
    }
}
