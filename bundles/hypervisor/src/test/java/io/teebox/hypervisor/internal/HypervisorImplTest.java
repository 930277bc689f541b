package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestPage;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;

public class HypervisorImplTest {

    private static final byte[] SECRET = "the owner's secret".getBytes(StandardCharsets.UTF_8);
    private static final long SECRET_GPA = 0x20_0000;

    private final TestTee.Firmware firmware = new TestTee.Firmware();
    private HypervisorImpl hv;
    private TestTee tee;

    static HypervisorConfig config(int mib, int maxGuests) {
        return new HypervisorConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HypervisorConfig.class;
            }

            @Override
            public int hostMemoryMiB() {
                return mib;
            }

            @Override
            public int maxGuests() {
                return maxGuests;
            }
        };
    }

    private static Map<String, Object> props(String type) {
        return Map.of(TeeType.PROPERTY, type);
    }

    private void bind(TestTee t) {
        hv.bindAll(t.type, t);
    }

    private void unbind(TestTee t) {
        hv.unbindAll(t.type, t);
    }

    /** An owner that expects the SHA-256 of the default firmware and releases one secret. */
    static LaunchOwner owner(byte[] expected) {
        return new LaunchOwner() {
            @Override
            public LaunchRequest start(BackendDescriptor backend, Map<String, byte[]> certs, GuestConfig config) {
                return new LaunchRequest(1, Map.of(), config.vcpus(), config.vcpuType());
            }

            @Override
            public List<SecretPacket> approve(Measurement m) {
                if (!Arrays.equals(m.value(), expected)) {
                    throw new LaunchRejectedException("unexpected measurement");
                }
                return List.of(new SecretPacket(SECRET_GPA, new byte[0], SECRET));
            }
        };
    }

    private static byte[] defaultDigest() {
        return Digests.sha256(DefaultFirmware.image());
    }

    @Before
    public void setUp() {
        hv = new HypervisorImpl(config(64, 4));
        tee = new TestTee(firmware, "test", HostAccessOutcome.Effect.UNDETECTED);
        bind(tee);
    }

    private GuestInfo launched(String name) {
        hv.create(new GuestConfig(name, "test", 2, "EPYC-v4", 4 << 20));
        LaunchResult r = hv.launch(name, LaunchPlan.DEFAULT, owner(defaultDigest()));
        assertEquals(GuestState.RUNNING, r.guest().state());
        return r.guest();
    }

    @Test
    public void launchPlacesFirmwareAtTopOfFourGibAndGuestReadsItsSecret() {
        launched("a");
        assertArrayEquals(SECRET, hv.context("a").read(SECRET_GPA, SECRET.length));
        byte[] fw = DefaultFirmware.image();
        long load = OvmfImage.parse(fw).loadAddress();
        assertEquals(0x1_0000_0000L - fw.length, load);
        assertArrayEquals(Arrays.copyOfRange(fw, fw.length - 64, fw.length),
                hv.context("a").read(0xFFFF_FFC0L, 64));
        byte[] host = hv.hostRead("a", SECRET_GPA, 4096);
        assertFalse("host view holds secret plaintext", contains(host, SECRET));
    }

    @Test
    public void everyAccessOutsideGuestRamIsRefusedNamingTheRange() {
        launched("a");
        long hostPages = hv.hostPagesInUse();
        long[] addresses = {0x7FFF_FFFF_FFFF_FFF0L, 0xFFFF_FFFF_FFFF_FFF0L, Long.MAX_VALUE, 0x1_0000_0000L - 16};
        for (long gpa : addresses) {
            IllegalArgumentException read = assertThrows(IllegalArgumentException.class,
                    () -> hv.context("a").read(gpa, 32));
            assertTrue(read.getMessage(), read.getMessage().contains("outside guest memory"));
            assertThrows(IllegalArgumentException.class, () -> hv.context("a").write(gpa, new byte[32]));
            assertThrows(IllegalArgumentException.class, () -> hv.hostRead("a", gpa, 32));
            assertThrows(IllegalArgumentException.class, () -> hv.hostWrite("a", gpa, new byte[32]));
        }
        for (long page : new long[] {0x7FFF_FFFF_FFFF_F000L, 0xFFFF_FFFF_FFFF_F000L}) {
            assertThrows(IllegalArgumentException.class, () -> hv.context("a").accept(page, true));
            assertThrows(IllegalArgumentException.class, () -> hv.context("a").share(page, true));
            assertThrows(IllegalArgumentException.class, () -> hv.hostRemap("a", page, 0x1000));
        }
        assertEquals("no host page was allocated for a refused access", hostPages, hv.hostPagesInUse());
        assertEquals(GuestState.RUNNING, hv.guest("a").state());
    }

    @Test
    public void aGuestDestroyedWhileItsBackendIsAwayFreesItsKeySlotWhenTheBackendReturns() {
        launched("a");
        launched("b");
        assertEquals(2, tee.limits().inUse());
        unbind(tee);
        hv.destroy("a");
        assertEquals("the slot stays held while nobody can decommission it", 2, firmware.keys.size());
        bind(tee);
        assertEquals("DECOMMISSION ran when the backend came back", 1, tee.limits().inUse());
        assertEquals(GuestState.RUNNING, hv.guest("b").state());
        hv.destroy("b");
        assertEquals(0, tee.limits().inUse());
    }

    @Test
    public void keySlotsInUseEqualGuestsHoldingASlotUnderConcurrentSwaps() throws Exception {
        hv = new HypervisorImpl(config(512, 64));
        bind(tee);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ConcurrentLinkedQueue<Throwable> unexpected = new java.util.concurrent.ConcurrentLinkedQueue<>();
        Thread swapper = new Thread(() -> {
            while (!stop.get()) {
                unbind(tee);
                Thread.onSpinWait();
                bind(tee);
            }
        });
        List<Thread> workers = new java.util.ArrayList<>();
        for (int w = 0; w < 3; w++) {
            int worker = w;
            workers.add(new Thread(() -> {
                for (int i = 0; i < 60; i++) {
                    String name = "w" + worker + "-" + i;
                    try {
                        hv.create(new GuestConfig(name, "test", 1, "EPYC-v4", 1 << 20));
                        hv.launch(name, LaunchPlan.DEFAULT, owner(defaultDigest()));
                    } catch (IllegalStateException | IllegalArgumentException | TeeException e) {
                        // the backend was away at that moment: an expected refusal
                    } catch (Throwable t) {
                        unexpected.add(t);
                    }
                    try {
                        if (i % 3 != 0) {
                            hv.destroy(name);
                        }
                    } catch (IllegalArgumentException e) {
                        // never created
                    } catch (Throwable t) {
                        unexpected.add(t);
                    }
                }
            }));
        }
        swapper.start();
        workers.forEach(Thread::start);
        for (Thread t : workers) {
            t.join();
        }
        stop.set(true);
        swapper.join();
        assertTrue("unexpected failures: " + unexpected, unexpected.isEmpty());
        long holding = hv.guests().stream().filter(g -> g.keySlot() != null).count();
        assertEquals("slots in use == guests holding a slot", holding, tee.limits().inUse());
        for (GuestInfo g : hv.guests()) {
            hv.destroy(g.id());
        }
        assertEquals(0, tee.limits().inUse());
        assertEquals(0, hv.hostPagesInUse());
    }

    @Test
    public void aVcpuModelTheBackendDoesNotRunIsRefusedAtCreate() {
        TestTee intel = new TestTee(firmware, "intel", HostAccessOutcome.Effect.GUEST_TERMINATED);
        intel.models = List.of("SapphireRapids", "EmeraldRapids");
        bind(intel);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hv.create(new GuestConfig("t", "intel", 1, "EPYC-Milan", 16 << 20)));
        assertTrue(e.getMessage(), e.getMessage().contains("'EPYC-Milan' is not one the intel backend runs")
                && e.getMessage().contains("SapphireRapids, EmeraldRapids"));
        assertEquals("SapphireRapids-v2", hv.create(new GuestConfig("t", "intel", 1, "SapphireRapids-v2",
                16 << 20)).config().vcpuType());
    }

    @Test
    public void launchLogRecordsEachFirmwareCommand() {
        launched("a");
        List<String> commands = hv.launchLog("a").stream().map(e -> e.command()).toList();
        assertEquals(List.of("START", "UPDATE", "MEASURE", "SECRET", "FINISH"), commands);
    }

    @Test
    public void guestWriteIsCiphertextToTheHostAndPlaintextToTheGuest() {
        launched("a");
        byte[] data = "private data of the guest".getBytes(StandardCharsets.UTF_8);
        hv.context("a").write(0x1000, data);
        assertArrayEquals(data, hv.context("a").read(0x1000, data.length));
        assertFalse(contains(hv.hostRead("a", 0, 0x2000), data));
    }

    @Test
    public void sharedPageIsPlaintextToBothSidesAndPrivateAgainAfterConversion() {
        launched("a");
        hv.context("a").share(0x5000, true);
        byte[] msg = "GHCB: cpuid 0x8000001f".getBytes(StandardCharsets.UTF_8);
        hv.context("a").write(0x5000, msg);
        assertArrayEquals(msg, hv.hostRead("a", 0x5000, msg.length));
        byte[] reply = "host reply".getBytes(StandardCharsets.UTF_8);
        assertEquals(HostAccessOutcome.Effect.UNDETECTED, hv.hostWrite("a", 0x5100, reply).effect());
        assertArrayEquals(reply, hv.context("a").read(0x5100, reply.length));
        hv.context("a").share(0x5000, false);
        hv.context("a").write(0x5000, msg);
        assertFalse(contains(hv.hostRead("a", 0x5000, 4096), msg));
        assertArrayEquals(msg, hv.context("a").read(0x5000, msg.length));
        assertThrows(IllegalArgumentException.class, () -> hv.context("a").share(0x5001, true));
    }

    @Test
    public void pagesListPrivateAndSharedPagesInGpaOrderWithTheFirmwareState() {
        tee.pageTable = true;
        GuestInfo info = launched("a");
        int slot = info.keySlot().id();
        hv.context("a").write(0x5000, new byte[] {1});
        hv.context("a").share(0x6000, true);
        hv.context("a").write(0x6000, new byte[] {2});

        List<GuestPage> pages = hv.pages("a");
        assertEquals(hv.guest("a").residentPages(), pages.size());
        for (int i = 1; i < pages.size(); i++) {
            assertTrue("gpa order", pages.get(i - 1).gpa() < pages.get(i).gpa());
        }
        long top = 0x1_0000_0000L;
        GuestPage reset = page(pages, top - 0x1000);
        assertTrue("the firmware flash window is listed and private", reset.encrypted() && !reset.shared());
        GuestPage priv = page(pages, 0x5000);
        assertTrue(priv.encrypted());
        assertFalse(priv.shared());
        assertEquals(String.format("TEST owned hpa 0x%X slot %d", priv.hpa(), slot), priv.firmwareState());
        GuestPage shared = page(pages, 0x6000);
        assertFalse("a shared page is not encrypted", shared.encrypted());
        assertTrue(shared.shared());
        assertEquals(String.format("TEST shared hpa 0x%X slot %d", shared.hpa(), slot), shared.firmwareState());
        assertTrue("distinct host pages", priv.hpa() != shared.hpa());

        hv.context("a").share(0x6000, false);
        GuestPage back = page(hv.pages("a"), 0x6000);
        assertTrue(back.encrypted() && !back.shared());
        assertEquals(shared.hpa(), back.hpa());

        // a host remap moves the host pages behind the GPAs
        hv.hostRemap("a", 0x5000, 0x6000);
        assertEquals(shared.hpa(), page(hv.pages("a"), 0x5000).hpa());
        assertEquals(priv.hpa(), page(hv.pages("a"), 0x6000).hpa());
    }

    @Test
    public void pagesOfAPausedGuestKeepTheirFirmwareStateUntilTheBackendGoes() {
        tee.pageTable = true;
        launched("a");
        hv.pause("a");
        assertEquals(GuestState.PAUSED, hv.guest("a").state());
        assertTrue(page(hv.pages("a"), SECRET_GPA).firmwareState().startsWith("TEST owned"));
        unbind(tee);
        List<GuestPage> away = hv.pages("a");
        assertEquals(hv.guest("a").residentPages(), away.size());
        assertTrue("no firmware state while the backend is away",
                away.stream().allMatch(p -> p.firmwareState().isEmpty()));
        assertTrue(page(away, SECRET_GPA).encrypted());
    }

    @Test
    public void pagesBeforeLaunchHaveNoFirmwareStateAndUnknownGuestsAreRefused() {
        tee.pageTable = true;
        hv.create(new GuestConfig("c", "test", 1, "EPYC-v4", 4 << 20));
        assertTrue(hv.pages("c").isEmpty());
        hv.hostWrite("c", 0x2000, new byte[] {9});
        List<GuestPage> pages = hv.pages("c");
        assertEquals(1, pages.size());
        assertEquals(new GuestPage(0x2000, pages.get(0).hpa(), false, false, ""), pages.get(0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> hv.pages("nope"));
        assertTrue(e.getMessage(), e.getMessage().contains("nope"));
    }

    @Test
    public void pagesWithoutAPageTableHaveEmptyStates() {
        launched("a");
        List<GuestPage> pages = hv.pages("a");
        assertFalse(pages.isEmpty());
        assertTrue(pages.stream().allMatch(p -> p.firmwareState().isEmpty()));
    }

    @Test
    public void guestPageRefusesBadValues() {
        assertThrows(IllegalArgumentException.class, () -> new GuestPage(0x1001, 0, true, false, ""));
        assertThrows(IllegalArgumentException.class, () -> new GuestPage(-4096, 0, true, false, ""));
        assertThrows(IllegalArgumentException.class, () -> new GuestPage(0x1000, 0x10, true, false, ""));
        IllegalArgumentException both = assertThrows(IllegalArgumentException.class,
                () -> new GuestPage(0x1000, 0x2000, true, true, ""));
        assertTrue(both.getMessage(), both.getMessage().contains("both encrypted and shared"));
        assertThrows(IllegalArgumentException.class, () -> new GuestPage(0x1000, 0x2000, true, false, "a\nb"));
        assertThrows(NullPointerException.class, () -> new GuestPage(0x1000, 0x2000, true, false, null));
    }

    private static GuestPage page(List<GuestPage> pages, long gpa) {
        return pages.stream().filter(p -> p.gpa() == gpa).findFirst()
                .orElseThrow(() -> new AssertionError(String.format("no resident page at 0x%X in %s", gpa, pages)));
    }

    @Test
    public void hostWriteLandsUndetectedAndGuestDecryptsGarbage() {
        launched("a");
        byte[] data = new byte[64];
        Arrays.fill(data, (byte) 7);
        hv.context("a").write(0x3000, data);
        HostAccessOutcome out = hv.hostWrite("a", 0x3000, new byte[] {1});
        assertEquals(HostAccessOutcome.Effect.UNDETECTED, out.effect());
        byte[] after = hv.context("a").read(0x3000, 64);
        assertFalse(Arrays.equals(data, after));
        // XTS: only the first 16-byte block is garbled
        assertArrayEquals(Arrays.copyOfRange(data, 16, 64), Arrays.copyOfRange(after, 16, 64));
    }

    @Test
    public void remapUnderATeeWithoutIntegrityGivesTheGuestGarbage() {
        launched("a");
        byte[] one = "page one data....".getBytes(StandardCharsets.UTF_8);
        hv.context("a").write(0x6000, one);
        hv.context("a").write(0x7000, "page two".getBytes(StandardCharsets.UTF_8));
        assertEquals(HostAccessOutcome.Effect.UNDETECTED, hv.hostRemap("a", 0x6000, 0x7000).effect());
        byte[] seen = hv.context("a").read(0x7000, one.length);
        assertArrayEquals("the host page keeps its tweak: the guest silently reads the other page's data", one, seen);
        hv.hostRemap("a", 0x6000, 0x7000);
        assertArrayEquals(one, hv.context("a").read(0x6000, one.length));
        assertThrows(IllegalArgumentException.class, () -> hv.hostRemap("a", 0x6000, 0x6000));
        assertEquals(0, hv.context("a").accept(0x8000, true));
    }

    @Test
    public void hostFaultLeavesThePageUnchanged() {
        bind(new TestTee(firmware, "strict", HostAccessOutcome.Effect.HOST_FAULT));
        hv.create(new GuestConfig("s", "strict", 1, "EPYC-v4", 4 << 20));
        hv.launch("s", LaunchPlan.DEFAULT, owner(defaultDigest()));
        byte[] before = hv.hostRead("s", SECRET_GPA, 4096);
        assertEquals(HostAccessOutcome.Effect.HOST_FAULT, hv.hostWrite("s", SECRET_GPA, new byte[16]).effect());
        assertArrayEquals(before, hv.hostRead("s", SECRET_GPA, 4096));
        assertArrayEquals(SECRET, hv.context("s").read(SECRET_GPA, SECRET.length));
    }

    @Test
    public void backendGoingAwayPausesItsGuestsAndReturningResumesThem() {
        launched("a");
        unbind(tee);
        GuestInfo paused = hv.guest("a");
        assertEquals(GuestState.PAUSED, paused.state());
        assertTrue(paused.note().contains("went away"));
        assertEquals("INVALID_GUEST_STATE", assertThrows(TeeException.class, () -> hv.context("a").read(SECRET_GPA,
                4)).status().name());
        assertTrue(hv.backends().isEmpty());

        bind(new TestTee(firmware, "test", HostAccessOutcome.Effect.UNDETECTED));
        assertEquals(GuestState.RUNNING, hv.guest("a").state());
        assertArrayEquals(SECRET, hv.context("a").read(SECRET_GPA, SECRET.length));
        // the note is a dated event (a later firmware change cannot make it a false statement about now)
        assertTrue(hv.guest("a").note(), hv.guest("a").note().matches(
                "resumed on test firmware \\S+ at \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ .*"));
    }

    /** Resume asks the returning backend for each guest's state only, not for a status with its details. */
    @Test
    public void resumeAsksEachGuestsStateNotItsStatus() {
        launched("a");
        launched("b");
        unbind(tee);
        TestTee back = new TestTee(firmware, "test", HostAccessOutcome.Effect.UNDETECTED);
        bind(back);
        assertEquals(GuestState.RUNNING, hv.guest("a").state());
        assertEquals(GuestState.RUNNING, hv.guest("b").state());
        assertEquals(0, back.statusCalls.get());
        assertEquals(2, back.stateCalls.get());
    }

    @Test
    public void operatorPauseSurvivesABackendSwap() {
        launched("a");
        hv.pause("a");
        unbind(tee);
        bind(new TestTee(firmware, "test", HostAccessOutcome.Effect.UNDETECTED));
        assertEquals(GuestState.PAUSED, hv.guest("a").state());
        hv.resume("a");
        assertEquals(GuestState.RUNNING, hv.guest("a").state());
    }

    @Test
    public void backendReturningWithoutTheContextTerminatesTheGuest() {
        launched("a");
        unbind(tee);
        bind(new TestTee(new TestTee.Firmware(), "test", HostAccessOutcome.Effect.UNDETECTED));
        GuestInfo g = hv.guest("a");
        assertEquals(GuestState.TERMINATED, g.state());
        assertTrue(g.note(), g.note().contains("INVALID_GUEST"));
    }

    @Test
    public void rejectedMeasurementTerminatesGuestFreesItsMemoryAndPlatformKeepsRunning() {
        hv.create(new GuestConfig("bad", "test", 1, "EPYC-v4", 4 << 20));
        LaunchRejectedException e = assertThrows(LaunchRejectedException.class,
                () -> hv.launch("bad", LaunchPlan.DEFAULT, owner(new byte[32])));
        assertTrue(e.getMessage().contains("unexpected"));
        GuestInfo g = hv.guest("bad");
        assertEquals(GuestState.TERMINATED, g.state());
        assertEquals(0, g.residentPages());
        assertTrue(firmware.contexts.isEmpty());
        launched("good");
    }

    @Test
    public void firmwareRefusalIsReportedWithItsStatusAndLogged() {
        hv.create(new GuestConfig("x", "test", 1, "EPYC-v4", 4 << 20));
        LaunchOwner twice = new LaunchOwner() {
            @Override
            public LaunchRequest start(BackendDescriptor b, Map<String, byte[]> c, GuestConfig config) {
                return new LaunchRequest(0, Map.of(), 1, "EPYC-v4");
            }

            @Override
            public List<SecretPacket> approve(Measurement m) {
                throw new TeeException(TestTee.BAD_STATE, "owner-side failure");
            }
        };
        TeeException e = assertThrows(TeeException.class, () -> hv.launch("x", LaunchPlan.DEFAULT, twice));
        assertEquals("INVALID_GUEST_STATE", e.status().name());
        assertEquals(GuestState.TERMINATED, hv.guest("x").state());
        assertEquals("MEASURE", hv.launchLog("x").get(hv.launchLog("x").size() - 1).command());
    }

    @Test
    public void malformedFirmwareIsRejectedAndGuestStaysCreated() {
        hv.create(new GuestConfig("m", "test", 1, "EPYC-v4", 4 << 20));
        // an image the backend's loader refuses is refused before anything is created
        byte[] fw = Arrays.copyOf(DefaultFirmware.image(), 4097);
        assertThrows(IllegalArgumentException.class,
                () -> hv.launch("m", new LaunchPlan(fw, null, null, null), owner(defaultDigest())));
        assertEquals(GuestState.CREATED, hv.guest("m").state());
    }

    @Test
    public void badArgumentsAreRefusedNamingWhatWasWrong() {
        launched("a");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> hv.context("a").read(0x8000_0000L, 4))
                .getMessage().contains("outside guest memory"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> hv.guest("nope")).getMessage()
                .contains("no guest 'nope'"));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> hv.create(new GuestConfig("a", "test", 1, "EPYC-v4", 4096))).getMessage()
                .contains("exists already"));
        assertTrue(assertThrows(IllegalStateException.class,
                () -> hv.create(new GuestConfig("n", "tdx", 1, "EPYC-v4", 4096))).getMessage()
                .contains("no tdx backend"));
        assertThrows(IllegalArgumentException.class,
                () -> hv.create(new GuestConfig("c", "test", 1, "Pentium-Pro", 4096)));
        assertThrows(IllegalArgumentException.class, () -> hv.hostVcpu("a", 2));
        assertThrows(IllegalStateException.class, () -> hv.launch("a", LaunchPlan.DEFAULT, owner(new byte[0])));
    }

    @Test
    public void hostSeesTheRegistersItsTeesProtocolLeavesReadable() {
        launched("a");
        var bsp = hv.hostVcpu("a", 0);
        assertFalse(bsp.encrypted());
        assertEquals("the loader's reset state, decoded by the TEE's exit protocol", 0xFFF0L,
                (long) bsp.registers().get("rip"));
    }

    @Test
    public void destroyFreesHostPagesAndFirmwareContext() {
        launched("a");
        assertTrue(hv.hostPagesInUse() > 0);
        hv.destroy("a");
        assertEquals(0, hv.hostPagesInUse());
        assertTrue(firmware.contexts.isEmpty());
        assertTrue(hv.guests().isEmpty());
    }

    @Test
    public void guestLimitAndHostMemoryLimitAreEnforced() {
        for (int i = 0; i < 4; i++) {
            hv.create(new GuestConfig("g" + i + "x", "test", 1, "EPYC-v4", 4096));
        }
        assertTrue(assertThrows(IllegalStateException.class,
                () -> hv.create(new GuestConfig("five", "test", 1, "EPYC-v4", 4096))).getMessage()
                .contains("guest limit"));
        HypervisorImpl small = new HypervisorImpl(config(16, 4));
        small.bindAll("test", tee);
        small.create(new GuestConfig("big", "test", 1, "EPYC-v4", 64 << 20));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            for (long a = 0; a < 64 << 20; a += 1 << 20) {
                small.hostWrite("big", a, new byte[1 << 20]);
            }
        });
        assertTrue(e.getMessage().contains("host memory exhausted"));
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    @Test
    public void aRefusedConfigurationChangesNothing() {
        // 64 MiB, 4 guests; shrinking the memory is refused, and so is the lower guest limit that came with it
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> hv.modified(config(32, 1)));
        assertTrue(e.getMessage(), e.getMessage().contains("hostMemoryMiB"));
        for (String name : new String[] {"g1", "g2"}) {
            hv.create(new GuestConfig(name, "test", 1, "EPYC-v4", 4 << 20));
        }
        assertEquals(2, hv.guests().size());
    }
}
