package io.teebox.nvidia.h100.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * The completion of a {@link WorkSubmission} (teebox's encoding), 24 bytes, little-endian:
 *
 * <pre>
 * 0x00 u8  Version     1
 * 0x01 u8  Opcode      the submission's
 * 0x02 u16 Reserved    zero
 * 0x04 u32 Status      0 (NV_OK); a refused submission gets no completion but the GPU's error
 * 0x08 u64 IvCounter   the IV counter used
 * 0x10 u32 Length      bytes moved: plaintext written to device memory, or ciphertext ‖ tag written to the bounce
 *                      buffer
 * 0x14 u32 Reserved    zero
 * </pre>
 *
 * @param opcode the submission's opcode
 * @param status 0
 * @param ivCounter the IV counter
 * @param length the bytes moved
 */
record WorkCompletion(int opcode, int status, long ivCounter, int length) {

    static final int VERSION = 1;
    static final int LENGTH = 0x18;
    private static final String STRUCT = "WorkCompletion";

    /** @return the 24 bytes */
    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) VERSION).put((byte) opcode).putShort((short) 0).putInt(status).putLong(ivCounter)
                .putInt(length).putInt(0);
        return b.array();
    }

    /**
     * @param bytes a completion
     * @return it
     * @throws MalformedStructureException naming the field that is wrong
     */
    static WorkCompletion parse(byte[] bytes) {
        ByteBuffer b = WorkSubmission.opened(bytes, LENGTH, STRUCT, "a work completion");
        int opcode = b.get() & 0xFF;
        int r1 = b.getShort() & 0xFFFF;
        int status = b.getInt();
        long counter = b.getLong();
        int length = b.getInt();
        int r2 = b.getInt();
        if (r1 != 0 || r2 != 0) {
            throw new MalformedStructureException(STRUCT, "Reserved", STRUCT + ".Reserved is not zero");
        }
        return new WorkCompletion(opcode, status, counter, length);
    }
}
