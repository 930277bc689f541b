package io.teebox.amd.snp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.junit.Before;
import org.junit.Test;

import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.spi.guest.GuestAccess;

/** The RMP states an SNP guest's pages carry in the host's memory map. */
public class RmpPageStatesTest {

    private static final String NO_VMPL_PERMS = " VMPL0 rwxs VMPL1 ---- VMPL2 ---- VMPL3 ----";

    private AmdSecureProcessor sp;
    private SnpBackend snp;
    private SnpGuestInterface services;
    private MapGuestMemory mem;
    private LaunchSession s;
    private KeySlot slot;

    @Before
    public void setUp() {
        sp = AmdPlatforms.processor(Map.of("maxAsid", 100, "minSevAsid", 90));
        snp = new SnpBackend(sp);
        services = new SnpGuestInterface(sp, snp);
        mem = new MapGuestMemory(1);
        s = new SnpPlatform(sp).launch(mem, 1, 0x800F12, null);
        slot = s.keySlot();
    }

    /** The guest as the hypervisor hands it to the backend: its handle, key slot and the host's page mapping. */
    private GuestAccess guest(SortedMap<Long, Long> resident) {
        return (GuestAccess) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {GuestAccess.class},
                (p, m, args) -> switch (m.getName()) {
                    case "handle" -> s.handle();
                    case "keySlot" -> slot;
                    case "residentPages" -> new TreeMap<>(resident);
                    default -> throw new UnsupportedOperationException(m.getName());
                });
    }

    private Map<Long, String> states() {
        return services.pageStates(guest(new TreeMap<>(mem.hpas)));
    }

    @Test
    public void launchedPagesAreAssignedAndValidatedUnderTheGuestsAsid() {
        long load = OvmfImage.parse(SnpPlatform.firmware()).loadAddress();
        Map<Long, String> states = states();
        assertEquals("one state per resident page", mem.hpas.size(), states.size());
        String launched = "RMP assigned validated ASID " + slot.id() + NO_VMPL_PERMS;
        assertEquals(launched, states.get(load));
        assertEquals(launched, states.get(0xFFFF_F000L));
        assertTrue(states.values().stream().allMatch(v -> v.startsWith("RMP assigned validated ASID " + slot.id())));
    }

    @Test
    public void aPageTheHostAssignsIsNotValidatedUntilTheGuestValidatesItAndASharedPageIsNotAssigned() {
        long gpa = 0x30_0000;
        assertTrue("a page the launch did not touch", !mem.hpas.containsKey(gpa));
        long hpa = mem.hostPhysicalAddress(gpa);
        assertEquals("RMP hypervisor-owned (not assigned)", states().get(gpa));
        snp.assignPage(slot, gpa, hpa);
        assertEquals("RMP assigned not validated ASID " + slot.id() + NO_VMPL_PERMS, states().get(gpa));
        assertEquals(0, snp.acceptPage(slot, gpa, hpa, true));
        assertEquals("RMP assigned validated ASID " + slot.id() + NO_VMPL_PERMS, states().get(gpa));
        assertEquals(0, sp.rmp().rmpadjust(slot.id(), gpa, 1, 0b0011, false));
        assertEquals("RMP assigned validated ASID " + slot.id() + " VMPL0 rwxs VMPL1 rw-- VMPL2 ---- VMPL3 ----",
                states().get(gpa));
        // page-state change to shared: the host takes the page back (RMPUPDATE to hypervisor-owned)
        snp.releasePage(slot, gpa, hpa);
        assertEquals("RMP hypervisor-owned (not assigned)", states().get(gpa));
    }

    @Test
    public void aHostRemapShowsTheGpaTheRmpRecorded() {
        long first = 0xFFFF_E000L;
        long second = 0xFFFF_F000L;
        TreeMap<Long, Long> remapped = new TreeMap<>(mem.hpas);
        remapped.put(first, mem.hpas.get(second));
        remapped.put(second, mem.hpas.get(first));
        Map<Long, String> states = services.pageStates(guest(remapped));
        assertEquals("RMP assigned validated ASID " + slot.id() + NO_VMPL_PERMS
                + " recorded at GPA 0xFFFFF000 (remapped by the host)", states.get(first));
        assertEquals("RMP assigned validated ASID " + slot.id() + NO_VMPL_PERMS
                + " recorded at GPA 0xFFFFE000 (remapped by the host)", states.get(second));
    }

    @Test
    public void anotherGuestsPageIsNamedAsSuch() {
        MapGuestMemory other = new MapGuestMemory(1);
        LaunchSession o = new SnpPlatform(sp).launch(other, 1, 0x800F12, null);
        TreeMap<Long, Long> resident = new TreeMap<>(mem.hpas);
        resident.put(0x80_0000L, other.hpas.get(0xFFFF_F000L));
        String line = services.pageStates(guest(resident)).get(0x80_0000L);
        assertEquals("RMP assigned validated ASID " + o.keySlot().id() + " (not this guest's ASID " + slot.id() + ")"
                + NO_VMPL_PERMS + " recorded at GPA 0xFFFFF000 (remapped by the host)", line);
    }
}
