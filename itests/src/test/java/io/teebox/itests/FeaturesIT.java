package io.teebox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.OptionUtils.combine;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.Bytes;
import io.teebox.intel.pcs.IntelPcs;

/**
 * Features at run time: the project's descriptors (features/*.json, OSGi Features read by Felix's Feature Service)
 * installed and uninstalled from the distribution's repository while guests of each CPU TEE run. Uninstalling a
 * backend feature pauses its guests with their encrypted state kept (the secure processor and the TDX module hand
 * it to their next revision); installing it again resumes them, their memory reads back and their evidence verifies.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FeaturesIT extends TeeboxTestSupport {

    private static final String[] FEATURE_BUNDLES = {"org.osgi.util.converter", "jakarta.json-api", "parsson",
        "org.apache.felix.cm.json", "org.osgi.service.feature", "org.apache.felix.feature", "features"};

    @Override
    @org.ops4j.pax.exam.Configuration
    public Option[] configuration() {
        Option[] extra = new Option[FEATURE_BUNDLES.length];
        for (int i = 0; i < extra.length; i++) {
            extra[i] = bundle(bundleFile(FEATURE_BUNDLES[i]));
        }
        return combine(platform(), options(extra));
    }

    @Before
    public void theFeatureCommandsReadTheProjectsDescriptorsAndTheDistributionsRepository() throws Exception {
        File features = new File("../features").getCanonicalFile();
        File repository = new File("../distribution/target/repository").getCanonicalFile();
        assertTrue("the distribution's repository " + repository + " (built by the distribution module)",
                repository.isDirectory());
        configure("io.teebox.features", Map.of("directory", features.getPath(), "repositories",
                new String[] {repository.getPath()}));
        await("the feature commands on the configured directory", () -> {
            try {
                return text(gogo("feature:info amd", "feature")).contains(features.getPath());
            } catch (Exception e) {
                return false;
            }
        });
    }

    private static String text(Object result) {
        return result instanceof List<?> l ? String.join("\n", l.stream().map(String::valueOf).toList())
                : String.valueOf(result);
    }

    private static String line(String listing, String feature) {
        return listing.lines().filter(l -> l.startsWith(feature + " ")).findFirst().orElse("(no line for " + feature
                + ")");
    }

    @Test
    public void uninstallingABackendFeaturePausesItsGuestsAndInstallingItAgainResumesThemIntact() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("f-snp", "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch("f-snp", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000, null, null,
                null, null, null, null, -1)));
        launchSevGuest("f-sev");
        hv.create(new GuestConfig("f-td", "tdx", 1, "SPR", GUEST_MEMORY));
        hv.launch("f-td", LaunchPlan.DEFAULT, guestOwner("tdx").prepare(new OwnerPolicy(0x10000000L, null, null,
                null, null, null, null, -1)));
        byte[] page = "a page that outlives its firmware's bundles".getBytes(StandardCharsets.US_ASCII);
        for (String g : List.of("f-snp", "f-sev", "f-td")) {
            hv.context(g).accept(0x1000, true);
            hv.context(g).write(0x1000, page);
        }
        int asidsBefore = backend("sev-snp").descriptor().slots().orElseThrow().inUse();

        String listing = text(gogo("feature:list", "feature"));
        assertTrue(listing, line(listing, "amd").contains("installed"));
        assertTrue(listing, line(listing, "intel").contains("installed"));

        String out = text(gogo("feature:uninstall intel", "feature"));
        assertTrue(out, out.startsWith("feature intel uninstalled: 8 bundles removed"));
        assertNull("the TDX module's bundle is gone", bundleNamed("io.teebox.intel-tdx-module"));
        await("the TD paused", () -> hv.guest("f-td").state() == GuestState.PAUSED);
        assertEquals("the AMD guests run on", GuestState.RUNNING, hv.guest("f-snp").state());

        out = text(gogo("feature:uninstall amd", "feature"));
        assertTrue(out, out.startsWith("feature amd uninstalled: 10 bundles removed"));
        assertNull("the secure processor's bundle is gone", bundleNamed("io.teebox.amd-sp"));
        await("the AMD guests paused", () -> hv.guest("f-snp").state() == GuestState.PAUSED
                && hv.guest("f-sev").state() == GuestState.PAUSED);
        listing = text(gogo("feature:list", "feature"));
        assertTrue(listing, line(listing, "amd").contains("not installed"));
        assertTrue(listing, line(listing, "intel").contains("not installed"));

        out = text(gogo("feature:install amd", "feature"));
        assertTrue(out, out.startsWith("feature amd installed: 10 bundles active, 10 of them installed from"));
        out = text(gogo("feature:install intel", "feature"));
        assertTrue(out, out.startsWith("feature intel installed: 8 bundles active, 8 of them installed from"));
        Bundle sp = bundleNamed("io.teebox.amd-sp");
        assertTrue("the secure processor comes from the repository: " + sp.getLocation(),
                sp.getLocation().contains("distribution/target/repository"));
        for (String g : List.of("f-snp", "f-sev", "f-td")) {
            await(g + " RUNNING again", () -> hv.guest(g).state() == GuestState.RUNNING);
            assertArrayEquals(g + "'s page", page, hv.context(g).read(0x1000, page.length));
        }
        assertEquals("no ASID leaked or lost", asidsBefore, backend("sev-snp").descriptor().slots().orElseThrow().inUse());

        Evidence snp = hv.context("f-snp").evidence(Bytes.of(new byte[] {7}));
        byte[] ark = backend("sev-snp").platformCertificates().get("ark");
        Appraisal a = service(EvidenceVerifier.class, "(evidence.format=sev-snp-report)").verify(snp,
                new VerificationOptions(Clock.systemUTC(), List.of(ark), Map.of(), Map.of()));
        assertTrue(a.failures().toString(), a.accepted());
        Evidence td = hv.context("f-td").evidence(Bytes.of(new byte[64]));
        byte[] root = service(IntelPcs.class, null).rootCaCertificate();
        a = service(EvidenceVerifier.class, "(evidence.format=tdx-quote-v4)").verify(td,
                new VerificationOptions(Clock.systemUTC(), List.of(root), Map.of(), Map.of()));
        assertTrue(a.failures().toString(), a.accepted());
    }

    @Test
    public void wrongNamesDependentsMissingArtifactsAndTheConsoleItselfAreRefusedAndNothingChanges()
            throws Exception {
        int bundles = context.getBundles().length;
        String e = gogoFails("feature:install nosuch", "feature");
        assertTrue(e, e.startsWith("no feature 'nosuch' in ") && e.contains("amd") && e.contains("intel"));
        e = gogoFails("feature:uninstall attestation", "feature");
        assertTrue(e, e.contains("needed by installed feature(s)") && e.contains("kbs"));
        e = gogoFails("feature:uninstall core", "feature");
        assertTrue(e, e.contains("holds io.teebox.features, which runs this command"));
        // the example's bundle is not in the distribution's repository: nothing is installed
        e = gogoFails("feature:install arm-cca", "feature");
        assertTrue(e, e.contains("bundle org.example.cca:teebox-cca:1.0.0 is in no repository")
                && e.contains("org/example/cca/teebox-cca/1.0.0/teebox-cca-1.0.0.jar"));
        assertEquals("no bundle installed or removed", bundles, context.getBundles().length);
        String info = text(gogo("feature:info attestation", "feature"));
        assertTrue(info, info.contains("requires core, console"));
        assertTrue(info, info.contains("io.teebox:attestation-service:") && info.contains("ACTIVE"));
        assertFalse(info, info.contains("NOT INSTALLED"));
        assertTrue(text(gogo("feature:info kbs", "feature")), text(gogo("feature:info kbs", "feature"))
                .contains("requires core, attestation"));
    }

    private Bundle bundleNamed(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        return null;
    }
}
