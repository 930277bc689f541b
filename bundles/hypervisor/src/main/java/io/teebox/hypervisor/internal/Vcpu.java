package io.teebox.hypervisor.internal;

/** A vCPU and its 4 KiB save area (VMSA layout), as stored in host memory. */
final class Vcpu {
    final int index;
    byte[] saveArea = new byte[GuestPages.PAGE_SIZE];
    boolean encrypted;

    Vcpu(int index) {
        this.index = index;
    }
}
