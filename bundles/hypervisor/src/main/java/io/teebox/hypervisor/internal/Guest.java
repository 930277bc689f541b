package io.teebox.hypervisor.internal;

import java.util.ArrayList;
import java.util.List;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.Measurement;
import io.teebox.api.memory.KeySlot;

/** One guest; every access holds the guest's monitor. */
final class Guest {

    final String id;
    final GuestConfig config;
    final GuestPages memory;
    final Vcpu[] vcpus;
    final GuestMemoryView firmwareView;

    GuestState state = GuestState.CREATED;
    /** Paused because its backend went away, to be resumed when one of the same type returns. */
    boolean awaitingBackend;
    String note = "";
    long handle;
    KeySlot slot;
    long policy;
    Measurement measurement;
    /** What a host read of a private page yields on the guest's TEE, as its backend last declared it. */
    io.teebox.api.memory.HostAccessOutcome.Effect hostReadRule = io.teebox.api.memory.HostAccessOutcome.Effect.CIPHERTEXT;
    List<LaunchLogEntry> log = List.of();
    /** Host-emulated MSRs and MMIO registers. */
    final java.util.Map<Long, Long> msrs = new java.util.HashMap<>();
    final java.util.Map<Long, Long> mmio = new java.util.HashMap<>();
    /** What the guest wrote to the serial port (0x3F8). */
    final StringBuilder console = new StringBuilder();
    final java.util.ArrayDeque<io.teebox.api.hypervisor.ExitTrace> exits = new java.util.ArrayDeque<>();
    int exitSequence;

    Guest(String id, GuestConfig config, HostMemory host) {
        this.id = id;
        this.config = config;
        this.memory = new GuestPages(host, config.memoryBytes());
        this.vcpus = new Vcpu[config.vcpus()];
        for (int i = 0; i < vcpus.length; i++) {
            vcpus[i] = new Vcpu(i);
        }
        this.firmwareView = new GuestMemoryView(this);
    }

    synchronized GuestInfo info() {
        return new GuestInfo(id, config, state, handle, slot, policy, memory.residentPages(), note);
    }

    synchronized void appendLog(List<LaunchLogEntry> entries) {
        List<LaunchLogEntry> merged = new ArrayList<>(log);
        merged.addAll(entries);
        log = List.copyOf(merged);
    }

    boolean matches(String ref) {
        return id.equals(ref) || config.name().equals(ref);
    }
}
