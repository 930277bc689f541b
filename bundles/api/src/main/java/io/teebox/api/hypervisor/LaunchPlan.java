package io.teebox.api.hypervisor;

/**
 * What the hypervisor loads into a guest at launch.
 *
 * @param firmware a firmware image in the format the guest's TEE loads, or null for its loader's built-in default
 * @param kernel a kernel for direct boot, or null; with it, the kernel-hashes table is measured
 * @param initrd an initrd, or null
 * @param cmdline a kernel command line, or null
 */
public record LaunchPlan(byte[] firmware, byte[] kernel, byte[] initrd, String cmdline) {

    /** A plan for the built-in firmware with no kernel. */
    public static final LaunchPlan DEFAULT = new LaunchPlan(null, null, null, null);

    /** Creates a plan; arrays are copied. */
    public LaunchPlan {
        firmware = firmware == null ? null : firmware.clone();
        kernel = kernel == null ? null : kernel.clone();
        initrd = initrd == null ? null : initrd.clone();
    }

    /** @return a copy of the firmware, or null */
    @Override
    public byte[] firmware() {
        return firmware == null ? null : firmware.clone();
    }

    /** @return a copy of the kernel, or null */
    @Override
    public byte[] kernel() {
        return kernel == null ? null : kernel.clone();
    }

    /** @return a copy of the initrd, or null */
    @Override
    public byte[] initrd() {
        return initrd == null ? null : initrd.clone();
    }
}
