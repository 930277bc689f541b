package io.teebox.api.tee;

import java.util.List;
import java.util.Objects;

/**
 * What a launch uses when the operator does not say otherwise, and the vCPU models a guest may have; the shell shows
 * and uses these instead of knowing any vendor's defaults.
 *
 * @param policy the default launch policy word (SEV and SNP policy, TDX TD ATTRIBUTES)
 * @param policyName what the vendor calls that word, for example {@code "policy"} or {@code "TD ATTRIBUTES"}
 * @param policyMeaning a sentence saying what the default means, for example {@code "NODBG"}
 * @param vcpuModel the default vCPU model, in QEMU's spelling
 * @param vcpuModels every vCPU model a guest of this TEE may have, the default among them; empty for a TEE without
 *            vCPUs of its own (a device)
 */
public record LaunchDefaults(long policy, String policyName, String policyMeaning, String vcpuModel,
        List<String> vcpuModels) {

    /** No defaults: a device TEE, or one launched only with explicit parameters. */
    public static final LaunchDefaults NONE = new LaunchDefaults(0, "policy", "", "", List.of());

    /**
     * @throws IllegalArgumentException if the default model is not among the models
     */
    public LaunchDefaults {
        Objects.requireNonNull(policyName, "policyName");
        Objects.requireNonNull(policyMeaning, "policyMeaning");
        Objects.requireNonNull(vcpuModel, "vcpuModel");
        vcpuModels = List.copyOf(vcpuModels);
        if (!vcpuModel.isEmpty() && !vcpuModels.contains(vcpuModel)) {
            throw new IllegalArgumentException("default vCPU model " + vcpuModel + " is not among " + vcpuModels);
        }
    }

    /**
     * @param model a model name, case-insensitive; QEMU's versioned names ({@code SapphireRapids-v2}) match their
     *            base model
     * @return true if guests of this TEE may use the model (always, when no models are listed)
     */
    public boolean allows(String model) {
        if (vcpuModels.isEmpty()) {
            return true;
        }
        String base = model.replaceFirst("-v[0-9]+$", "");
        return vcpuModels.stream().anyMatch(m -> m.equalsIgnoreCase(model) || m.equalsIgnoreCase(base));
    }
}
