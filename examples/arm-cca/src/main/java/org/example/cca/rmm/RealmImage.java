package org.example.cca.rmm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A realm image as the backend's loader lays it into the realm and the RMM measures it, and the RIM a realm owner
 * recomputes from it. The loader and the owner both follow {@link #measure}, so they cannot drift apart:
 * <ol>
 * <li>RMI_REALM_CREATE with the policy's {@link RealmParams} (the initial RIM);</li>
 * <li>the device tree: RMI_RTT_INIT_RIPAS over its granule, RMI_DATA_CREATE with RMI_MEASURE_CONTENT at
 * {@link #DTB_IPA};</li>
 * <li>the kernel: RMI_RTT_INIT_RIPAS over its granules, then RMI_DATA_CREATE of each at {@link #KERNEL_IPA} on;</li>
 * <li>RMI_REC_CREATE for each vCPU: REC 0 RUNNABLE at the kernel's entry with X0 = the DTB's IPA (the arm64 Linux
 * boot protocol), the others not runnable (they wait for PSCI CPU_ON), which the RMM does not measure.</li>
 * </ol>
 * The policy word is RmiRealmFlags in bits 0..2 and RmiRealmParams.hash_algo in bit 8.
 */
public final class RealmImage {

    /** Where the device tree goes. */
    public static final long DTB_IPA = 0x0010_0000L;
    /** Where the kernel goes; its entry point. */
    public static final long KERNEL_IPA = 0x0020_0000L;
    /** The largest kernel the loader takes. */
    public static final int MAX_KERNEL = 16 << 20;
    /** The policy bit that selects SHA-512 measurements. */
    public static final long POLICY_SHA512 = 1L << 8;
    private static final int GRANULE = 4096;

    private RealmImage() {
    }

    /** @return the built-in realm image: 16 granules a test kernel carries, the same on every platform */
    public static byte[] defaultKernel() {
        byte[] k = new byte[16 * GRANULE];
        byte[] head = "teebox example realm kernel (arm64 Image stand-in)".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, k, 0, head.length);
        byte[] block = HashAlgorithm.SHA_256.hash(head);
        for (int off = GRANULE; off < k.length; off += block.length) {
            block = HashAlgorithm.SHA_256.hash(block);
            System.arraycopy(block, 0, k, off, Math.min(block.length, k.length - off));
        }
        return k;
    }

    /**
     * @param vcpus the realm's vCPUs
     * @return the device tree the host passes (one granule): a text stand-in naming the vCPUs
     */
    public static byte[] deviceTree(int vcpus) {
        byte[] d = new byte[GRANULE];
        byte[] text = ("/dts-v1/; / { compatible = \"linux,dummy-virt\"; cpus { count = <" + vcpus + ">; }; "
                + "psci { method = \"smc\"; }; };").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, d, 0, text.length);
        return d;
    }

    /**
     * @param policy the policy word
     * @param rpv the personalization value, or null
     * @return the realm parameters the host passes for it
     * @throws IllegalArgumentException for bits the policy does not define
     */
    public static RealmParams params(long policy, byte[] rpv) {
        if ((policy & ~(0x7L | POLICY_SHA512)) != 0) {
            throw new IllegalArgumentException(String.format("policy 0x%X: only RmiRealmFlags (bits 0..2) and "
                    + "hash_algo (bit 8) are defined", policy));
        }
        return RealmParams.defaults(policy & 0x7, (policy & POLICY_SHA512) != 0 ? HashAlgorithm.SHA_512
                : HashAlgorithm.SHA_256, rpv);
    }

    /**
     * @param kernel the kernel image
     * @return it padded to whole granules
     */
    public static byte[] granules(byte[] kernel) {
        return Arrays.copyOf(kernel, (kernel.length + GRANULE - 1) / GRANULE * GRANULE);
    }

    /**
     * @param vcpu a vCPU index
     * @return the REC parameters the loader creates it with
     */
    public static RecParams rec(int vcpu) {
        long[] gprs = new long[8];
        gprs[0] = DTB_IPA;
        return new RecParams(vcpu == 0 ? RecParams.RUNNABLE : 0, vcpu, KERNEL_IPA, gprs);
    }

    /**
     * The RIM of a realm launched from this image, as the RMM computes it.
     *
     * @param params the realm parameters
     * @param kernel the kernel, or null for {@link #defaultKernel()}
     * @param vcpus the vCPUs
     * @return the RIM
     */
    public static Rim measure(RealmParams params, byte[] kernel, int vcpus) {
        Rim rim = Rim.start(params);
        rim.ripas(DTB_IPA, DTB_IPA + GRANULE).data(DTB_IPA, Rim.MEASURE_CONTENT, deviceTree(vcpus));
        byte[] k = granules(kernel == null ? defaultKernel() : kernel);
        rim.ripas(KERNEL_IPA, KERNEL_IPA + k.length);
        for (int off = 0; off < k.length; off += GRANULE) {
            rim.data(KERNEL_IPA + off, Rim.MEASURE_CONTENT, Arrays.copyOfRange(k, off, off + GRANULE));
        }
        for (int i = 0; i < vcpus; i++) {
            RecParams rec = rec(i);
            if (rec.runnable()) {
                rim.rec(rec);
            }
        }
        return rim;
    }
}
