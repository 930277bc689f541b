package io.teebox.tck;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.junit.Assume.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.junit.After;
import org.junit.Test;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.HostAccessOutcome.Effect;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeKind;

/**
 * The contract every CPU TEE backend passes, built-in or third-party. A backend's integration test extends this
 * class, runs in a framework with the teebox core and the backend, and returns its {@link ContractSubject}:
 *
 * <pre>
 * &#64;RunWith(PaxExam.class)
 * public class MyBackendContractIT extends BackendContract {
 *     &#64;Inject BundleContext context;
 *     &#64;Configuration public Option[] config() { ... the core bundles and mine ... }
 *     &#64;Override protected ContractSubject subject() {
 *         return new OsgiSubject(context, "my-tee") {
 *             public List&lt;byte[]&gt; trustedRoots() { return List.of(myVendorRoot()); }
 *         };
 *     }
 * }
 * </pre>
 *
 * <p>What it checks, with the backend's guests launched through the hypervisor with the backend's own launch
 * defaults and the built-in firmware: each page type the launch service declares launches and decrypts to what was
 * placed, the others are refused; the firmware's state machine refuses out-of-order commands; a launch measures
 * what the guest owner recomputes and any other expected digest is rejected; evidence for a challenge verifies with
 * the verifier of its format and every tamper of it (its bytes, its certificates, the roots, the challenge) is
 * rejected with a reason; host reads, writes and remaps of private memory have the outcomes the backend declares;
 * a paused guest refuses every guest call with {@code INVALID_GUEST_STATE}; guests survive a stop and an update of
 * the backend's bundle with their memory intact; a guest destroyed while the backend is offline frees its key slot
 * when the backend returns; the exit protocol carries MMIO to the host and back, and on x86 answers CPUID with the
 * vendor's identity. Nothing in it assumes x86 but the CPUID test, which other architectures skip.
 */
public abstract class BackendContract {

    private static final int PAGE = MemoryEncryption.PAGE_SIZE;
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The guests this test created, destroyed after it. */
    private final List<String> created = new ArrayList<>();

    /** @return the backend under contract */
    protected abstract ContractSubject subject();

    /** Destroys the guests the test created (and restarts nothing: every test leaves the backend running). */
    @After
    public final void destroyContractGuests() {
        Hypervisor hv = subject().hypervisor();
        for (String g : created) {
            try {
                hv.destroy(g);
            } catch (RuntimeException e) {
                // already destroyed by the test
            }
        }
        created.clear();
    }

    // ---- the contract ---------------------------------------------------------------------------------------------

    /** The descriptor names the backend by its service type and describes its slots and defaults consistently. */
    @Test
    public void theDescriptorDescribesTheBackendRegisteredUnderItsType() {
        ContractSubject s = subject();
        BackendDescriptor d = s.backend().descriptor();
        assertEquals("descriptor tee type", s.teeType(), d.teeType());
        assertFalse("vendor", d.vendor().isBlank());
        assertFalse("product", d.product().isBlank());
        assertFalse("architecture", d.architecture().isBlank());
        assertFalse("firmware version", d.firmware().parts().isEmpty());
        assertTrue("the hypervisor lists the backend",
                s.hypervisor().backends().stream().anyMatch(b -> b.teeType().equals(s.teeType())));
        if (d.kind() == TeeKind.CPU) {
            assertFalse("a CPU TEE names its default vCPU model", d.defaults().vcpuModel().isBlank());
            assertTrue("the default vCPU model is allowed", d.defaults().allows(d.defaults().vcpuModel()));
            assertFalse("an unknown vCPU model is not allowed", d.defaults().allows("no-such-cpu-model-v9"));
        }
        d.slots().ifPresent(slots -> {
            assertTrue("key slots: " + slots, slots.capacity() > 0);
            assertTrue("key slots in use: " + slots, slots.inUse() >= 0 && slots.inUse() <= slots.capacity());
            KeySlotLimits engine = s.memoryEncryption().limits();
            assertEquals("the memory engine's slots are the descriptor's", slots.capacity(), engine.capacity());
        });
        Set<PageType> types = s.launchService().pageTypes();
        assertTrue("every TEE measures normal pages: " + types, types.contains(PageType.NORMAL));
    }

    /**
     * Each page type the launch service declares enters the guest as the type says (normal and unmeasured pages
     * decrypt to what the host placed, zero pages to zeros); every other type, and every command out of order, is
     * refused with the vendor's status and leaves the launch usable.
     */
    @Test
    public void everyDeclaredPageTypeLaunchesAndTheFirmwareRefusesTheRestAndOutOfOrderCommands() {
        ContractSubject s = subject();
        assumeCpu(s);
        BackendDescriptor d = s.backend().descriptor();
        LaunchService launch = s.launchService();
        MemoryEncryption engine = s.memoryEncryption();
        Set<PageType> types = launch.pageTypes();
        int slotsBefore = slotsInUse(s);
        GuestConfig config = config(s, name(s, "pages"));
        LaunchRequest request = s.owner().prepare(policy(s)).start(d, s.backend().platformCertificates(), config);
        ContractMemory memory = new ContractMemory(config.vcpus());
        LaunchSession session = launch.begin(request, memory);
        Map<PageType, Long> placed = new EnumMap<>(PageType.class);
        Map<PageType, byte[]> contents = new EnumMap<>(PageType.class);
        try {
            assertNotNull("a launch has a key slot", session.keySlot());
            long gpa = 1L << 20;
            for (PageType type : PageType.values()) {
                byte[] content = type == PageType.SECRETS || type == PageType.CPUID ? new byte[PAGE]
                        : pattern(type.name());
                memory.writePage(gpa, content);
                int logged = session.log().size();
                if (types.contains(type)) {
                    session.addPages(gpa, PAGE, type);
                    assertTrue(type + " page: the firmware logs its command", session.log().size() > logged);
                    placed.put(type, gpa);
                    contents.put(type, content);
                } else {
                    long at = gpa;
                    refused(type + " page, not among " + types, () -> session.addPages(at, PAGE, type));
                }
                gpa += PAGE;
            }
            long unaligned = gpa + 1;
            refused("a page at an unaligned address", () -> session.addPages(unaligned, PAGE, PageType.NORMAL));
            if (d.has(Capability.REGISTER_ENCRYPTION)) {
                session.addVcpuState(0);
            }
            Measurement m = session.measure();
            // SEV returns MEASURE || MNONCE, TDX MRTD; SNP reveals its digest only in reports (empty here)
            assertFalse("measurement format", m.format().isBlank());
            long after = gpa;
            refused("a page after the launch was measured", () -> session.addPages(after, PAGE, PageType.NORMAL));
            refused("a second measurement", session::measure);
            session.finish();
            LaunchLogEntry last = session.log().get(session.log().size() - 1);
            assertTrue("the last command succeeded: " + last, last.status().isSuccess());

            for (Map.Entry<PageType, Long> e : placed.entrySet()) {
                PageType type = e.getKey();
                long at = e.getValue();
                byte[] stored = memory.readPage(at);
                byte[] plain = engine.decryptPage(session.keySlot(), memory.hostPhysicalAddress(at), stored);
                switch (type) {
                    case NORMAL, UNMEASURED -> assertArrayEquals(type + " page decrypts to what the host placed",
                            contents.get(type), plain);
                    case ZERO -> assertArrayEquals("a ZERO page decrypts to zeros", new byte[PAGE], plain);
                    default -> {
                        // the firmware fills secrets and checks CPUID pages: their contents are the vendor's
                    }
                }
                if (d.has(Capability.MEMORY_ENCRYPTION) && (type == PageType.NORMAL || type == PageType.UNMEASURED)) {
                    assertFalse(type + " page: the host stores ciphertext, not the plaintext",
                            Arrays.equals(contents.get(type), stored));
                }
            }
        } finally {
            try {
                launch.deactivate(session.handle());
            } catch (TeeException e) {
                // a TEE without a separate deactivation
            }
            launch.decommission(session.handle());
        }
        assertEquals("key slots in use after DECOMMISSION", slotsBefore, slotsInUse(s));
        TeeException gone = assertThrows("the firmware has no such guest after DECOMMISSION", TeeException.class,
                () -> launch.status(session.handle()));
        oneLine(gone);
    }

    /**
     * A launch measures what the guest owner recomputes from the firmware it expects: the evidence of the running
     * guest verifies against the owner's digest and not against any other. An owner expecting another digest at
     * launch (with an ID block where the TEE takes one) has the launch refused, by itself or by the firmware; the
     * guest is terminated and its key slot returns on destroy.
     */
    @Test
    public void aLaunchMeasuresWhatTheOwnerRecomputesAndAnyOtherDigestIsRejected() {
        ContractSubject s = subject();
        assumeCpu(s);
        Hypervisor hv = s.hypervisor();
        String good = name(s, "measured");
        LaunchResult r = launch(s, good);
        assertEquals(GuestState.RUNNING, r.guest().state());
        assertNotNull("a launched guest has a key slot", hv.guest(good).keySlot());
        assertTrue("the hypervisor keeps the measurement", hv.measurement(good).isPresent());
        assertFalse("the launch log", r.log().isEmpty());

        GuestOwnerService owner = s.owner();
        OwnerPolicy p = policy(s);
        byte[] expected = owner.expectedDigest(p, 1, vcpuModel(s));
        assertTrue("the owner's digest", expected.length >= 16);
        byte[] wrong = expected.clone();
        wrong[wrong.length - 1] ^= 1;
        byte[] nonce = random(16);
        evidence(s, good, nonce).ifPresent(e -> {
            Map<String, String> refs = new java.util.LinkedHashMap<>(s.referenceValues(Bytes.of(nonce)));
            refs.putAll(s.measurementReference(expected));
            Appraisal a = appraise(s, e, refs);
            assertTrue("the evidence shows the digest the owner recomputed: " + a.failures(), a.accepted());
            refs.putAll(s.measurementReference(wrong));
            rejected("evidence appraised against another digest", s, e, refs);
        });

        OwnerPolicy wrongPolicy = new OwnerPolicy(p.policy(), null, null, null, null, wrong, null, -1, true);
        int before = slotsInUse(s);
        String bad = create(s, name(s, "rejected"));
        RuntimeException e = assertThrows("an owner expecting another digest has the launch refused",
                RuntimeException.class, () -> hv.launch(bad, LaunchPlan.DEFAULT, owner.prepare(wrongPolicy)));
        assertTrue("refused by the owner or the firmware, not " + e,
                e instanceof LaunchRejectedException || e instanceof TeeException);
        oneLine(e);
        assertEquals("a refused launch terminates the guest", GuestState.TERMINATED, hv.guest(bad).state());
        hv.destroy(bad);
        assertEquals("key slots in use after destroying the refused guest", before, slotsInUse(s));
    }

    /**
     * Evidence a running guest asks for with a challenge verifies with the verifier of its format and the relying
     * party's roots, and binds the challenge. A backend without runtime attestation refuses with a TEE status.
     */
    @Test
    public void evidenceForAChallengeVerifiesWithTheVerifierOfItsFormat() {
        ContractSubject s = subject();
        assumeCpu(s);
        String g = name(s, "evidence");
        launch(s, g);
        byte[] nonce = random(16);
        Optional<Evidence> e = evidence(s, g, nonce);
        if (e.isEmpty()) {
            return;
        }
        Appraisal a = appraise(s, e.get(), s.referenceValues(Bytes.of(nonce)));
        assertTrue("fresh evidence is accepted: " + a.failures(), a.accepted());
        assertFalse("the appraisal lists its checks", a.checks().isEmpty());
        assertTrue("the appraisal carries the challenge", a.nonce().isPresent());
        byte[] bound = a.nonce().get().value();
        assertTrue("the challenge is bound", bound.length >= nonce.length
                && Arrays.equals(Arrays.copyOf(bound, nonce.length), nonce));
        for (int i = nonce.length; i < bound.length; i++) {
            assertEquals("report data beyond the challenge is zero", 0, bound[i]);
        }
    }

    /**
     * Every tamper of evidence is rejected with a reason, and none throws: bits flipped across the whole report, a
     * truncated report, each certificate changed, no trusted roots, a replayed challenge.
     */
    @Test
    public void everyTamperOfTheEvidenceIsRejectedWithAReason() {
        ContractSubject s = subject();
        assumeCpu(s);
        String g = name(s, "tamper");
        launch(s, g);
        byte[] nonce = random(16);
        Optional<Evidence> maybe = evidence(s, g, nonce);
        if (maybe.isEmpty()) {
            return;
        }
        Evidence e = maybe.get();
        Map<String, String> refs = s.referenceValues(Bytes.of(nonce));
        assertTrue("baseline accepted", appraise(s, e, refs).accepted());

        byte[] report = e.report();
        int positions = Math.min(report.length, 192);
        for (int k = 0; k < positions; k++) {
            int at = (int) ((long) k * report.length / positions);
            byte[] t = report.clone();
            t[at] ^= (byte) (1 << (k % 8));
            rejected("report bit " + (k % 8) + " of byte " + at + " flipped",
                    s, new Evidence(e.format(), t, e.certificates(), e.attachments()), refs);
        }
        byte[] last = report.clone();
        last[last.length - 1] ^= (byte) 0x80;
        rejected("the report's last byte changed", s, new Evidence(e.format(), last, e.certificates(),
                e.attachments()), refs);
        rejected("the report cut in half", s, new Evidence(e.format(), Arrays.copyOf(report, report.length / 2),
                e.certificates(), e.attachments()), refs);
        rejected("an empty report", s, new Evidence(e.format(), new byte[0], e.certificates(), e.attachments()),
                refs);
        List<byte[]> certs = e.certificates();
        for (int i = 0; i < certs.size(); i++) {
            List<byte[]> t = new ArrayList<>(certs);
            byte[] c = t.get(i).clone();
            c[c.length / 2] ^= 0x01;
            t.set(i, c);
            rejected("certificate " + i + " changed", s, new Evidence(e.format(), report, t, e.attachments()), refs);
        }
        Appraisal untrusted = verifier(s, e).verify(e, new VerificationOptions(Clock.systemUTC(), List.of(), refs,
                Map.of()));
        assertFalse("evidence is rejected when no root is trusted", untrusted.accepted());
        withReasons("no trusted root", untrusted);
        byte[] other = nonce.clone();
        other[0] ^= 1;
        rejected("a replayed challenge (the relying party asked another)", s, e, s.referenceValues(Bytes.of(other)));
    }

    /**
     * Host reads, writes and remaps of private memory have the outcome the memory engine declares for them, and the
     * guest sees the consequence the outcome names.
     */
    @Test
    public void hostAccessToPrivateMemoryHasTheOutcomesTheBackendDeclares() {
        ContractSubject s = subject();
        assumeCpu(s);
        Hypervisor hv = s.hypervisor();
        MemoryEncryption engine = s.memoryEncryption();
        boolean encrypted = s.backend().descriptor().has(Capability.MEMORY_ENCRYPTION);
        long gpa = s.scratchAddress();
        byte[] marker = pattern("host access");

        String reader = name(s, "host-read");
        launch(s, reader);
        writePrivate(hv.context(reader), gpa, marker);
        HostAccessOutcome read = engine.hostAccess(HostAccess.READ);
        byte[] seen = hv.hostRead(reader, gpa, PAGE);
        switch (read.effect()) {
            case CIPHERTEXT -> assertTrue("the host reads ciphertext (" + read.explanation() + ")",
                    !encrypted || !Arrays.equals(marker, seen));
            case FIXED_DATA -> assertArrayEquals("the host reads fixed data (" + read.explanation() + ")",
                    new byte[PAGE], seen);
            default -> assertFalse("a host read that lands shows no plaintext", Arrays.equals(marker, seen));
        }
        assertArrayEquals("a host read changes nothing", marker, hv.context(reader).read(gpa, PAGE));

        String writer = name(s, "host-write");
        launch(s, writer);
        writePrivate(hv.context(writer), gpa, marker);
        HostAccessOutcome declared = engine.hostAccess(HostAccess.WRITE);
        HostAccessOutcome write = hv.hostWrite(writer, gpa, pattern("the host's bytes"));
        assertEquals("the outcome of a host write is the declared one", declared.effect(), write.effect());
        assertFalse("the outcome explains its mechanism", write.explanation().isBlank());
        consequence("host write", s, writer, gpa, marker, write.effect());

        String remapped = name(s, "host-remap");
        launch(s, remapped);
        long second = gpa + PAGE;
        writePrivate(hv.context(remapped), gpa, marker);
        writePrivate(hv.context(remapped), second, pattern("the other page"));
        HostAccessOutcome declaredRemap = engine.hostAccess(HostAccess.REMAP);
        HostAccessOutcome remap = hv.hostRemap(remapped, gpa, second);
        assertEquals("the outcome of a host remap is the declared one", declaredRemap.effect(), remap.effect());
        consequence("host remap", s, remapped, gpa, marker, remap.effect());
    }

    /** A paused guest refuses every guest call with INVALID_GUEST_STATE, and resumes with its memory intact. */
    @Test
    public void aPausedGuestRefusesEveryGuestCallWithInvalidGuestState() {
        ContractSubject s = subject();
        assumeCpu(s);
        Hypervisor hv = s.hypervisor();
        String g = name(s, "paused");
        launch(s, g);
        long gpa = s.scratchAddress();
        byte[] marker = pattern("paused");
        writePrivate(hv.context(g), gpa, marker);
        GuestInstruction probe = probe(s);
        hv.pause(g);
        assertEquals(GuestState.PAUSED, hv.guest(g).state());
        refusesEveryGuestCall(probe, hv.context(g), gpa);
        hv.resume(g);
        assertEquals(GuestState.RUNNING, hv.guest(g).state());
        assertArrayEquals("memory after resume", marker, hv.context(g).read(gpa, PAGE));
    }

    /**
     * Stopping the backend's bundle pauses its guests, which refuse guest calls; starting it resumes them; updating
     * it in place (new firmware) pauses and resumes them; memory and evidence survive both.
     */
    @Test
    public void guestsSurviveAStopAndAnUpdateOfTheBackendBundleWithMemoryIntact() {
        ContractSubject s = subject();
        assumeCpu(s);
        Hypervisor hv = s.hypervisor();
        String g = name(s, "survivor");
        launch(s, g);
        long gpa = s.scratchAddress();
        byte[] marker = pattern("survivor");
        writePrivate(hv.context(g), gpa, marker);

        GuestInstruction probe = probe(s); // the descriptor is gone while the backend is stopped
        s.stopBackend();
        OsgiSubject.await(g + " PAUSED while its backend is stopped",
                () -> hv.guest(g).state() == GuestState.PAUSED);
        refusesEveryGuestCall(probe, hv.context(g), gpa);
        s.startBackend();
        OsgiSubject.await(g + " RUNNING after its backend returns", () -> hv.guest(g).state() == GuestState.RUNNING);
        assertArrayEquals("memory after the backend restarted", marker, hv.context(g).read(gpa, PAGE));

        s.updateBackend();
        OsgiSubject.await(g + " RUNNING after its backend was updated",
                () -> hv.guest(g).state() == GuestState.RUNNING);
        assertArrayEquals("memory after the backend was updated", marker, hv.context(g).read(gpa, PAGE));
        byte[] nonce = random(16);
        evidence(s, g, nonce).ifPresent(e -> {
            Appraisal a = appraise(s, e, s.referenceValues(Bytes.of(nonce)));
            assertTrue("evidence after the update is accepted: " + a.failures(), a.accepted());
        });
    }

    /** A guest destroyed while its backend is offline gives its key slot back when the backend returns. */
    @Test
    public void aGuestDestroyedWhileItsBackendIsOfflineFreesItsKeySlotWhenTheBackendReturns() {
        ContractSubject s = subject();
        assumeCpu(s);
        assumeTrue("the backend hands out key slots", s.backend().descriptor().slots().isPresent());
        Hypervisor hv = s.hypervisor();
        String kept = name(s, "kept");
        String doomed = name(s, "doomed");
        launch(s, kept);
        launch(s, doomed);
        int held = slotsInUse(s);
        s.stopBackend();
        OsgiSubject.await("guests PAUSED", () -> hv.guest(doomed).state() == GuestState.PAUSED);
        hv.destroy(doomed);
        s.startBackend();
        OsgiSubject.await(kept + " RUNNING again", () -> hv.guest(kept).state() == GuestState.RUNNING);
        assertEquals("key slots in use once the backend returned", held - 1, slotsInUse(s));
        assertTrue("the destroyed guest is gone", hv.guests().stream().noneMatch(i -> i.config().name()
                .equals(doomed)));
    }

    /** The exit protocol carries CPUID to the host and back; the guest learns the vendor's identity. */
    @Test
    public void theExitProtocolAnswersCpuidWithTheVendorsIdentity() {
        ContractSubject s = subject();
        assumeCpu(s);
        BackendDescriptor d = s.backend().descriptor();
        assumeTrue("CPUID is an x86 instruction; the backend is " + d.architecture(), isX86(s));
        Hypervisor hv = s.hypervisor();
        String g = name(s, "cpuid");
        launch(s, g);
        int exitsBefore = hv.exits(g).size();
        ExitTrace t = hv.context(g).execute(0, new GuestInstruction(GuestInstruction.Kind.CPUID, 0, 0, 0));
        assertFalse("the exit names its path", t.path().isBlank());
        for (String reg : List.of("rax", "rbx", "rcx", "rdx")) {
            assertTrue("CPUID leaf 0 leaves " + reg + " in the guest: " + t.result(), t.result().containsKey(reg));
        }
        String vendor = ascii(t.result().get("rbx")) + ascii(t.result().get("rdx")) + ascii(t.result().get("rcx"));
        assertTrue("the vendor string '" + vendor + "' names " + d.vendor(),
                vendor.toLowerCase().contains(d.vendor().toLowerCase()));
        assertTrue("the highest basic leaf", t.result().get("rax") > 0);
        List<ExitTrace> exits = hv.exits(g);
        assertTrue("the hypervisor's exit log grew", exits.size() > exitsBefore);
        assertEquals("the exit log ends with the CPUID exit", t.sequence(), exits.get(exits.size() - 1).sequence());
    }

    /**
     * The exit protocol carries an access to emulated MMIO to the host and back, on every architecture: a write
     * reaches the host's device model and a read returns what it holds (x86 and Arm alike reach device registers
     * this way; CPUID above is x86's alone).
     */
    @Test
    public void theExitProtocolCarriesAnMmioWriteAndReadToTheHostAndBack() {
        ContractSubject s = subject();
        assumeCpu(s);
        Hypervisor hv = s.hypervisor();
        String g = name(s, "mmio");
        launch(s, g);
        int exitsBefore = hv.exits(g).size();
        long value = 0x5EED_0000L | (RANDOM.nextInt() & 0xFFFF);
        ExitTrace w = hv.context(g).execute(0, new GuestInstruction(GuestInstruction.Kind.MMIO_WRITE, MMIO_PROBE, 4,
                value));
        assertFalse("the write's exit names its path", w.path().isBlank());
        ExitTrace r = hv.context(g).execute(0, new GuestInstruction(GuestInstruction.Kind.MMIO_READ, MMIO_PROBE, 4,
                0));
        assertFalse("the read's exit names its path", r.path().isBlank());
        assertTrue("the MMIO read returns what the host's device holds (0x" + Long.toHexString(value) + "): "
                + r.result(), r.result().containsValue(value));
        List<ExitTrace> exits = hv.exits(g);
        assertTrue("the hypervisor's exit log grew by both exits", exits.size() >= exitsBefore + 2);
        assertEquals("the exit log ends with the read", r.sequence(), exits.get(exits.size() - 1).sequence());
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    /** An emulated device register, below 4 GiB on every architecture the contract knows (x86 and Arm). */
    private static final long MMIO_PROBE = 0xFEB0_0000L;

    private static boolean isX86(ContractSubject s) {
        String arch = s.backend().descriptor().architecture();
        return arch.equals("x86_64") || arch.equals("x86") || arch.equals("i686");
    }

    private static void assumeCpu(ContractSubject s) {
        assumeTrue("the guest contract is for CPU TEEs", s.backend().descriptor().kind() == TeeKind.CPU);
    }

    private static String vcpuModel(ContractSubject s) {
        return s.backend().descriptor().defaults().vcpuModel();
    }

    private static OwnerPolicy policy(ContractSubject s) {
        return new OwnerPolicy(s.backend().descriptor().defaults().policy(), null, null, null, null, null, null, -1);
    }

    private static GuestConfig config(ContractSubject s, String name) {
        return new GuestConfig(name, s.teeType(), 1, vcpuModel(s), s.guestMemoryBytes());
    }

    private static String name(ContractSubject s, String what) {
        return "tck-" + s.teeType() + "-" + what + "-" + NAMES.incrementAndGet();
    }

    private String create(ContractSubject s, String name) {
        GuestInfo info = s.hypervisor().create(config(s, name));
        created.add(name);
        assertEquals(GuestState.CREATED, info.state());
        return name;
    }

    private LaunchResult launch(ContractSubject s, String name) {
        create(s, name);
        LaunchResult r = s.hypervisor().launch(name, LaunchPlan.DEFAULT, s.owner().prepare(policy(s)));
        assertEquals(name + " runs after launch", GuestState.RUNNING, s.hypervisor().guest(name).state());
        return r;
    }

    private static int slotsInUse(ContractSubject s) {
        return s.backend().descriptor().slots().map(KeySlotLimits::inUse).orElse(0);
    }

    /** Accepts the page (where the TEE validates pages) and writes it privately, read back through the guest key. */
    private static void writePrivate(GuestContext ctx, long gpa, byte[] data) {
        ctx.accept(gpa, true);
        ctx.write(gpa, data);
        assertArrayEquals("the guest reads back what it wrote", data, ctx.read(gpa, data.length));
    }

    private static void consequence(String what, ContractSubject s, String guest, long gpa, byte[] marker,
            Effect effect) {
        Hypervisor hv = s.hypervisor();
        switch (effect) {
            case UNDETECTED -> assertFalse(what + " undetected: the guest no longer reads its data",
                    Arrays.equals(marker, hv.context(guest).read(gpa, PAGE)));
            case HOST_FAULT -> assertArrayEquals(what + " faulted in the host: the page is unchanged", marker,
                    hv.context(guest).read(gpa, PAGE));
            case GUEST_EXCEPTION -> {
                oneLine(assertThrows(what + ": the guest's next access raises an exception", TeeException.class,
                        () -> hv.context(guest).read(gpa, PAGE)));
                assertEquals(what + ": the guest still runs", GuestState.RUNNING, hv.guest(guest).state());
            }
            case GUEST_TERMINATED -> {
                assertThrows(what + ": the guest's next access fails integrity", TeeException.class,
                        () -> hv.context(guest).read(gpa, PAGE));
                assertEquals(what + ": the guest is terminated", GuestState.TERMINATED, hv.guest(guest).state());
            }
            default -> fail(what + ": " + effect + " is an outcome of a host read, not of a change");
        }
    }

    /** @return an instruction the backend's guests execute through the exit protocol: CPUID on x86, else MMIO */
    private static GuestInstruction probe(ContractSubject s) {
        return isX86(s) ? new GuestInstruction(GuestInstruction.Kind.CPUID, 0, 0, 0)
                : new GuestInstruction(GuestInstruction.Kind.MMIO_READ, MMIO_PROBE, 4, 0);
    }

    private static void refusesEveryGuestCall(GuestInstruction probe, GuestContext ctx, long gpa) {
        Map<String, Consumer<GuestContext>> calls = new java.util.LinkedHashMap<>();
        calls.put("read", c -> c.read(gpa, 16));
        calls.put("write", c -> c.write(gpa, new byte[16]));
        calls.put("accept", c -> c.accept(gpa, true));
        calls.put("share", c -> c.share(gpa, true));
        calls.put("execute", c -> c.execute(0, probe));
        calls.put("measurements", c -> c.measurements().count());
        calls.put("evidence", c -> c.evidence(Bytes.of(new byte[16])));
        for (Map.Entry<String, Consumer<GuestContext>> call : calls.entrySet()) {
            TeeException e = assertThrows(call.getKey() + " while the guest does not run", TeeException.class,
                    () -> call.getValue().accept(ctx));
            assertEquals(call.getKey() + ": " + e.getMessage(), FirmwareStatus.INVALID_GUEST_STATE.name(),
                    e.status().name());
            oneLine(e);
        }
    }

    private Optional<Evidence> evidence(ContractSubject s, String guest, byte[] nonce) {
        try {
            Evidence e = s.hypervisor().context(guest).evidence(Bytes.of(nonce));
            assertFalse("evidence format", e.format().isBlank());
            assertTrue("evidence bytes", e.report().length > 0);
            return Optional.of(e);
        } catch (TeeException refused) {
            assertFalse("a backend declaring RUNTIME_ATTESTATION gives evidence, not: " + refused.getMessage(),
                    s.backend().descriptor().has(Capability.RUNTIME_ATTESTATION));
            oneLine(refused);
            return Optional.empty();
        }
    }

    private static EvidenceVerifier verifier(ContractSubject s, Evidence e) {
        return s.verifier(e.format()).orElseThrow(() -> new AssertionError("no EvidenceVerifier for format "
                + e.format() + " is present"));
    }

    private static Appraisal appraise(ContractSubject s, Evidence e, Map<String, String> refs) {
        return verifier(s, e).verify(e, new VerificationOptions(Clock.systemUTC(), s.trustedRoots(), refs, Map.of()));
    }

    private static void rejected(String what, ContractSubject s, Evidence e, Map<String, String> refs) {
        Appraisal a;
        try {
            a = appraise(s, e, refs);
        } catch (RuntimeException x) {
            throw new AssertionError(what + ": the verifier threw instead of giving an appraisal: " + x, x);
        }
        assertFalse(what + ": accepted, checks " + a.checks(), a.accepted());
        withReasons(what, a);
    }

    private static void withReasons(String what, Appraisal a) {
        List<Check> failures = a.failures();
        assertFalse(what + ": a rejection names the failed check", failures.isEmpty());
        for (Check f : failures) {
            assertFalse(what + ": check " + f.check() + " gives a reason", f.reason().isBlank());
            assertFalse(what + ": check " + f.check() + " reason on one line: " + f.reason(),
                    f.reason().contains("\n"));
        }
    }

    private static void refused(String what, Runnable command) {
        TeeException e = assertThrows(what + " is refused by the firmware", TeeException.class, command::run);
        assertNotNull(what + ": a vendor status", e.status());
        oneLine(e);
    }

    private static void oneLine(Exception e) {
        String m = e.getMessage();
        assertTrue("an error message: " + e, m != null && !m.isBlank());
        assertFalse("an error on one line: " + m, m.contains("\n"));
    }

    private static byte[] pattern(String seed) {
        byte[] p = new byte[PAGE];
        byte[] s = seed.getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < PAGE; i++) {
            p[i] = (byte) (s[i % s.length] + i / s.length);
        }
        return p;
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String ascii(Long reg) {
        assertNotNull("a register value", reg);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            sb.append((char) (reg >>> (8 * i) & 0xFF));
        }
        return sb.toString();
    }
}
