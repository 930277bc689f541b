package io.teebox.amd.seves.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import io.teebox.amd.guest.AutomaticExits;
import io.teebox.amd.guest.Ghcb;
import io.teebox.amd.guest.GhcbExits;
import io.teebox.amd.guest.GhcbGuest;
import io.teebox.amd.owner.testing.AmdOwners;
import io.teebox.amd.sev.testing.SevServices;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.GuestInstruction.Kind;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeException;
import io.teebox.hypervisor.internal.HypervisorConfig;
import io.teebox.hypervisor.internal.HypervisorImpl;
import io.teebox.kit.codec.LittleEndian;

/**
 * SEV's automatic exits against SEV-ES's #VC and GHCB, with the real AMD backends on the real hypervisor: under SEV
 * the host reads the whole save area; under SEV-ES it reads only what the guest's handler copies into the GHCB.
 */
public class GhcbExitsTest {

    private static final long GHCB_MSR_SEV_INFO = 0x002;
    private HypervisorImpl hv;

    static HypervisorConfig config() {
        return new HypervisorConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return HypervisorConfig.class;
            }

            @Override
            public int hostMemoryMiB() {
                return 128;
            }

            @Override
            public int maxGuests() {
                return 8;
            }
        };
    }

    @Before
    public void setUp() {
        AmdSecureProcessor sp = AmdPlatforms.processor(Map.of("maxAsid", 15, "minSevAsid", 5));
        hv = new HypervisorImpl(config());
        hv.bindAll("sev", SevServices.sev(sp));
        hv.bindAll("sev-es", new SevEsBackend(sp), new SevEsGuestInterface(sp));
        hv.create(new GuestConfig("p", "sev", 1, "EPYC-Milan", 16 << 20));
        hv.launch("p", LaunchPlan.DEFAULT, AmdOwners.sev().prepare(new OwnerPolicy(0x1, null, null, null, null,
                null, null, -1)));
        hv.create(new GuestConfig("e", "sev-es", 2, "EPYC-Milan", 16 << 20));
        hv.launch("e", LaunchPlan.DEFAULT, AmdOwners.sevEs().prepare(new OwnerPolicy(0x5, null, null, null, null,
                null, null, -1)));
    }

    private ExitTrace exec(String guest, int vcpu, Kind kind, long operand, long sub, long value) {
        return hv.context(guest).execute(vcpu, new GuestInstruction(kind, operand, sub, value));
    }

    private GhcbGuest ghcb() {
        return hv.context("e").extension(GhcbGuest.class).orElseThrow();
    }

    @Test
    public void plainSaveAreaShowsTheHostEveryRegister() {
        ExitTrace t = exec("p", 0, Kind.CPUID, 1, 0, 0);
        assertEquals(AutomaticExits.PATH, t.path());
        assertEquals(0x72, t.exitCode());
        assertEquals("EPYC-Milan's signature", 0xA00F11L, (long) t.result().get("rax"));
        assertTrue("the host sees rip and every other register", t.hostSaw().containsKey("rip"));
        assertEquals(0xA00F11L, (long) hv.hostVcpu("p", 0).registers().get("rax"));
        assertTrue("an SEV guest has no GHCB", hv.context("p").extension(GhcbGuest.class).isEmpty());
    }

    @Test
    public void encryptedSaveAreaGoesThroughVcAndTheHostSeesOnlyTheGhcbFields() {
        assertTrue(hv.hostVcpu("e", 0).encrypted());
        assertTrue("the host decodes nothing of an encrypted save area", hv.hostVcpu("e", 0).registers().isEmpty());
        ExitTrace t = exec("e", 0, Kind.CPUID, 0x8000_001FL, 0, 0);
        assertEquals(GhcbExits.VC, t.path());
        assertEquals(Map.of("rax", 0x8000_001FL, "rcx", 0L, "sw_exit_code", 0x72L, "sw_exit_info_1", 0L,
                "sw_exit_info_2", 0L, "xcr0", 1L), t.hostSaw());
        assertEquals("SME, SEV, SEV-ES", 0b1011L, (long) t.result().get("rax"));
        assertEquals(51L, t.result().get("rbx") & 0x3F);
        assertEquals("the platform's number of encrypted guests", 15L, (long) t.result().get("rcx"));
        assertEquals("the platform's first SEV-only ASID", 5L, (long) t.result().get("rdx"));
        List<ExitTrace> exits = hv.exits("e");
        assertEquals(GhcbExits.MSR_PROTOCOL, exits.get(0).path());
        long ghcb = (16 << 20) - 4096;
        assertEquals(0x013 | ghcb, (long) exits.get(0).result().get("ghcb_msr"));
        byte[] page = hv.hostRead("e", ghcb, 4096);
        assertEquals("the GHCB is shared: the host reads the answer in plaintext", 0b1011L,
                LittleEndian.u64(page, Ghcb.RAX));
        ExitTrace p = exec("p", 0, Kind.CPUID, 0x8000_001FL, 0, 0);
        assertEquals("no SEV-ES bit for a plain SEV guest", 0b11L, (long) p.result().get("rax"));
    }

    @Test
    public void ioMsrAndMmioCrossTheGhcb() {
        for (byte b : "hi".getBytes(StandardCharsets.US_ASCII)) {
            exec("e", 1, Kind.OUT, 0x3F8, 1, b);
        }
        assertEquals(0x60L, (long) exec("e", 1, Kind.IN, 0x3FD, 1, 0).result().get("rax"));
        exec("e", 1, Kind.WRMSR, 0xC000_0100L, 0, 0x1234_5678_9ABCL);
        ExitTrace rd = exec("e", 1, Kind.RDMSR, 0xC000_0100L, 0, 0);
        assertEquals(0x5678_9ABCL, (long) rd.result().get("rax"));
        assertEquals(0x1234L, (long) rd.result().get("rdx"));
        exec("e", 1, Kind.MMIO_WRITE, 0xFEC0_0000L, 4, 0xDEAD_BEEFL);
        assertEquals(0xDEAD_BEEFL, (long) exec("e", 1, Kind.MMIO_READ, 0xFEC0_0000L, 4, 0).result().get("data"));
        assertTrue(hv.exits("e").stream().allMatch(t -> !t.hostSaw().containsKey("rip")));
    }

    @Test
    public void msrProtocolAnswersSevInfoAndCpuid() {
        long info = ghcb().msr(0, GHCB_MSR_SEV_INFO);
        assertEquals(0x001, info & 0xFFF);
        assertEquals(51, (info >>> 24) & 0xFF);
        assertEquals(2, info >>> 48);
        long cpuid = ghcb().msr(0, 0x004 | 1L << 30 | 0x8000_001FL << 32);
        assertEquals(0x005, cpuid & 0xFFF);
        assertEquals(51L, (cpuid >>> 32) & 0x3F);
        assertThrows(IllegalArgumentException.class, () -> ghcb().msr(0, 0x0FF));
    }

    @Test
    public void malformedGhcbRequestsAreRefusedAndTheGuestKeepsRunning() {
        exec("e", 0, Kind.CPUID, 0, 0, 0);
        long gpa = ghcb().ghcbGpa(0);
        assertEquals((16 << 20) - 4096, gpa);
        hv.context("e").write(gpa, new byte[4096]);
        ExitTrace noCode = ghcb().vmgexit(0);
        assertTrue(noCode.path(), noCode.path().contains("sw_exit_code"));
        assertEquals(Ghcb.ERR_MISSING_INPUT, (long) noCode.result().get("error"));
        hv.context("e").write(gpa, Ghcb.fresh().set(Ghcb.SW_EXIT_CODE, Ghcb.EXIT_CPUID).set(Ghcb.RCX, 0).page);
        assertTrue(ghcb().vmgexit(0).path().contains("does not mark rax valid"));
        assertEquals(2, LittleEndian.u64(hv.hostRead("e", gpa, 4096), Ghcb.SW_EXIT_INFO_1));
        hv.context("e").write(gpa, Ghcb.fresh().set(Ghcb.SW_EXIT_CODE, 0x1234).page);
        assertEquals(Ghcb.ERR_INVALID_EVENT, (long) ghcb().vmgexit(0).result().get("error"));
        hv.context("e").write(gpa, Ghcb.fresh().set(Ghcb.SW_EXIT_CODE, Ghcb.EXIT_IOIO)
                .set(Ghcb.SW_EXIT_INFO_1, 0x3F8L << 16 | 3 << 4 | 1).page);
        assertEquals(Ghcb.ERR_INVALID_INPUT, (long) ghcb().vmgexit(0).result().get("error"));
        assertThrows(IllegalArgumentException.class, () -> exec("e", 0, Kind.IN, 0x10000, 1, 0));
        assertEquals(GuestState.RUNNING, hv.guest("e").state());
        assertEquals(0x10L, (long) exec("e", 0, Kind.CPUID, 0, 0, 0).result().get("rax"));
    }

    @Test
    public void aGuestThatAskedToTerminateEndsAndItsSlotIsFreedOnDestroy() {
        int before = hv.backends().stream().filter(d -> d.teeType().equals("sev-es")).findFirst().orElseThrow()
                .keySlots().inUse();
        ghcb().msr(0, 0x100 | 1 << 12 | 0x3 << 16);
        assertEquals(GuestState.TERMINATED, hv.guest("e").state());
        assertTrue(hv.guest("e").note().contains("code 0x3"));
        assertFalse(hv.guest("p").state() == GuestState.TERMINATED);
        assertEquals("INVALID_GUEST_STATE", assertThrows(TeeException.class, () -> ghcb().msr(0, GHCB_MSR_SEV_INFO))
                .status().name());
        hv.destroy("e");
        assertEquals(before - 1, hv.backends().stream().filter(d -> d.teeType().equals("sev-es")).findFirst()
                .orElseThrow().keySlots().inUse());
    }

    @Test
    public void aPausedGuestRefusesEveryGuestCall() {
        GhcbGuest heldBeforeThePause = ghcb();
        hv.pause("e");
        assertEquals("a vendor interface obtained before the pause is refused too", "INVALID_GUEST_STATE",
                assertThrows(TeeException.class, () -> heldBeforeThePause.msr(0, GHCB_MSR_SEV_INFO)).status().name());
        for (Runnable call : List.<Runnable>of(() -> hv.context("e").read(0, 16),
                () -> hv.context("e").write(0, new byte[16]),
                () -> hv.context("e").share(0x1000, true),
                () -> hv.context("e").accept(0x1000, true),
                () -> exec("e", 0, Kind.CPUID, 0, 0, 0),
                () -> hv.context("e").evidence(io.teebox.api.tee.Bytes.of(new byte[16])),
                () -> hv.context("e").measurements(),
                () -> hv.context("e").extension(GhcbGuest.class))) {
            TeeException e = assertThrows(TeeException.class, call::run);
            assertEquals("INVALID_GUEST_STATE", e.status().name());
            assertTrue(e.getMessage(), e.getMessage().contains("is PAUSED"));
        }
        hv.resume("e");
        assertArrayEquals(hv.context("e").read(0, 16), hv.context("e").read(0, 16));
    }
}
