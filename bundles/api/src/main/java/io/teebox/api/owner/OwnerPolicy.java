package io.teebox.api.owner;

/**
 * What a guest owner expects of a launch and what it releases once the launch matches.
 *
 * @param policy the guest policy to launch with
 * @param firmware the firmware image the owner expects (the expected digest is computed from it), or null for the
 *            platform's built-in default firmware
 * @param kernel expected kernel, or null
 * @param initrd expected initrd, or null
 * @param cmdline expected kernel command line, or null
 * @param expectedDigest a precomputed launch digest to expect instead of computing one, or null
 * @param secret the secret to release after a matching measurement, or null
 * @param secretAddress where to place the secret, or -1 for the firmware's launch-secret area
 * @param idBlock whether the owner hands the firmware a signed ID block carrying the expected digest (SEV-SNP:
 *            SNP_LAUNCH_FINISH then refuses any other launch, and reports carry the ID and author key digests);
 *            without one, as in a plain {@code snpguest}/QEMU launch, reports carry zero key digests
 */
public record OwnerPolicy(long policy, byte[] firmware, byte[] kernel, byte[] initrd, String cmdline,
        byte[] expectedDigest, byte[] secret, long secretAddress, boolean idBlock) {

    /** Creates a policy; arrays are copied. */
    public OwnerPolicy {
        firmware = copy(firmware);
        kernel = copy(kernel);
        initrd = copy(initrd);
        expectedDigest = copy(expectedDigest);
        secret = copy(secret);
    }

    /**
     * A policy without an ID block.
     *
     * @see #OwnerPolicy(long, byte[], byte[], byte[], String, byte[], byte[], long, boolean)
     */
    public OwnerPolicy(long policy, byte[] firmware, byte[] kernel, byte[] initrd, String cmdline,
            byte[] expectedDigest, byte[] secret, long secretAddress) {
        this(policy, firmware, kernel, initrd, cmdline, expectedDigest, secret, secretAddress, false);
    }

    /** @return a copy of the firmware, or null */
    @Override
    public byte[] firmware() {
        return copy(firmware);
    }

    /** @return a copy of the kernel, or null */
    @Override
    public byte[] kernel() {
        return copy(kernel);
    }

    /** @return a copy of the initrd, or null */
    @Override
    public byte[] initrd() {
        return copy(initrd);
    }

    /** @return a copy of the expected digest, or null */
    @Override
    public byte[] expectedDigest() {
        return copy(expectedDigest);
    }

    /** @return a copy of the secret, or null */
    @Override
    public byte[] secret() {
        return copy(secret);
    }

    private static byte[] copy(byte[] a) {
        return a == null ? null : a.clone();
    }
}
