package io.teebox.api.tee;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What a TEE backend is and can do, as of now (firmware and TCB change at runtime).
 *
 * @param teeType the backend's type id, equal to its {@code tee.type} service property, for example {@code "sev"}
 * @param vendor the vendor, for example {@code "AMD"}
 * @param kind CPU (whole VMs) or DEVICE (an accelerator attached to a VM)
 * @param architecture the instruction set or bus it belongs to, for example {@code "x86_64"}, {@code "aarch64"},
 *            {@code "pcie"}
 * @param product the emulated product, for example {@code "EPYC 7003 (Milan)"}
 * @param capabilities what the backend can do
 * @param firmware the running firmware version
 * @param tcb the reported TCB version
 * @param keySlots the memory-encryption key slots the backend hands out, or null if it has none
 * @param defaults launch defaults and vCPU models
 * @param properties further vendor facts for display, in order
 */
public record BackendDescriptor(String teeType, String vendor, TeeKind kind, String architecture, String product,
        Set<Capability> capabilities, FirmwareVersion firmware, TcbVersion tcb, KeySlotLimits keySlots,
        LaunchDefaults defaults, Map<String, String> properties) {

    /** Creates a descriptor; collections are copied. */
    public BackendDescriptor {
        Objects.requireNonNull(teeType, "teeType");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(firmware, "firmware");
        Objects.requireNonNull(tcb, "tcb");
        Objects.requireNonNull(defaults, "defaults");
        capabilities = capabilities.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(Capability.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** @return the key slots, if the backend has any */
    public Optional<KeySlotLimits> slots() {
        return Optional.ofNullable(keySlots);
    }

    /** @return true if the backend has the capability */
    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }
}
