package io.teebox.nvidia.h100.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * One work submission of the guest's driver to the GPU's copy engine LCE0 (teebox's encoding; NVIDIA's push-buffer
 * methods are not modelled), 40 bytes, little-endian:
 *
 * <pre>
 * 0x00 u8  Version        1
 * 0x01 u8  Opcode         1 COPY_TO_DEVICE (bounce buffer to device memory), 2 COPY_FROM_DEVICE
 * 0x02 u16 Channel        0 (LCE0)
 * 0x04 u32 SessionId      the SPDM session whose export master secret keys the channel
 * 0x08 u64 IvCounter      the IV's message counter (1, 2, ...; strictly increasing; at most 2^32-1)
 * 0x10 u64 BounceGpa      guest physical address of the bounce buffer (shared pages)
 * 0x18 u64 DeviceAddress  device memory address
 * 0x20 u32 Length         plaintext bytes, 1..1 MiB-16; the bounce buffer holds Length + 16 (ciphertext ‖ tag)
 * 0x24 u32 Reserved       must be zero
 * </pre>
 *
 * @param opcode {@link #COPY_TO_DEVICE} or {@link #COPY_FROM_DEVICE}
 * @param channel the channel, 0
 * @param sessionId the SPDM session id
 * @param ivCounter the IV's message counter
 * @param bounceGpa the bounce buffer's guest physical address
 * @param deviceAddress the device memory address
 * @param length the plaintext length
 */
record WorkSubmission(int opcode, int channel, int sessionId, long ivCounter, long bounceGpa, long deviceAddress,
        int length) {

    static final int VERSION = 1;
    static final int LENGTH = 0x28;
    static final int COPY_TO_DEVICE = 1;
    static final int COPY_FROM_DEVICE = 2;
    /** The largest transfer: DMA moves at most 1 MiB, which holds the tag too. */
    static final int MAX_LENGTH = (1 << 20) - ChannelCrypto.TAG;
    private static final String STRUCT = "WorkSubmission";

    WorkSubmission {
        if (opcode != COPY_TO_DEVICE && opcode != COPY_FROM_DEVICE) {
            throw new MalformedStructureException(STRUCT, "Opcode", STRUCT + ".Opcode is " + opcode
                    + ", expected 1 (COPY_TO_DEVICE) or 2 (COPY_FROM_DEVICE)");
        }
        if (channel != 0) {
            throw new MalformedStructureException(STRUCT, "Channel", STRUCT + ".Channel is " + channel
                    + ", expected 0 (LCE0)");
        }
        if (length < 1 || length > MAX_LENGTH) {
            throw new MalformedStructureException(STRUCT, "Length", STRUCT + ".Length is "
                    + Integer.toUnsignedString(length) + ", expected 1.." + MAX_LENGTH);
        }
    }

    /**
     * Checks a record of this wire format's family (submission, completion): its length and Version.
     *
     * @param bytes the record
     * @param length its fixed length
     * @param struct its name, for messages
     * @param what what it is, for messages
     * @return a little-endian reader positioned after the Version byte
     * @throws MalformedStructureException naming what is wrong
     */
    static ByteBuffer opened(byte[] bytes, int length, String struct, String what) {
        if (bytes == null || bytes.length != length) {
            throw new MalformedStructureException(struct, null, what + " is " + length + " bytes, got "
                    + (bytes == null ? "none" : bytes.length));
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int version = b.get() & 0xFF;
        if (version != VERSION) {
            throw new MalformedStructureException(struct, "Version", struct + ".Version at 0x00 is " + version
                    + ", expected " + VERSION);
        }
        return b;
    }

    /** @return the 40 bytes */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).put((byte) opcode).putShort((short) channel).putInt(sessionId).putLong(ivCounter)
                .putLong(bounceGpa).putLong(deviceAddress).putInt(length).putInt(0);
        return b.array();
    }

    /**
     * @param bytes a submission
     * @return it
     * @throws MalformedStructureException naming the field that is wrong
     */
    static WorkSubmission parse(byte[] bytes) {
        ByteBuffer b = opened(bytes, LENGTH, STRUCT, "a work submission");
        int opcode = b.get() & 0xFF;
        int channel = b.getShort() & 0xFFFF;
        int session = b.getInt();
        long counter = b.getLong();
        long gpa = b.getLong();
        long address = b.getLong();
        int length = b.getInt();
        int reserved = b.getInt();
        if (reserved != 0) {
            throw new MalformedStructureException(STRUCT, "Reserved", STRUCT + ".Reserved at 0x24 is 0x"
                    + Integer.toHexString(reserved) + ", expected zero");
        }
        return new WorkSubmission(opcode, channel, session, counter, gpa, address, length);
    }

    /** @return the bytes the bounce buffer holds for this transfer: the data and its tag */
    int bounceBytes() {
        return length + ChannelCrypto.TAG;
    }
}
