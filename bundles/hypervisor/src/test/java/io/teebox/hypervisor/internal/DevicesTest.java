package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Before;
import org.junit.Test;

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceHost;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.device.HostRead;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;

/** The hypervisor's device assignment: attach rules, the IOMMU's DMA rule, the relay, a device backend's swap. */
public class DevicesTest {

    private static final long BOUNCE = 0x30_0000;

    /** A device that records what the hypervisor asks of it and does DMA through the host it was given. */
    static class Gpu implements DeviceTee {
        final List<String> calls = new ArrayList<>();
        DeviceHost host;
        String holder;

        @Override
        public List<DeviceInfo> devices() {
            return List.of(device("gpu0"));
        }

        @Override
        public DeviceInfo device(String id) {
            if (!id.equals("gpu0")) {
                throw new IllegalArgumentException("no " + id);
            }
            return new DeviceInfo("gpu0", "gpu", "on", List.of("off", "on"), true, Optional.ofNullable(holder),
                    Map.of());
        }

        @Override
        public DeviceInfo setMode(String id, String mode) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void attach(String id, DeviceHost h) {
            calls.add("attach " + h.guest() + " " + h.confidentialGuest());
            host = h;
            holder = h.guest();
        }

        @Override
        public void detach(String id) {
            calls.add("detach");
            host = null;
            holder = null;
        }

        @Override
        public byte[] exchange(String id, byte[] message) {
            return ("echo " + new String(message, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] submit(String id, byte[] command) {
            // a DMA read of 16 bytes at the bounce buffer, as a copy engine would make it
            return host.dmaRead(BOUNCE, 16);
        }

        @Override
        public HostRead hostAccess(String id, long address, HostAccess access, byte[] data) {
            return new HostRead(new byte[0], new HostAccessOutcome(HostAccessOutcome.Effect.FIXED_DATA, "test"));
        }
    }

    private HypervisorImpl hv;
    private final Gpu gpu = new Gpu();

    @Before
    public void setUp() {
        hv = new HypervisorImpl(HypervisorImplTest.config(64, 4));
        TestTee strict = new TestTee(new TestTee.Firmware(), "strict", HostAccessOutcome.Effect.HOST_FAULT);
        hv.bindAll("strict", strict);
        hv.bindAll("gpu", gpu);
        hv.create(new GuestConfig("cvm", "strict", 1, "EPYC-v4", 4 << 20));
        byte[] digest = Digests.sha256(DefaultFirmware.image());
        hv.launch("cvm", LaunchPlan.DEFAULT, HypervisorImplTest.owner(digest));
    }

    @Test
    public void attachesToARunningConfidentialGuestAndRelaysItsDriver() {
        DeviceAssignment a = hv;
        assertEquals(List.of("gpu0"), a.devices().stream().map(DeviceInfo::id).toList());
        a.attach("cvm", "gpu0");
        assertEquals(List.of("attach cvm true"), gpu.calls);
        assertEquals(List.of(new DeviceAssignment.Assignment("gpu0", "gpu", "cvm", true)), a.assignments());
        GuestDevice d = a.device("cvm", "gpu0");
        assertEquals("echo hi", new String(d.exchange("hi".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8));

        TeeException busy = assertThrows(TeeException.class, () -> a.attach("cvm", "gpu0"));
        assertEquals("EBUSY", busy.status().name());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> a.attach("cvm", "gpu9"));
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("devices: gpu0"));
    }

    @Test
    public void theIommuLetsTheDeviceReachOnlySharedPages() {
        hv.attach("cvm", "gpu0");
        GuestContext guest = hv.context("cvm");
        guest.write(BOUNCE, "private secrets!".getBytes(StandardCharsets.UTF_8));
        GuestDevice d = hv.device("cvm", "gpu0");
        TeeException fault = assertThrows(TeeException.class, () -> d.submit(new byte[1]));
        assertEquals("IO_PAGE_FAULT", fault.status().name());
        assertTrue(fault.getMessage(), fault.getMessage().contains("page 0x300000"));

        guest.share(BOUNCE, true);
        byte[] ciphertextOfTheBounceBuffer = "0123456789abcdef".getBytes(StandardCharsets.UTF_8);
        guest.write(BOUNCE, ciphertextOfTheBounceBuffer);
        assertArrayEquals(ciphertextOfTheBounceBuffer, d.submit(new byte[1]));
    }

    @Test
    public void aPausedGuestsDeviceRefusesAndADestroyedGuestReleasesIt() {
        hv.attach("cvm", "gpu0");
        GuestDevice d = hv.device("cvm", "gpu0");
        hv.pause("cvm");
        TeeException paused = assertThrows(TeeException.class, () -> d.exchange(new byte[1]));
        assertEquals("INVALID_GUEST_STATE", paused.status().name());
        TeeException attachPaused = assertThrows(TeeException.class, () -> hv.attach("cvm", "gpu0"));
        assertEquals("EBUSY", attachPaused.status().name());
        hv.resume("cvm");
        hv.destroy("cvm");
        assertEquals(List.of("attach cvm true", "detach"), gpu.calls);
        assertTrue(hv.assignments().isEmpty());
    }

    @Test
    public void theAssignmentOutlivesTheDeviceBackendWhichComesBackFromReset() {
        hv.attach("cvm", "gpu0");
        GuestDevice d = hv.device("cvm", "gpu0");
        hv.unbindAll("gpu", gpu);
        assertEquals(List.of(new DeviceAssignment.Assignment("gpu0", "gpu", "cvm", false)), hv.assignments());
        TeeException gone = assertThrows(TeeException.class, () -> d.exchange(new byte[1]));
        assertEquals("ENODEV", gone.status().name());
        assertTrue(gone.getMessage(), gone.getMessage().contains("backend is away"));

        Gpu updated = new Gpu();
        hv.bindAll("gpu", updated);
        assertEquals(List.of("attach cvm true"), updated.calls);
        assertArrayEquals("echo x".getBytes(StandardCharsets.UTF_8), d.exchange("x".getBytes(StandardCharsets.UTF_8)));
        hv.detach("cvm", "gpu0");
        assertEquals(List.of("attach cvm true", "detach"), updated.calls);
        assertFalse(Arrays.asList(hv.assignments().toArray()).iterator().hasNext());
        assertThrows(IllegalArgumentException.class, () -> hv.detach("cvm", "gpu0"));
    }

    @Test
    public void aGuestWithoutMemoryIntegrityIsNotConfidential() {
        TestTee sev = new TestTee(new TestTee.Firmware(), "plain", HostAccessOutcome.Effect.UNDETECTED);
        hv.bindAll("plain", sev);
        hv.create(new GuestConfig("vm", "plain", 1, "EPYC-v4", 4 << 20));
        hv.launch("vm", LaunchPlan.DEFAULT, HypervisorImplTest.owner(Digests.sha256(DefaultFirmware.image())));
        hv.attach("vm", "gpu0");
        assertEquals(List.of("attach vm false"), gpu.calls);
    }

    @Test
    public void aDeviceTeeIsListedAmongTheBackendsThoughItLaunchesNoGuest() {
        final class Backend extends Gpu implements io.teebox.api.tee.TeeBackend {
            @Override
            public io.teebox.api.tee.BackendDescriptor descriptor() {
                return new io.teebox.api.tee.BackendDescriptor("gpu", "test", io.teebox.api.tee.TeeKind.DEVICE,
                        "test", "test GPU", java.util.Set.of(), io.teebox.api.tee.FirmwareVersion.of(1, 0),
                        io.teebox.api.tee.TcbVersion.ofLong(0, Map.of()), null,
                        new io.teebox.api.tee.LaunchDefaults(0, "", "", "", List.of()), Map.of());
            }

            @Override
            public Map<String, byte[]> platformCertificates() {
                return Map.of();
            }
        }
        assertEquals(List.of("strict"), hv.backends().stream().map(b -> b.teeType()).toList());
        hv.bindAll("gpu", new Backend());
        assertEquals(List.of("gpu", "strict"), hv.backends().stream().map(b -> b.teeType()).toList());
        IllegalStateException launch = assertThrows(IllegalStateException.class,
                () -> hv.create(new GuestConfig("g", "gpu", 1, "EPYC-v4", 4 << 20)));
        assertTrue(launch.getMessage(), launch.getMessage().contains("gpu"));
    }
}
