package io.teebox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeException;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.TdxGuest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;

/**
 * Intel TDX in a real Felix beside AMD SEV: a TD is built, measured and quoted, and its quote verifies against the
 * emulated Intel root through the DCAP verifier service; a host write to its private memory kills only that TD; the
 * tdx and sev bundles each swap without touching the other's guests; a TDX module update (a new TEE_TCB_SVN
 * configured) keeps the TD running and its next quote carries the new TCB.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class TdxIT extends TeeboxTestSupport {

    /** A private GPA in the built-in firmware's TD temporary memory, accepted at build time. */
    private static final long TD_DATA_GPA = 0x810000;
    private static final byte[] TD_DATA = "a TD's private data".getBytes(StandardCharsets.UTF_8);
    /** SEPT_VE_DISABLE, as production TDs run. */
    private static final long TD_ATTRIBUTES = 0x10000000L;
    /** The offset of TEE_TCB_SVN in a Quote v4 (header 48 + body 0). */
    private static final int TEE_TCB_SVN = 48;

    private LaunchResult launchTd(String name) {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig(name, "tdx", 1, "SPR", GUEST_MEMORY));
        return hv.launch(name, LaunchPlan.DEFAULT, guestOwner("tdx").prepare(new OwnerPolicy(TD_ATTRIBUTES, null,
                null, null, null, null, null, -1)));
    }

    private Appraisal verify(Evidence quote, Map<String, String> reference, Map<String, String> policy) {
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=tdx-quote-v4)");
        byte[] root = service(IntelPcs.class, null).rootCaCertificate();
        return verifier.verify(quote, new VerificationOptions(Clock.systemUTC(), List.of(root), reference, policy));
    }

    @Test
    public void aTdIsMeasuredQuotedAndItsQuoteVerifiesWithTheIntelRoot() throws Exception {
        Hypervisor hv = hypervisor();
        LaunchResult r = launchTd("td");
        assertEquals(GuestState.RUNNING, r.guest().state());
        assertEquals("HKID", r.guest().keySlot().kind());
        assertEquals("tdx-mrtd", r.measurement().format());
        byte[] mrtd = r.measurement().value();

        TdxGuest guest = hv.context("td").extension(TdxGuest.class).orElseThrow();
        byte[] event = MessageDigest.getInstance("SHA-384").digest("app v1".getBytes(StandardCharsets.US_ASCII));
        byte[] rtmr3 = guest.rtmrExtend(3, event, "app v1");

        byte[] nonce = "verifier's nonce".getBytes(StandardCharsets.US_ASCII);
        Evidence quote = hv.context("td").evidence(io.teebox.api.tee.Bytes.of(nonce));
        assertEquals("tdx-quote-v4", quote.format());
        HexFormat hex = HexFormat.of();
        Appraisal v = verify(quote, Map.of("mrtd", hex.formatHex(mrtd), "rtmr3", hex.formatHex(rtmr3)), Map.of());
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals("UpToDate", v.claim("tcb_status"));
        assertTrue(v.claims().toString(), v.claim("report_data").startsWith(hex.formatHex(nonce)));

        byte[] other = mrtd.clone();
        other[0] ^= 1;
        Appraisal wrong = verify(quote, Map.of("mrtd", hex.formatHex(other)), Map.of());
        assertFalse(wrong.accepted());
        assertTrue(wrong.failures().toString(), wrong.failures().stream().anyMatch(f -> f.check().equals("mrtd")));
    }

    @Test
    public void aHostWriteToPrivateMemoryKillsOnlyThatTd() {
        Hypervisor hv = hypervisor();
        launchTd("victim");
        launchTd("bystander");
        launchSevGuest("amd");
        hv.context("victim").write(TD_DATA_GPA, TD_DATA);
        hv.context("bystander").write(TD_DATA_GPA, TD_DATA);
        byte[] stored = hv.hostRead("victim", TD_DATA_GPA, TD_DATA.length);
        assertNoRunOf(TD_DATA, 4, stored, "the host view of the TD's page");

        hv.hostWrite("victim", TD_DATA_GPA, new byte[] {0});
        TeeException fatal = assertThrows(TeeException.class, () -> hv.context("victim").read(TD_DATA_GPA, 16));
        assertEquals("TDX_TD_FATAL", fatal.status().name());
        assertArrayEquals(TD_DATA, hv.context("bystander").read(TD_DATA_GPA, TD_DATA.length));
        assertTrue(indexOf(hv.context("amd").read(launchSecretAddress() & ~0xFFFL, 4096), SECRET) >= 0);
        hv.destroy("victim");
        launchTd("after");
        assertEquals(GuestState.RUNNING, hv.guest("after").state());
    }

    @Test
    public void tdxAndSevBackendsSwapWithoutTouchingEachOthersGuests() throws Exception {
        Hypervisor hv = hypervisor();
        launchSevGuest("amd");
        launchTd("td");
        hv.context("td").write(TD_DATA_GPA, TD_DATA);
        long amdPage = launchSecretAddress() & ~0xFFFL;
        byte[] amdMemory = hv.context("amd").read(amdPage, 4096);

        Bundle tdx = installedBundle("io.teebox.tdx");
        tdx.stop();
        await("TD PAUSED", () -> hv.guest("td").state() == GuestState.PAUSED);
        assertEquals(GuestState.RUNNING, hv.guest("amd").state());
        assertArrayEquals(amdMemory, hv.context("amd").read(amdPage, 4096));
        tdx.start();
        await("TD RUNNING", () -> hv.guest("td").state() == GuestState.RUNNING);
        assertArrayEquals(TD_DATA, hv.context("td").read(TD_DATA_GPA, TD_DATA.length));

        Bundle sev = installedBundle("io.teebox.sev");
        sev.stop();
        await("SEV guest PAUSED", () -> hv.guest("amd").state() == GuestState.PAUSED);
        assertEquals(GuestState.RUNNING, hv.guest("td").state());
        assertArrayEquals(TD_DATA, hv.context("td").read(TD_DATA_GPA, TD_DATA.length));
        sev.start();
        await("SEV guest RUNNING", () -> hv.guest("amd").state() == GuestState.RUNNING);
        assertArrayEquals(amdMemory, hv.context("amd").read(amdPage, 4096));

        Appraisal v = verify(hv.context("td").evidence(io.teebox.api.tee.Bytes.of(new byte[64])), Map.of(), Map.of());
        assertTrue(v.failures().toString(), v.accepted());
    }

    @Test
    public void aTdxModuleUpdateKeepsTheTdAndItsNextQuoteCarriesTheNewTcb() throws Exception {
        configure("io.teebox.intel.tdx", Map.of("teeTcbSvn", "03010200000000000000000000000000"));
        Hypervisor hv = hypervisor();
        awaitSteady("TDX module with TEE_TCB_SVN 03 01 02", () -> hv.backends().stream()
                .anyMatch(d -> d.teeType().equals("tdx")
                        && "03010200000000000000000000000000".equalsIgnoreCase(d.properties().get("TEE_TCB_SVN"))));
        launchTd("td");
        hv.context("td").write(TD_DATA_GPA, TD_DATA);
        Evidence before = hv.context("td").evidence(io.teebox.api.tee.Bytes.of(new byte[64]));
        assertEquals(3, before.report()[TEE_TCB_SVN]);
        Appraisal old = verify(before, Map.of(), Map.of());
        assertFalse("an out-of-date module is refused by default", old.accepted());
        assertEquals("OutOfDate", old.claim("tcb_status"));

        long handle = hv.guest("td").handle();
        configure("io.teebox.intel.tdx", Map.of("teeTcbSvn", "05010300000000000000000000000000"));
        awaitSteady("TDX module updated", () -> hv.backends().stream()
                .anyMatch(d -> d.teeType().equals("tdx")
                        && "05010300000000000000000000000000".equalsIgnoreCase(d.properties().get("TEE_TCB_SVN"))));
        await("TD RUNNING after the update", () -> hv.guest("td").state() == GuestState.RUNNING);
        assertEquals(handle, hv.guest("td").handle());
        assertArrayEquals(TD_DATA, hv.context("td").read(TD_DATA_GPA, TD_DATA.length));
        Evidence after = hv.context("td").evidence(io.teebox.api.tee.Bytes.of(new byte[64]));
        assertEquals(5, after.report()[TEE_TCB_SVN]);
        assertNotEquals(before.report()[TEE_TCB_SVN], after.report()[TEE_TCB_SVN]);
        Appraisal v = verify(after, Map.of(), Map.of());
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals("UpToDate", v.claim("tcb_status"));
        deleteConfiguration("io.teebox.intel.tdx");
    }

    /**
     * A TDX module update is an update of its own bundle: the TD pauses while the module is away and resumes on the
     * new revision with its memory intact, its next quote carries the new module TCB, and the PCS, the DCAP
     * verifier and the TD owner stay registered throughout (none of them is unregistered, not even for a moment).
     */
    @Test
    public void updatingTheTdxModuleBundleKeepsTheTdAndStopsNeitherThePcsNorTheVerifierNorTheOwner()
            throws Exception {
        Hypervisor hv = hypervisor();
        launchTd("td");
        hv.context("td").write(TD_DATA_GPA, TD_DATA);
        long handle = hv.guest("td").handle();
        assertEquals(5, hv.context("td").evidence(io.teebox.api.tee.Bytes.of(new byte[64])).report()[TEE_TCB_SVN]);

        String watched = "(|(objectClass=" + IntelPcs.class.getName() + ")(&(objectClass="
                + EvidenceVerifier.class.getName() + ")(evidence.format=tdx-quote-v4))(&(objectClass="
                + io.teebox.api.owner.GuestOwnerService.class.getName() + ")(tee.type=tdx)))";
        List<String> gone = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<String> backendEvents = new java.util.concurrent.CopyOnWriteArrayList<>();
        org.osgi.framework.ServiceListener stayers = e -> {
            if (e.getType() == org.osgi.framework.ServiceEvent.UNREGISTERING) {
                gone.add(String.valueOf(e.getServiceReference().getProperty("objectClass") instanceof String[] c
                        ? String.join(",", c) : ""));
            }
        };
        org.osgi.framework.ServiceListener backend = e -> backendEvents.add(e.getType()
                == org.osgi.framework.ServiceEvent.UNREGISTERING ? "gone" : "back");
        context.addServiceListener(stayers, watched);
        context.addServiceListener(backend, "(&(objectClass=" + io.teebox.api.tee.TeeBackend.class.getName()
                + ")(tee.type=tdx))");
        try {
            Bundle module = installedBundle("io.teebox.intel-tdx-module");
            // the new revision comes with a new module TCB (TEE_TCB_SVN 06 01 03), configured as the update lands
            configure("io.teebox.intel.tdx", Map.of("teeTcbSvn", "06010300000000000000000000000000"));
            update(module);
            // the update re-creates the module and the backend with the new configuration; under load (CI, two
            // cores) that has taken longer than the usual 10 s
            try {
                await("TDX module 06 01 03", () -> hv.backends().stream().anyMatch(d -> d.teeType().equals("tdx")
                        && "06010300000000000000000000000000".equalsIgnoreCase(d.properties().get("TEE_TCB_SVN"))),
                        30_000);
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; the backends show " + hv.backends().stream()
                        .map(d -> d.teeType() + " TEE_TCB_SVN " + d.properties().get("TEE_TCB_SVN")).toList()
                        + "; module bundle " + module.getState(), e);
            }
            await("TD RUNNING after the module update", () -> hv.guest("td").state() == GuestState.RUNNING);
            assertTrue("the backend went away with the module: " + backendEvents, backendEvents.contains("gone"));
            assertEquals(handle, hv.guest("td").handle());
            assertArrayEquals(TD_DATA, hv.context("td").read(TD_DATA_GPA, TD_DATA.length));
            Evidence after = hv.context("td").evidence(io.teebox.api.tee.Bytes.of(new byte[64]));
            assertEquals(6, after.report()[TEE_TCB_SVN]);
            Appraisal v = verify(after, Map.of(), Map.of("allowed_tcb_status", "UpToDate"));
            assertTrue(v.failures().toString(), v.accepted());
            assertEquals("no PCS, verifier or owner service was unregistered", List.of(), gone);
        } finally {
            context.removeServiceListener(stayers);
            context.removeServiceListener(backend);
            deleteConfiguration("io.teebox.intel.tdx");
        }
    }
}
