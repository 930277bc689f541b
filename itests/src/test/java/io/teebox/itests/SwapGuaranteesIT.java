package io.teebox.itests;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.Version;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.TeeBackend;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.kit.hex.Hex;

/**
 * The swap guarantees, measured: with {@value #GUESTS} guests of each CPU TEE running and writer threads writing
 * their pages, each backend's bundle is updated from a different jar (built here from the installed one: a higher
 * Bundle-Version and a new firmware image in its manifest, installed with {@code Bundle.update(InputStream)}). For
 * each update: every guest resumes RUNNING, every page written before and during the update reads back as last
 * acknowledged, the next evidence carries the new firmware and verifies against the collateral of the new TCB, the
 * evidence from before still says the old TCB, and the key slots (ASIDs, HKIDs) in use are the same as before.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class SwapGuaranteesIT extends TeeboxTestSupport {

    private static final int GUESTS = 8;
    private static final int PAGES = 3;
    private static final long SNP_PAGE = 0x10_0000L;
    private static final long SEV_PAGE = 0x80_0000L;
    private static final long TD_PAGE = 0x81_0000L;
    /** The SNP report's REPORTED_TCB (SNP SPL is its byte 6 on Milan) and CURRENT_BUILD/MINOR/MAJOR. */
    private static final int SNP_REPORTED_TCB = 0x180;
    private static final int SNP_CURRENT_BUILD = 0x1E8;
    /** TEE_TCB_SVN and MRSEAM in a TD quote v4 (header 48 bytes, then the body). */
    private static final int TD_TEE_TCB_SVN = 48;
    private static final int TD_MRSEAM = 64;

    /** One backend under test: its guests, the bundle that is updated and the firmware header it gets. */
    private record Target(String tee, String bundle, String header, String newImage) {
        String guest(int i) {
            return tee + "-" + i;
        }

        long page(int p) {
            return (tee.equals("sev-snp") ? SNP_PAGE : tee.equals("tdx") ? TD_PAGE : SEV_PAGE) + 0x1000L * p;
        }
    }

    private static final List<Target> TARGETS = List.of(
            new Target("sev", "io.teebox.sev", "Teebox-Amd-Sp-Firmware", "1.55.22;snp-spl=9"),
            new Target("sev-es", "io.teebox.sev-es", "Teebox-Amd-Sp-Firmware", "1.55.23;snp-spl=10"),
            new Target("sev-snp", "io.teebox.sev-snp", "Teebox-Amd-Sp-Firmware", "1.56.2;snp-spl=11"),
            new Target("tdx", "io.teebox.intel-tdx-module", "Teebox-Tdx-Module",
                    "1.5.08;tee-tcb-svn=06010300000000000000000000000000"));

    /** The last acknowledged content of each page, by guest and GPA. */
    private final Map<String, byte[]> acknowledged = new ConcurrentHashMap<>();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    /** The TEE whose bundle is being updated, from the update's start until all its guests are RUNNING again. */
    private volatile String swapping = "";
    /** Counts the starts and ends of updates, so a write that spans a whole update is known to have seen one. */
    private final AtomicInteger swapEvents = new AtomicInteger();
    private final AtomicInteger refusedWhilePaused = new AtomicInteger();
    private final List<Throwable> writerErrors = new CopyOnWriteArrayList<>();

    @Test
    public void everyBackendUpdateFromANewJarKeepsGuestsAndPagesAndBringsTheNewTcb() throws Exception {
        // ASIDs for 8 SEV-ES + 8 SNP guests (1..16) and 8 SEV guests (17..40); no firmware value is configured, so
        // the bundles' images are in force
        configure("io.teebox.amd.sp", Map.of("maxAsid", 40, "minSevAsid", 17));
        Hypervisor hv = hypervisor();
        await("ASID limits", () -> backend("sev").descriptor().slots().get().first() == 17);
        for (Target t : TARGETS) {
            for (int i = 0; i < GUESTS; i++) {
                launch(hv, t, t.guest(i));
            }
        }
        List<Thread> writers = new ArrayList<>();
        for (Target t : TARGETS) {
            Thread w = new Thread(() -> write(hv, t), "writer " + t.tee());
            w.setDaemon(true);
            w.start();
            writers.add(w);
        }
        Map<String, String> pauses = new LinkedHashMap<>();
        try {
            await("every writer acknowledged a write to each of its guests", () -> TARGETS.stream().allMatch(
                    t -> acknowledged.keySet().stream().filter(k -> k.startsWith(t.tee() + "-")).count()
                            >= GUESTS));
            for (Target t : TARGETS) {
                pauses.put(t.tee(), swap(hv, t) + " ms");
            }
        } finally {
            writing.set(false);
            for (Thread w : writers) {
                w.join(5_000);
            }
        }
        assertEquals("writer errors", List.of(), writerErrors);
        assertTrue("writes were refused while guests were paused (the backends really went away)",
                refusedWhilePaused.get() > 0);
        // every page as last acknowledged, after all four updates
        for (Map.Entry<String, byte[]> e : acknowledged.entrySet()) {
            String[] k = e.getKey().split("@");
            assertArrayEquals("page " + e.getKey(), e.getValue(), hv.context(k[0]).read(Long.parseLong(k[1]),
                    e.getValue().length));
        }
        assertEquals(4 * GUESTS * PAGES, acknowledged.size());
        System.out.println("SwapGuaranteesIT pause until all " + GUESTS + " guests RUNNING: " + pauses);
        deleteConfiguration("io.teebox.amd.sp");
    }

    private void launch(Hypervisor hv, Target t, String name) {
        switch (t.tee()) {
            case "sev" -> launchSevGuest(name);
            case "sev-es" -> {
                hv.create(new GuestConfig(name, "sev-es", 1, "EPYC-Milan", GUEST_MEMORY));
                hv.launch(name, LaunchPlan.DEFAULT, guestOwner("sev-es").prepare(new OwnerPolicy(0x5, null, null,
                        null, null, null, null, -1)));
            }
            case "sev-snp" -> {
                hv.create(new GuestConfig(name, "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
                hv.launch(name, LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000, null,
                        null, null, null, null, null, -1)));
                for (int p = 0; p < PAGES; p++) {
                    assertEquals(0, hv.context(name).accept(t.page(p), true));
                }
            }
            default -> {
                hv.create(new GuestConfig(name, "tdx", 1, "SPR", GUEST_MEMORY));
                hv.launch(name, LaunchPlan.DEFAULT, guestOwner("tdx").prepare(new OwnerPolicy(0x10000000L, null,
                        null, null, null, null, null, -1)));
            }
        }
    }

    /** A guest's writes, round robin over its TEE's guests and pages; a write that returns is acknowledged. */
    private void write(Hypervisor hv, Target t) {
        long seq = 0;
        while (writing.get()) {
            for (int i = 0; i < GUESTS && writing.get(); i++) {
                for (int p = 0; p < PAGES; p++) {
                    String name = t.guest(i);
                    byte[] data = (name + " page " + p + " write " + seq++).getBytes(StandardCharsets.US_ASCII);
                    byte[] page = Arrays.copyOf(data, 64);
                    boolean swapBefore = swapping.equals(t.tee());
                    int eventsBefore = swapEvents.get();
                    try {
                        hv.context(name).write(t.page(p), page);
                        acknowledged.put(name + "@" + t.page(p), page);
                    } catch (RuntimeException e) {
                        if (!swapBefore && !swapping.equals(t.tee()) && swapEvents.get() == eventsBefore) {
                            writerErrors.add(new AssertionError(name + " refused a write outside its backend's "
                                    + "update", e));
                            return;
                        }
                        refusedWhilePaused.incrementAndGet();
                    }
                }
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * Updates the target's bundle from a new jar and checks the guarantees.
     *
     * @return the pause in ms: from the update's start until all the target's guests are RUNNING again
     */
    private long swap(Hypervisor hv, Target t) throws Exception {
        Bundle bundle = installedBundle(t.bundle());
        String oldImage = bundle.getHeaders().get(t.header());
        BackendDescriptor before = backend(t.tee()).descriptor();
        int slotsBefore = before.slots().get().inUse();
        Map<String, Integer> slotOf = new LinkedHashMap<>();
        for (int i = 0; i < GUESTS; i++) {
            slotOf.put(t.guest(i), hv.guest(t.guest(i)).keySlot().id());
        }
        Evidence old = hv.context(t.guest(0)).evidence(Bytes.of(nonce(t, 1)));

        Version next = new Version(bundle.getVersion().getMajor(), bundle.getVersion().getMinor(),
                bundle.getVersion().getMicro() + 1, "swap");
        byte[] jar = rewrittenJar(bundle, next, t.header(), t.newImage());
        List<String> backendEvents = new CopyOnWriteArrayList<>();
        ServiceListener l = e -> backendEvents.add(e.getType() == ServiceEvent.UNREGISTERING ? "gone" : "back");
        context.addServiceListener(l, "(&(objectClass=" + TeeBackend.class.getName() + ")(tee.type=" + t.tee()
                + "))");
        swapping = t.tee();
        swapEvents.incrementAndGet();
        long t0 = System.nanoTime();
        long pause;
        try {
            updateFrom(bundle, jar);
            await(t.tee() + " guests RUNNING after the update", () -> backendEvents.contains("gone")
                    && slotOf.keySet().stream().allMatch(g -> hv.guest(g).state() == GuestState.RUNNING), 30_000);
            pause = (System.nanoTime() - t0) / 1_000_000;
        } finally {
            context.removeServiceListener(l);
            swapping = "";
            swapEvents.incrementAndGet();
        }
        assertEquals(next, bundle.getVersion());
        assertEquals(t.newImage(), bundle.getHeaders().get(t.header()));
        assertNotEquals(oldImage, t.newImage());

        // the same key slots, none leaked or re-assigned
        BackendDescriptor after = backend(t.tee()).descriptor();
        assertEquals(t.tee() + " key slots in use", slotsBefore, after.slots().get().inUse());
        for (Map.Entry<String, Integer> e : slotOf.entrySet()) {
            assertEquals(e.getKey() + "'s key slot", e.getValue().intValue(), hv.guest(e.getKey()).keySlot().id());
        }
        Evidence fresh = hv.context(t.guest(GUESTS - 1)).evidence(Bytes.of(nonce(t, 2)));
        if (t.tee().equals("tdx")) {
            checkTdx(t, before, after, old, fresh);
        } else {
            checkAmd(t, before, after, old, fresh);
        }
        return pause;
    }

    private void checkAmd(Target t, BackendDescriptor before, BackendDescriptor after, Evidence old, Evidence fresh) {
        String[] image = t.newImage().split(";snp-spl=");
        int spl = Integer.parseInt(image[1]);
        FirmwareVersion fw = FirmwareVersion.parse(image[0]);
        assertEquals(fw, after.firmware());
        assertNotEquals(before.firmware(), after.firmware());
        assertEquals(Integer.valueOf(spl), after.tcb().components().get("SNP"));
        assertNotEquals(before.tcb(), after.tcb());
        // every AMD backend runs on the one secure processor: SEV-SNP's descriptor shows the same firmware
        assertEquals(fw, backend("sev-snp").descriptor().firmware());
        if (t.tee().equals("sev-snp")) {
            byte[] r = fresh.report();
            assertEquals("REPORTED_TCB's SNP SPL", spl, r[SNP_REPORTED_TCB + 6]);
            assertEquals("CURRENT_BUILD", fw.part(2), r[SNP_CURRENT_BUILD] & 0xFF);
            assertEquals("CURRENT_MINOR", fw.minor(), r[SNP_CURRENT_BUILD + 1] & 0xFF);
            assertEquals("CURRENT_MAJOR", fw.major(), r[SNP_CURRENT_BUILD + 2] & 0xFF);
            assertEquals("the report from before the update has the old SPL",
                    before.tcb().components().get("SNP").intValue(), old.report()[SNP_REPORTED_TCB + 6]);
            assertFalse("a new TCB, a new VCEK", Arrays.equals(old.certificates().get(0),
                    fresh.certificates().get(0)));
            EvidenceVerifier v = service(EvidenceVerifier.class, "(evidence.format=sev-snp-report)");
            byte[] ark = backend("sev-snp").platformCertificates().get("ark");
            String minimum = String.format("%016X", after.tcb().asLong());
            Appraisal ok = v.verify(fresh, new VerificationOptions(Clock.systemUTC(), List.of(ark), Map.of(),
                    Map.of("minimum_tcb", minimum)));
            assertTrue(ok.failures().toString(), ok.accepted());
            Appraisal stale = v.verify(old, new VerificationOptions(Clock.systemUTC(), List.of(ark), Map.of(),
                    Map.of("minimum_tcb", minimum)));
            assertFalse("the report from before the update is below the new minimum TCB", stale.accepted());
        } else {
            // SEV's ATTESTATION report carries no firmware version: the PEK that signs it chains to the CEK
            EvidenceVerifier v = service(EvidenceVerifier.class, "(evidence.format=sev-attestation)");
            byte[] cek = backend(t.tee()).platformCertificates().get("cek");
            Appraisal ok = v.verify(fresh, new VerificationOptions(Clock.systemUTC(), List.of(cek), Map.of(),
                    Map.of()));
            assertTrue(ok.failures().toString(), ok.accepted());
        }
    }

    private void checkTdx(Target t, BackendDescriptor before, BackendDescriptor after, Evidence old,
            Evidence fresh) {
        String[] image = t.newImage().split(";tee-tcb-svn=");
        byte[] svn = Hex.decode(image[1]);
        assertEquals(FirmwareVersion.parse(image[0]), after.firmware());
        assertNotEquals(before.firmware(), after.firmware());
        assertEquals(image[1], after.properties().get("TEE_TCB_SVN").toUpperCase());
        assertArrayEquals("the quote's TEE_TCB_SVN", svn, Arrays.copyOfRange(fresh.report(), TD_TEE_TCB_SVN,
                TD_TEE_TCB_SVN + 16));
        assertEquals("the quote from before the update has the old module SVN", 5, old.report()[TD_TEE_TCB_SVN]);
        assertFalse("a new module version, a new MRSEAM", Arrays.equals(
                Arrays.copyOfRange(old.report(), TD_MRSEAM, TD_MRSEAM + 48),
                Arrays.copyOfRange(fresh.report(), TD_MRSEAM, TD_MRSEAM + 48)));
        EvidenceVerifier v = service(EvidenceVerifier.class, "(evidence.format=tdx-quote-v4)");
        byte[] root = service(IntelPcs.class, null).rootCaCertificate();
        Appraisal ok = v.verify(fresh, new VerificationOptions(Clock.systemUTC(), List.of(root), Map.of(),
                Map.of("allowed_tcb_status", "UpToDate")));
        assertTrue(ok.failures().toString(), ok.accepted());
        assertEquals("UpToDate", ok.claim("tcb_status"));
    }

    private static byte[] nonce(Target t, int n) {
        return Arrays.copyOf(new byte[] {(byte) n}, t.tee().startsWith("sev") && !t.tee().equals("sev-snp") ? 16
                : 64);
    }

    /** The installed bundle's jar with its manifest's Bundle-Version and firmware header replaced. */
    static byte[] rewrittenJar(Bundle bundle, Version version, String header, String value) throws IOException {
        return io.teebox.tck.BundleJars.withHeaders(bundle, java.util.Map.of("Bundle-Version", version.toString(),
                header, value));
    }

    /** {@code Bundle.update(InputStream)}, tried again while Felix's global resolve lock is held elsewhere. */
    private static void updateFrom(Bundle bundle, byte[] jar) throws Exception {
        for (int attempt = 0;; attempt++) {
            try {
                bundle.update(new ByteArrayInputStream(jar));
                return;
            } catch (org.osgi.framework.BundleException e) {
                if (attempt >= 50 || !String.valueOf(e.getMessage()).contains("global lock")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }
}
