package io.teebox.api.hypervisor;

import java.util.Objects;

/**
 * What a guest is created with.
 *
 * @param name a unique name chosen by the operator
 * @param teeType the backend to run it on, for example {@code "sev"}
 * @param vcpus number of vCPUs, 1 to 64
 * @param vcpuType the vCPU model, for example {@code "EPYC-v4"}
 * @param memoryBytes guest physical memory below the firmware, a positive multiple of 4 KiB
 */
public record GuestConfig(String name, String teeType, int vcpus, String vcpuType, long memoryBytes) {

    /** Largest number of vCPUs a guest may have. */
    public static final int MAX_VCPUS = 64;

    /**
     * @throws IllegalArgumentException naming the bad field
     */
    public GuestConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(teeType, "teeType");
        Objects.requireNonNull(vcpuType, "vcpuType");
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
            throw new IllegalArgumentException("guest name '" + name
                    + "' must be 1 to 63 letters, digits, '.', '_' or '-' and start with a letter or digit");
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException("vcpus must be 1.." + MAX_VCPUS + ", got " + vcpus);
        }
        if (memoryBytes <= 0 || memoryBytes % 4096 != 0) {
            throw new IllegalArgumentException("memory must be a positive multiple of 4096 bytes, got " + memoryBytes);
        }
    }
}
