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
 * @param path how it reached the host, in the exit protocol's words
 * @param exitCode the exit code in the protocol's numbering
 * @param hostSaw the guest state the host could read for this exit, by register or field name
 * @param result what the guest got back (registers by name, lower case): the protocol's own registers, then the
 *            architectural registers the instruction leaves ({@code rax}..{@code rdx} for CPUID) on every TEE; or an
 *            {@code error} entry
 */
public record ExitTrace(int sequence, int vcpu, GuestInstruction instruction, String path, long exitCode,
        Map<String, Long> hostSaw, Map<String, Long> result) {

    /** Creates a trace; maps are copied and keep their order. */
    public ExitTrace {
        hostSaw = Collections.unmodifiableMap(new LinkedHashMap<>(hostSaw));
        result = Collections.unmodifiableMap(new LinkedHashMap<>(result));
    }
}
