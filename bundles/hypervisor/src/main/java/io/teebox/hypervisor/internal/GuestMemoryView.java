package io.teebox.hypervisor.internal;

import io.teebox.api.launch.GuestMemory;

/**
 * The guest's memory and save areas as the firmware reaches them: raw bytes in host memory by physical address.
 * What the backend writes here is whatever its engine produced (ciphertext for private pages).
 */
final class GuestMemoryView implements GuestMemory {

    private final Guest guest;

    GuestMemoryView(Guest guest) {
        this.guest = guest;
    }

    @Override
    public long hostPhysicalAddress(long guestPhysicalAddress) {
        synchronized (guest) {
            guest.memory.checkPageAligned(guestPhysicalAddress);
            return guest.memory.page(guestPhysicalAddress).hpa;
        }
    }

    @Override
    public byte[] readPage(long guestPhysicalAddress) {
        synchronized (guest) {
            guest.memory.checkPageAligned(guestPhysicalAddress);
            GuestPages.Page p = guest.memory.peek(guestPhysicalAddress);
            return p == null ? new byte[GuestPages.PAGE_SIZE] : p.raw.clone();
        }
    }

    @Override
    public void writePage(long guestPhysicalAddress, byte[] raw) {
        checkPage(raw, "page");
        synchronized (guest) {
            guest.memory.checkPageAligned(guestPhysicalAddress);
            GuestPages.Page p = guest.memory.page(guestPhysicalAddress);
            p.raw = raw.clone();
            // Whatever the firmware writes into guest memory during launch is encrypted under the guest key.
            p.priv = true;
            p.shared = false;
        }
    }

    @Override
    public int vcpuCount() {
        return guest.vcpus.length;
    }

    @Override
    public byte[] readSaveArea(int vcpu) {
        synchronized (guest) {
            return vcpu(vcpu).saveArea.clone();
        }
    }

    @Override
    public void writeSaveArea(int vcpu, byte[] raw, boolean encrypted) {
        checkPage(raw, "save area");
        synchronized (guest) {
            Vcpu v = vcpu(vcpu);
            v.saveArea = raw.clone();
            v.encrypted = encrypted;
        }
    }

    private Vcpu vcpu(int index) {
        if (index < 0 || index >= guest.vcpus.length) {
            throw new IllegalArgumentException("vCPU " + index + " does not exist; guest " + guest.config.name()
                    + " has vCPUs 0.." + (guest.vcpus.length - 1));
        }
        return guest.vcpus[index];
    }

    private static void checkPage(byte[] raw, String what) {
        if (raw == null || raw.length != GuestPages.PAGE_SIZE) {
            throw new IllegalArgumentException(what + " must be " + GuestPages.PAGE_SIZE + " bytes, got "
                    + (raw == null ? "null" : raw.length));
        }
    }
}
