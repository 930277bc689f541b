package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.GuestInstruction.Kind;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.codec.LittleEndian;

/** Intercepted instructions: automatic exits with a plaintext save area, #VC and the GHCB with an encrypted one. */
public class InterceptsTest {

    private static final long GHCB_MSR_SEV_INFO = 0x002;
    private HypervisorImpl hv;

    private static final LaunchOwner OWNER = new LaunchOwner() {
        @Override
        public LaunchRequest start(BackendDescriptor b, Map<String, byte[]> c, GuestConfig config) {
            return new LaunchRequest(0, Map.of(), config.vcpus(), config.vcpuType());
        }

        @Override
        public List<SecretPacket> approve(Measurement m) {
            return List.of();
        }
    };

    private TestTee es;

    @Before
    public void setUp() {
        hv = new HypervisorImpl(HypervisorImplTest.config(64, 8));
        TestTee.Firmware fw = new TestTee.Firmware();
        TestTee plain = new TestTee(fw, "plain", HostAccessOutcome.Effect.UNDETECTED);
        es = new TestTee(fw, "es", HostAccessOutcome.Effect.UNDETECTED);
        es.encryptsRegisters = true;
        for (TestTee t : List.of(plain, es)) {
            Map<String, Object> p = Map.of(TeeType.PROPERTY, t.type);
            hv.bindBackend(t, p);
            hv.bindMemoryEncryption(t, p);
            hv.bindLaunchService(t, p);
        }
        hv.create(new GuestConfig("p", "plain", 1, "EPYC-Milan", 16 << 20));
        hv.launch("p", LaunchPlan.DEFAULT, OWNER);
        hv.create(new GuestConfig("e", "es", 2, "EPYC-Milan", 16 << 20));
        hv.launch("e", LaunchPlan.DEFAULT, OWNER);
    }

    @Test
    public void plainSaveAreaShowsTheHostEveryRegister() {
        ExitTrace t = hv.execute("p", 0, new GuestInstruction(Kind.CPUID, 1, 0, 0));
        assertEquals(Intercepts.AUTOMATIC, t.path());
        assertEquals(0x72, t.exitCode());
        assertEquals(0xA00F11L, (long) t.result().get("rax"));
        assertTrue("the host sees rip and every other register", t.hostSaw().containsKey("rip"));
        assertEquals(0xA00F11L, (long) hv.hostVcpu("p", 0).registers().get("rax"));
    }

    @Test
    public void encryptedSaveAreaGoesThroughVcAndTheHostSeesOnlyTheGhcbFields() {
        assertTrue(hv.hostVcpu("e", 0).encrypted());
        ExitTrace t = hv.execute("e", 0, new GuestInstruction(Kind.CPUID, 0x8000_001FL, 0, 0));
        assertEquals(Intercepts.VC, t.path());
        assertEquals(Map.of("rax", 0x8000_001FL, "rcx", 0L, "sw_exit_code", 0x72L, "sw_exit_info_1", 0L,
                "sw_exit_info_2", 0L, "xcr0", 1L), t.hostSaw());
        assertEquals(0b1011L, (long) t.result().get("rax"));
        assertEquals(51L, t.result().get("rbx") & 0x3F);
        assertEquals("without platform limits, the backend's key-slot range", 16L, (long) t.result().get("rcx"));
        assertEquals(1L, (long) t.result().get("rdx"));
        List<ExitTrace> exits = hv.exits("e");
        assertEquals(Intercepts.MSR_PROTOCOL, exits.get(0).path());
        long ghcb = (16 << 20) - 4096;
        assertEquals(0x013 | ghcb, (long) exits.get(0).result().get("ghcb_msr"));
        byte[] page = hv.hostRead("e", ghcb, 4096);
        assertEquals("the GHCB is shared: the host reads the answer in plaintext", 0b1011L,
                LittleEndian.u64(page, Ghcb.RAX));
    }

    @Test
    public void cpuid8000001fReportsThePlatformsAsidLimitsWhenTheBackendPublishesThem() {
        es.properties.put("cpuid.8000001F.ecx", "509");
        es.properties.put("cpuid.8000001F.edx", "100");
        ExitTrace t = hv.execute("e", 0, new GuestInstruction(Kind.CPUID, 0x8000_001FL, 0, 0));
        assertEquals(509L, (long) t.result().get("rcx"));
        assertEquals(100L, (long) t.result().get("rdx"));
        ExitTrace p = hv.execute("p", 0, new GuestInstruction(Kind.CPUID, 0x8000_001FL, 0, 0));
        assertEquals("no SEV-ES bit for a plain SEV backend", 0b11L, (long) p.result().get("rax"));
    }

    @Test
    public void ioMsrAndMmioCrossTheGhcb() {
        for (byte b : "hi".getBytes(StandardCharsets.US_ASCII)) {
            hv.execute("e", 1, new GuestInstruction(Kind.OUT, 0x3F8, 1, b));
        }
        assertEquals(0x60L, (long) hv.execute("e", 1, new GuestInstruction(Kind.IN, 0x3FD, 1, 0)).result()
                .get("rax"));
        hv.execute("e", 1, new GuestInstruction(Kind.WRMSR, 0xC000_0100L, 0, 0x1234_5678_9ABCL));
        ExitTrace rd = hv.execute("e", 1, new GuestInstruction(Kind.RDMSR, 0xC000_0100L, 0, 0));
        assertEquals(0x5678_9ABCL, (long) rd.result().get("rax"));
        assertEquals(0x1234L, (long) rd.result().get("rdx"));
        hv.execute("e", 1, new GuestInstruction(Kind.MMIO_WRITE, 0xFEC0_0000L, 4, 0xDEAD_BEEFL));
        assertEquals(0xDEAD_BEEFL, (long) hv.execute("e", 1, new GuestInstruction(Kind.MMIO_READ, 0xFEC0_0000L, 4,
                0)).result().get("data"));
        assertTrue(hv.exits("e").stream().allMatch(t -> !t.hostSaw().containsKey("rip")));
    }

    @Test
    public void msrProtocolAnswersSevInfoAndCpuid() {
        long info = hv.ghcbMsr("e", 0, GHCB_MSR_SEV_INFO);
        assertEquals(0x001, info & 0xFFF);
        assertEquals(51, (info >>> 24) & 0xFF);
        assertEquals(2, info >>> 48);
        long cpuid = hv.ghcbMsr("e", 0, 0x004 | 1L << 30 | 0x8000_001FL << 32);
        assertEquals(0x005, cpuid & 0xFFF);
        assertEquals(51L, (cpuid >>> 32) & 0x3F);
    }

    @Test
    public void malformedGhcbRequestsAreRefusedAndTheGuestKeepsRunning() {
        hv.execute("e", 0, new GuestInstruction(Kind.CPUID, 0, 0, 0));
        long ghcb = (16 << 20) - 4096;
        byte[] page = new byte[4096];
        hv.guestWrite("e", ghcb, page);
        ExitTrace noCode = hv.vmgexit("e", 0);
        assertTrue(noCode.path(), noCode.path().contains("sw_exit_code"));
        assertEquals(Ghcb.ERR_MISSING_INPUT, (long) noCode.result().get("error"));
        Ghcb h = Ghcb.fresh().set(Ghcb.SW_EXIT_CODE, Ghcb.EXIT_CPUID).set(Ghcb.RCX, 0);
        hv.guestWrite("e", ghcb, h.page);
        assertTrue(hv.vmgexit("e", 0).path().contains("does not mark rax valid"));
        assertEquals(2, LittleEndian.u64(hv.hostRead("e", ghcb, 4096), Ghcb.SW_EXIT_INFO_1));
        hv.guestWrite("e", ghcb, Ghcb.fresh().set(Ghcb.SW_EXIT_CODE, 0x1234).page);
        assertEquals(Ghcb.ERR_INVALID_EVENT, (long) hv.vmgexit("e", 0).result().get("error"));
        hv.guestWrite("e", ghcb, Ghcb.fresh().set(Ghcb.SW_EXIT_CODE, Ghcb.EXIT_IOIO)
                .set(Ghcb.SW_EXIT_INFO_1, 0x3F8L << 16 | 3 << 4 | 1).page);
        assertEquals(Ghcb.ERR_INVALID_INPUT, (long) hv.vmgexit("e", 0).result().get("error"));
        assertThrows(IllegalArgumentException.class, () -> hv.ghcbMsr("e", 0, 0x0FF));
        assertThrows(IllegalArgumentException.class, () -> hv.execute("e", 0, new GuestInstruction(Kind.IN,
                0x10000, 1, 0)));
        assertThrows(IllegalStateException.class, () -> hv.ghcbMsr("p", 0, GHCB_MSR_SEV_INFO));
        assertEquals(GuestState.RUNNING, hv.guest("e").state());
        assertEquals(0x10L, (long) hv.execute("e", 0, new GuestInstruction(Kind.CPUID, 0, 0, 0)).result()
                .get("rax"));
    }

    @Test
    public void terminationRequestEndsTheGuest() {
        hv.ghcbMsr("e", 0, 0x100 | 1 << 12 | 0x3 << 16);
        assertEquals(GuestState.TERMINATED, hv.guest("e").state());
        assertTrue(hv.guest("e").note().contains("code 0x3"));
        assertFalse(hv.guest("p").state() == GuestState.TERMINATED);
    }

    @Test
    public void aGuestThatAskedToTerminateStillFreesItsKeySlotAndPagesOnDestroy() {
        int before = es.limits().inUse();
        long pages = hv.hostPagesInUse();
        hv.ghcbMsr("e", 0, 0x100 | 1 << 12 | 0x3 << 16);
        assertEquals(GuestState.TERMINATED, hv.guest("e").state());
        assertEquals("the terminated guest's context still holds its slot", before, es.limits().inUse());
        hv.destroy("e");
        assertEquals(before - 1, es.limits().inUse());
        assertTrue("the terminated guest's host pages are freed", hv.hostPagesInUse() < pages);
    }
}
