package io.teebox.hypervisor.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceHost;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * Device assignment, the same for every device TEE: which guest holds which device, direct memory access through
 * the IOMMU, and the relay between a guest's driver and its device. An assignment is the host's record and outlives
 * the device's backend: while the backend is away the guest runs without the device; when a backend of the same
 * {@code tee.type} returns the device is attached again from reset.
 * <p>
 * The IOMMU rule: on a TEE with memory integrity (SNP's RMP, TDX's private/shared split) a device reaches only the
 * pages the guest shared; a DMA touching any other page faults ({@code IO_PAGE_FAULT}) and transfers nothing. On
 * TEEs without integrity (SEV, SEV-ES) DMA reads and writes the stored bytes, ciphertext for private pages.
 */
final class Devices implements DeviceAssignment {

    private static final Logger LOG = Logger.getLogger(Devices.class.getName());

    /** Linux's answer to assigning a device that is in use (VFIO). */
    static final FirmwareStatus EBUSY = new FirmwareStatus("hypervisor", "EBUSY", 16);
    /** Linux's answer for a device that is not there (its driver is unbound). */
    static final FirmwareStatus ENODEV = new FirmwareStatus("hypervisor", "ENODEV", 19);
    /** The IOMMU's fault for a device access the guest did not allow (AMD-Vi and VT-d log it as a page fault). */
    static final FirmwareStatus IO_PAGE_FAULT = new FirmwareStatus("iommu", "IO_PAGE_FAULT", 0x2);

    private record Held(String device, String teeType, Guest guest) {
    }

    private final Guests guests;
    /** Device backends by tee.type; guarded by this. */
    private final Map<String, DeviceTee> backends = new TreeMap<>();
    /** Assignments by device id; guarded by this. */
    private final Map<String, Held> held = new TreeMap<>();

    Devices(Guests guests) {
        this.guests = guests;
    }

    // ---- backends ----------------------------------------------------------------------------------------------

    void bound(String type, DeviceTee tee) {
        List<Held> again;
        synchronized (this) {
            backends.put(type, tee);
            again = held.values().stream().filter(h -> h.teeType.equals(type)).toList();
        }
        for (Held h : again) {
            try {
                tee.attach(h.device, new Host(h.guest, confidential(h.guest)));
                LOG.info(() -> h.device + " attached again to guest " + h.guest.config.name() + " (its " + type
                        + " backend returned; the device starts from reset)");
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, h.device + " could not be attached again to guest " + h.guest.config.name()
                        + ": " + e.getMessage(), e);
            }
        }
    }

    synchronized void unbound(String type, DeviceTee tee) {
        if (backends.get(type) == tee) {
            backends.remove(type);
        }
    }

    /** Releases every device a guest held: called when the guest is destroyed. */
    void released(Guest g) {
        List<Held> mine;
        synchronized (this) {
            mine = held.values().stream().filter(h -> h.guest == g).toList();
            mine.forEach(h -> held.remove(h.device));
        }
        for (Held h : mine) {
            DeviceTee tee = backend(h.teeType);
            if (tee != null) {
                try {
                    tee.detach(h.device);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "detaching " + h.device + " from destroyed guest " + g.config.name()
                            + ": " + e.getMessage(), e);
                }
            }
        }
    }

    private synchronized DeviceTee backend(String type) {
        return backends.get(type);
    }

    // ---- DeviceAssignment --------------------------------------------------------------------------------------

    @Override
    public List<DeviceInfo> devices() {
        Map<String, DeviceTee> now;
        synchronized (this) {
            now = new LinkedHashMap<>(backends);
        }
        List<DeviceInfo> out = new ArrayList<>();
        now.forEach((type, tee) -> {
            try {
                out.addAll(tee.devices());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "the " + type + " device backend failed to list its devices", e);
            }
        });
        out.sort(Comparator.comparing(DeviceInfo::id));
        return out;
    }

    /** @return the device backend that has the device, and its type */
    private Map.Entry<String, DeviceTee> owner(String device) {
        Objects.requireNonNull(device, "device");
        Map<String, DeviceTee> now;
        synchronized (this) {
            now = new LinkedHashMap<>(backends);
        }
        List<String> known = new ArrayList<>();
        for (Map.Entry<String, DeviceTee> e : now.entrySet()) {
            for (DeviceInfo d : e.getValue().devices()) {
                if (d.id().equals(device)) {
                    return e;
                }
                known.add(d.id());
            }
        }
        throw new IllegalArgumentException("no device '" + device + "'" + (known.isEmpty()
                ? ": no device backend is present (is the h100 bundle, or another device TEE, started?)"
                : "; devices: " + String.join(", ", known)));
    }

    @Override
    public void attach(String guest, String device) {
        Guest g = guests.find(guest);
        Map.Entry<String, DeviceTee> owner = owner(device);
        synchronized (this) {
            Held h = held.get(device);
            if (h != null) {
                throw new TeeException(EBUSY, device + " is held by guest " + h.guest.config.name()
                        + "; detach it there first");
            }
            synchronized (g) {
                requireRunning(g, "a device is attached to a running guest");
            }
            owner.getValue().attach(device, new Host(g, confidential(g)));
            held.put(device, new Held(device, owner.getKey(), g));
        }
    }

    @Override
    public void detach(String guest, String device) {
        Guest g = guests.find(guest);
        Held h;
        synchronized (this) {
            h = held.get(device);
            if (h == null || h.guest != g) {
                throw new IllegalArgumentException("guest " + g.config.name() + " does not hold " + device
                        + (h == null ? "" : " (guest " + h.guest.config.name() + " does)"));
            }
            held.remove(device);
        }
        DeviceTee tee = backend(h.teeType);
        if (tee != null) {
            tee.detach(device);
        }
    }

    @Override
    public synchronized List<Assignment> assignments() {
        return held.values().stream().map(h -> new Assignment(h.device, h.teeType, h.guest.config.name(),
                backends.containsKey(h.teeType))).toList();
    }

    @Override
    public GuestDevice device(String guest, String device) {
        Guest g = guests.find(guest);
        synchronized (this) {
            Held h = held.get(device);
            if (h == null || h.guest != g) {
                throw new IllegalArgumentException("guest " + g.config.name() + " does not hold " + device
                        + "; attach it first");
            }
        }
        return new Relay(g, device);
    }

    /** Caller holds the guest's monitor. */
    private static void requireRunning(Guest g, String consequence) {
        if (g.state != GuestState.RUNNING) {
            throw new TeeException(FirmwareStatus.INVALID_GUEST_STATE, "guest " + g.config.name() + " is " + g.state
                    + "; " + consequence);
        }
    }

    private boolean confidential(Guest g) {
        Backend b = guests.backends().present(g.config.teeType());
        return b != null && b.tee().descriptor().has(Capability.MEMORY_INTEGRITY);
    }

    // ---- the guest's driver's path to its device ---------------------------------------------------------------

    /** A device as the guest's driver reaches it; every call checks the guest runs and still holds the device. */
    private final class Relay implements GuestDevice {

        private final Guest g;
        private final String device;

        Relay(Guest g, String device) {
            this.g = g;
            this.device = device;
        }

        @Override
        public String id() {
            return device;
        }

        @Override
        public String guest() {
            return g.config.name();
        }

        @Override
        public DeviceInfo info() {
            return tee("read the state of").device(device);
        }

        @Override
        public byte[] exchange(byte[] message) {
            Objects.requireNonNull(message, "message");
            return tee("send a message to").exchange(device, message.clone());
        }

        @Override
        public byte[] submit(byte[] command) {
            Objects.requireNonNull(command, "command");
            return tee("submit work to").submit(device, command.clone());
        }

        private DeviceTee tee(String action) {
            synchronized (g) {
                requireRunning(g, "it cannot " + action + " " + device);
            }
            String type;
            synchronized (Devices.this) {
                Held h = held.get(device);
                if (h == null || h.guest != g) {
                    throw new TeeException(ENODEV, device + " is no longer attached to guest " + g.config.name());
                }
                type = h.teeType;
            }
            DeviceTee tee = backend(type);
            if (tee == null) {
                throw new TeeException(ENODEV, device + " is gone: its " + type + " backend is away (its bundle is "
                        + "stopped or being updated); the guest keeps running and the device returns from reset");
            }
            return tee;
        }

        @Override
        public String toString() {
            return device + " of guest " + g.config.name();
        }
    }

    /** The guest and its memory as a device's DMA reaches it. */
    private static final class Host implements DeviceHost {

        private final Guest g;
        private final boolean confidential;

        Host(Guest g, boolean confidential) {
            this.g = g;
            this.confidential = confidential;
        }

        @Override
        public String guest() {
            return g.config.name();
        }

        @Override
        public String guestTeeType() {
            return g.config.teeType();
        }

        @Override
        public boolean confidentialGuest() {
            return confidential;
        }

        @Override
        public byte[] dmaRead(long gpa, int length) {
            GuestSide.checkLength(length);
            synchronized (g) {
                check(gpa, length, "read");
                byte[] out = new byte[length];
                GuestSide.forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
                    GuestPages.Page p = g.memory.peek(pageGpa);
                    if (p != null) {
                        System.arraycopy(p.raw, inPage, out, off, n);
                    }
                });
                return out;
            }
        }

        @Override
        public void dmaWrite(long gpa, byte[] data) {
            GuestSide.checkLength(data.length);
            synchronized (g) {
                check(gpa, data.length, "write");
                GuestSide.forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
                    GuestPages.Page p = g.memory.page(pageGpa);
                    System.arraycopy(data, off, p.raw, inPage, n);
                });
            }
        }

        /** Caller holds the guest's monitor. */
        private void check(long gpa, int length, String what) {
            requireRunning(g, "the IOMMU blocks device DMA to it");
            g.memory.checkRange(gpa, length);
            if (!confidential) {
                return;
            }
            GuestSide.forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
                GuestPages.Page p = g.memory.peek(pageGpa);
                if (p == null || !p.shared) {
                    throw new TeeException(IO_PAGE_FAULT, String.format("device DMA %s of page 0x%X of guest %s: "
                            + "the page is not shared with the host, and the IOMMU lets devices reach only shared "
                            + "pages of a confidential VM (use a bounce buffer)", what, pageGpa, g.config.name()));
                }
            });
        }
    }
}
