package io.teebox.api.launch;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What starts a launch: the guest policy, the guest owner's parameters in the vendor's encoding, and the vCPUs.
 *
 * @param policy the guest policy as the vendor encodes it (SEV: 32 bits, SNP: 64 bits, TDX: TD attributes)
 * @param ownerParameters the guest owner's blobs by name, for example SEV's {@code "godh-cert"} and
 *            {@code "session"}; empty for a launch without an owner session
 * @param vcpuCount number of vCPUs, at least 1
 * @param vcpuType the vCPU model, for example {@code "EPYC-v4"}
 */
public record LaunchRequest(long policy, Map<String, byte[]> ownerParameters, int vcpuCount, String vcpuType) {

    /**
     * @throws IllegalArgumentException if vcpuCount is less than 1
     */
    public LaunchRequest {
        if (vcpuCount < 1) {
            throw new IllegalArgumentException("a guest needs at least one vCPU, got " + vcpuCount);
        }
        Map<String, byte[]> copy = new LinkedHashMap<>();
        ownerParameters.forEach((k, v) -> copy.put(k, v.clone()));
        ownerParameters = Collections.unmodifiableMap(copy);
    }

    /**
     * @param name the parameter name
     * @return a copy of the parameter, or null if absent
     */
    public byte[] ownerParameter(String name) {
        byte[] value = ownerParameters.get(name);
        return value == null ? null : value.clone();
    }
}
