package io.teebox.nvidia.h100.internal;

import java.util.Optional;

import javax.crypto.AEADBadTagException;

import io.teebox.api.device.GuestDevice;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.Packet;

/**
 * The driver's side of the GPU's wire formats, for {@link io.teebox.nvidia.h100.GpuDriver}: the mailbox framing of
 * SPDM messages, the channel keys and counters of one session, and the work submissions. Public only for the
 * driver in the exported package; not API.
 */
public final class DriverChannel {

    /** The GCM tag's length. */
    public static final int TAG = ChannelCrypto.TAG;
    /** The largest transfer. */
    public static final int MAX_LENGTH = WorkSubmission.MAX_LENGTH;

    private final ChannelCrypto crypto;
    private long h2d;
    private long d2h;

    /** @param exportMasterSecret the session's export master secret */
    public DriverChannel(byte[] exportMasterSecret) {
        this.crypto = new ChannelCrypto(exportMasterSecret);
    }

    /**
     * @param gpu the GPU
     * @param request an SPDM or secured message
     * @return the GPU's answer
     */
    public static Packet exchange(GuestDevice gpu, Packet request) {
        return Mailbox.unframe(gpu.exchange(Mailbox.frame(request)));
    }

    /** @return the next host-to-device IV counter */
    public long nextH2d() {
        return h2d = next(h2d);
    }

    private static long next(long counter) {
        if (counter >= ChannelCrypto.MAX_MESSAGE_COUNTER) {
            throw new IllegalStateException("the channel has used all its 2^32-1 IVs; connect() again for new keys");
        }
        return counter + 1;
    }

    /** @return the next device-to-host IV counter */
    public long nextD2h() {
        return d2h = next(d2h);
    }

    /**
     * @param toDevice the host-to-device channel
     * @param counter the IV counter
     * @param plaintext the data
     * @return ciphertext ‖ tag
     */
    public byte[] seal(boolean toDevice, long counter, byte[] plaintext) {
        return crypto.seal(toDevice, counter, plaintext);
    }

    /**
     * @param toDevice the host-to-device channel
     * @param counter the IV counter
     * @param sealed ciphertext ‖ tag
     * @return the plaintext, or empty if the tag does not verify
     */
    public Optional<byte[]> open(boolean toDevice, long counter, byte[] sealed) {
        try {
            return Optional.of(crypto.open(toDevice, counter, sealed));
        } catch (AEADBadTagException e) {
            return Optional.empty();
        }
    }

    /**
     * @return a work submission's bytes
     */
    public byte[] submission(boolean toDevice, int sessionId, long counter, long bounceGpa, long deviceAddress,
            int length) {
        return new WorkSubmission(toDevice ? WorkSubmission.COPY_TO_DEVICE : WorkSubmission.COPY_FROM_DEVICE, 0,
                sessionId, counter, bounceGpa, deviceAddress, length).encode();
    }

    /**
     * @param completion a completion
     * @throws IllegalStateException if it is malformed or not a success
     */
    public static void complete(byte[] completion) {
        WorkCompletion c;
        try {
            c = WorkCompletion.parse(completion);
        } catch (MalformedStructureException e) {
            throw new IllegalStateException("the GPU's completion is malformed: " + e.getMessage(), e);
        }
        if (c.status() != 0) {
            throw new IllegalStateException("the GPU completed the copy with status 0x"
                    + Integer.toHexString(c.status()));
        }
    }

    /** Overwrites the keys. */
    public void destroy() {
        crypto.destroy();
    }
}
