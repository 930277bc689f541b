package io.teebox.hypervisor.internal;

import java.util.HashMap;
import java.util.Map;

/** A vCPU: its 4 KiB save area as stored in host memory, in its TEE's format, and its exit protocol's state. */
final class Vcpu {
    final int index;
    byte[] saveArea = new byte[GuestPages.PAGE_SIZE];
    boolean encrypted;
    /** What the TEE's exit protocol keeps for this vCPU (for example a registered shared page). */
    final Map<String, Long> protocolState = new HashMap<>();

    Vcpu(int index) {
        this.index = index;
    }
}
