package io.teebox.api.hypervisor;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One intercepted guest instruction as it crossed to the host: what the host could see, and what it answered.
 *
 * @param sequence position in the guest's exit log, from 1
 * @param vcpu the vCPU
 * @param instruction what the guest executed
 * @param path how it reached the host, for example {@code "automatic exit: host reads the save area"} or
 *            {@code "#VC -> GHCB -> VMGEXIT"}
 * @param exitCode the SVM exit code the host handled (0x72 CPUID, 0x7B IOIO, 0x7C MSR, 0x80000001/2 MMIO)
 * @param hostSaw the guest state the host could read for this exit, by register or GHCB field name
 * @param result what the guest got back (registers by name), or an {@code error} entry
 */
public record ExitTrace(int sequence, int vcpu, GuestInstruction instruction, String path, long exitCode,
        Map<String, Long> hostSaw, Map<String, Long> result) {

    /** Creates a trace; maps are copied and keep their order. */
    public ExitTrace {
        hostSaw = Collections.unmodifiableMap(new LinkedHashMap<>(hostSaw));
        result = Collections.unmodifiableMap(new LinkedHashMap<>(result));
    }
}
