package io.teebox.tck;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.After;
import org.junit.Test;

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeKind;

/**
 * The contract every device TEE backend passes, built-in or third-party (a GPU, an accelerator). A backend's
 * integration test extends this class in a framework with the teebox core, a CPU TEE with memory integrity and the
 * backend, and returns its {@link DeviceSubject}.
 *
 * <p>What it checks: the descriptor (kind DEVICE) and the devices are consistent; unknown devices and modes are
 * refused naming what exists; the mode changes only while no guest holds the device; a device in a confidential
 * mode refuses a guest without memory integrity; a device answers its guest's driver only while attached and the
 * guest runs ({@code INVALID_GUEST_STATE} otherwise), and a malformed message is answered, not thrown, leaving the
 * device usable; host reads of device memory have an outcome and ranges outside it are refused; an update of the
 * backend's bundle keeps the guest running and the assignment, the device attached again.
 */
public abstract class DeviceContract {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private final List<String> created = new ArrayList<>();

    /** @return the backend under contract */
    protected abstract DeviceSubject subject();

    /** Detaches the devices and destroys the guests the test created. */
    @After
    public final void cleanUp() {
        DeviceSubject s = subject();
        for (DeviceAssignment.Assignment a : s.assignment().assignments()) {
            if (created.contains(a.guest())) {
                try {
                    s.assignment().detach(a.guest(), a.device());
                } catch (RuntimeException e) {
                    // gone already
                }
            }
        }
        for (String g : created) {
            try {
                s.hypervisor().destroy(g);
            } catch (RuntimeException e) {
                // destroyed by the test
            }
        }
        created.clear();
    }

    private String confidentialGuest() {
        String name = "dev" + NAMES.incrementAndGet();
        subject().launchConfidentialGuest(name);
        created.add(name);
        return name;
    }

    private DeviceInfo first() {
        List<DeviceInfo> all = subject().device().devices();
        assertFalse("the backend has devices", all.isEmpty());
        return all.get(0);
    }

    /** A confidential mode of the device, or its first mode if none is. */
    private String confidentialMode(DeviceInfo d) {
        DeviceTee tee = subject().device();
        for (String m : d.modes()) {
            if (tee.setMode(d.id(), m).confidential()) {
                return m;
            }
        }
        return d.modes().get(0);
    }

    @Test
    public void theDescriptorAndTheDevicesAreConsistent() {
        DeviceSubject s = subject();
        BackendDescriptor d = s.backend().descriptor();
        assertEquals("kind", TeeKind.DEVICE, d.kind());
        assertEquals("tee type", s.teeType(), d.teeType());
        assertFalse("vendor", d.vendor().isBlank());
        assertFalse("product", d.product().isBlank());
        assertTrue("the hypervisor lists the device TEE",
                s.hypervisor().backends().stream().anyMatch(b -> b.teeType().equals(s.teeType())));
        Set<String> ids = new HashSet<>();
        for (DeviceInfo i : s.device().devices()) {
            assertTrue("unique id " + i.id(), ids.add(i.id()));
            assertEquals("the device's tee type", s.teeType(), i.teeType());
            assertTrue("mode " + i.mode() + " is one of " + i.modes(), i.modes().contains(i.mode()));
            assertEquals("device(id) is the listed device", i.id(), s.device().device(i.id()).id());
        }
        assertTrue("the assignment lists the devices", s.assignment().devices().stream().map(DeviceInfo::id)
                .toList().containsAll(ids));
    }

    @Test
    public void unknownDevicesAndModesAreRefusedNamingWhatExists() {
        DeviceTee tee = subject().device();
        DeviceInfo d = first();
        IllegalArgumentException noDevice = assertThrows(IllegalArgumentException.class,
                () -> tee.device("no-such-device9"));
        assertTrue(noDevice.getMessage(), noDevice.getMessage().contains(d.id()));
        IllegalArgumentException noMode = assertThrows(IllegalArgumentException.class,
                () -> tee.setMode(d.id(), "no-such-mode"));
        assertTrue(noMode.getMessage(), noMode.getMessage().contains(d.modes().get(0)));
    }

    @Test
    public void theModeChangesOnlyWhileNoGuestHoldsTheDevice() {
        DeviceSubject s = subject();
        DeviceInfo d = first();
        String mode = confidentialMode(d);
        String guest = confidentialGuest();
        s.assignment().attach(guest, d.id());
        assertEquals(guest, s.device().device(d.id()).guest().orElse(null));
        for (String other : d.modes()) {
            if (!other.equals(mode)) {
                TeeException e = assertThrows(TeeException.class, () -> s.device().setMode(d.id(), other));
                assertFalse("a status name", e.status().name().isBlank());
            }
        }
        assertEquals("the mode is unchanged", mode, s.device().device(d.id()).mode());
        s.assignment().detach(guest, d.id());
        assertTrue(s.device().device(d.id()).guest().isEmpty());
    }

    @Test
    public void aDeviceInAConfidentialModeRefusesAGuestWithoutMemoryIntegrity() {
        DeviceSubject s = subject();
        DeviceInfo d = first();
        String mode = confidentialMode(d);
        String plain = "plain" + NAMES.incrementAndGet();
        if (!s.device().device(d.id()).confidential() || !s.launchPlainGuest(plain)) {
            return; // no confidential mode, or no CPU TEE without integrity on this platform
        }
        created.add(plain);
        TeeException e = assertThrows(TeeException.class, () -> s.assignment().attach(plain, d.id()));
        assertTrue(e.getMessage(), e.getMessage().contains(plain));
        assertTrue("not attached", s.assignment().assignments().stream().noneMatch(a -> a.guest().equals(plain)));
        assertEquals(mode, s.device().device(d.id()).mode());
    }

    @Test
    public void theDeviceAnswersItsGuestOnlyWhileAttachedAndRunning() {
        DeviceSubject s = subject();
        DeviceInfo d = first();
        confidentialMode(d);
        assertThrows("no guest holds it", TeeException.class, () -> s.device().exchange(d.id(), new byte[] {0x10}));
        String guest = confidentialGuest();
        s.assignment().attach(guest, d.id());
        GuestDevice gd = s.assignment().device(guest, d.id());
        s.malformedMessage().ifPresent(m -> {
            assertTrue("a malformed message is answered", gd.exchange(m).length > 0);
            assertTrue("and the device still answers", gd.exchange(m).length > 0);
        });
        s.hypervisor().pause(guest);
        TeeException paused = assertThrows(TeeException.class, () -> gd.exchange(new byte[] {0x10}));
        assertEquals(FirmwareStatus.INVALID_GUEST_STATE.name(), paused.status().name());
        s.hypervisor().resume(guest);
        s.assignment().detach(guest, d.id());
        assertThrows("detached", RuntimeException.class, () -> gd.exchange(new byte[] {0x10}));
    }

    @Test
    public void hostReadsOfDeviceMemoryHaveAnOutcome() {
        DeviceSubject s = subject();
        DeviceInfo d = first();
        assertNotNull(s.device().hostAccess(d.id(), 0, HostAccess.READ, new byte[64]).outcome());
        assertThrows(IllegalArgumentException.class,
                () -> s.device().hostAccess(d.id(), Long.MAX_VALUE - 8, HostAccess.READ, new byte[64]));
    }

    @Test
    public void anUpdateOfTheBackendKeepsTheGuestAndItsAssignment() {
        DeviceSubject s = subject();
        DeviceInfo d = first();
        confidentialMode(d);
        String guest = confidentialGuest();
        s.assignment().attach(guest, d.id());
        s.updateBackend();
        assertEquals(GuestState.RUNNING, s.hypervisor().guest(guest).state());
        OsgiSubject.await(d.id() + " attached to " + guest + " again", () -> s.assignment().assignments().contains(
                new DeviceAssignment.Assignment(d.id(), s.teeType(), guest, true))
                && s.device().device(d.id()).guest().orElse("").equals(guest));
        s.assignment().detach(guest, d.id());
    }
}
