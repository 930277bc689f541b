package io.teebox.api.tee;

import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a TEE backend is and can do.
 *
 * @param teeType the backend's type id, equal to its {@code tee.type} service property, for example {@code "sev"}
 * @param vendor the vendor, for example {@code "AMD"}
 * @param kind CPU or device
 * @param product the emulated product, for example {@code "EPYC 7003 (Milan)"}
 * @param capabilities what the backend can do
 * @param firmware the running firmware version
 * @param tcb the reported TCB version
 * @param keySlots the key slots this backend can allocate for guests
 * @param properties further vendor facts for display (ordered)
 */
public record BackendDescriptor(String teeType, String vendor, TeeKind kind, String product,
        Set<Capability> capabilities, FirmwareVersion firmware, TcbVersion tcb, KeySlotLimits keySlots,
        Map<String, String> properties) {

    /**
     * Property naming how the hypervisor loads a firmware image for this backend: {@value #LAYOUT_OVMF_SEV} (the
     * default: the whole image is measured as one region, then the optional kernel-hashes table),
     * {@value #LAYOUT_OVMF_SNP} (the image, then its SEV metadata sections by page type), {@value #LAYOUT_TDVF}
     * (the sections of the image's TDX metadata, each added and, if its attribute says so,
     * extended into the measurement).
     */
    public static final String FIRMWARE_LAYOUT = "firmware.layout";
    /** Firmware layout of the SEV family. */
    public static final String LAYOUT_OVMF_SEV = "ovmf-sev";
    /**
     * Firmware layout of SEV-SNP: the whole image as NORMAL pages, then the image's SEV metadata sections by type
     * (zero, secrets, CPUID, kernel hashes), then one VMSA per vCPU.
     */
    public static final String LAYOUT_OVMF_SNP = "ovmf-snp";
    /** Firmware layout of Intel TDX (TDVF metadata). */
    public static final String LAYOUT_TDVF = "tdvf";

    /**
     * Property listing the vCPU models a guest of this backend may be created with, comma-separated in the
     * vendor's spelling (QEMU's model names), the default first; absent means any model.
     */
    public static final String VCPU_MODELS = "vcpu.models";

    /** Creates a descriptor; collections are copied. */
    public BackendDescriptor {
        Objects.requireNonNull(teeType, "teeType");
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(firmware, "firmware");
        capabilities = capabilities.isEmpty()
                ? Collections.unmodifiableSet(EnumSet.noneOf(Capability.class))
                : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    /** @return the firmware layout property, {@value #LAYOUT_OVMF_SEV} if absent */
    public String firmwareLayout() {
        return properties.getOrDefault(FIRMWARE_LAYOUT, LAYOUT_OVMF_SEV);
    }

    /** @return the vCPU models guests of this backend may use, the default first; empty if any model will do */
    public java.util.List<String> vcpuModels() {
        String list = properties.getOrDefault(VCPU_MODELS, "").trim();
        return list.isEmpty() ? java.util.List.of() : java.util.List.of(list.split("\\s*,\\s*"));
    }

    /** @return true if the backend has the capability */
    public boolean has(Capability capability) {
        return capabilities.contains(capability);
    }
}
