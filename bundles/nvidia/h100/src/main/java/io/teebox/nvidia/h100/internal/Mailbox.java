package io.teebox.nvidia.h100.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.Packet;

/**
 * How SPDM messages travel between the RM and the GSP on Hopper (open-gpu-kernel-modules {@code spdm_gh100.c},
 * {@code _spdmEncodeMessageGsp} / {@code _spdmDecodeMessageGsp}): an {@code NV_SPDM_DESC_HEADER} of three u32
 * little-endian, {@code msgType} (0 NV_SPDM_MESSAGE_TYPE_NORMAL, 1 NV_SPDM_MESSAGE_TYPE_SECURED),
 * {@code msgSizeByte} (the bytes after the header) and {@code version} (0x10), then the SPDM message or the DSP0277
 * secured message, in a surface of 0x1200 bytes. The secured messages carry no sequence number
 * ({@code _spdmGetSecuredMessageSequenceNumberGsp}).
 */
final class Mailbox {

    /** The header's length. */
    static final int HEADER = 12;
    /** NV_SPDM_MESSAGE_TYPE_NORMAL. */
    static final int NORMAL = 0;
    /** NV_SPDM_MESSAGE_TYPE_SECURED. */
    static final int SECURED = 1;
    /** NV_SPDM_DESC_HEADER_VERSION_1_0. */
    static final int VERSION = 0x10;
    /** NV_SPDM_SYSMEM_SURFACE_SIZE_IN_BYTES: the header and the message fit in it. */
    static final int SURFACE = 0x1200;
    /** NV_SPDM_MAX_SPDM_PAYLOAD_SIZE. */
    static final int MAX_PAYLOAD = SURFACE - HEADER;
    private static final String STRUCT = "NV_SPDM_DESC_HEADER";

    private Mailbox() {
    }

    /**
     * @param p an SPDM or secured message
     * @return it with its header
     * @throws MalformedStructureException if it does not fit the surface
     */
    static byte[] frame(Packet p) {
        byte[] b = p.bytes();
        if (b.length > MAX_PAYLOAD) {
            throw new MalformedStructureException(STRUCT, "msgSizeByte", "an SPDM message of " + b.length
                    + " bytes does not fit the " + SURFACE + "-byte GSP surface (at most " + MAX_PAYLOAD + ")");
        }
        ByteBuffer out = ByteBuffer.allocate(HEADER + b.length).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(p.secured() ? SECURED : NORMAL).putInt(b.length).putInt(VERSION).put(b);
        return out.array();
    }

    /**
     * @param message a header and a message
     * @return the message
     * @throws MalformedStructureException naming the header field that is wrong
     */
    static Packet unframe(byte[] message) {
        if (message == null || message.length < HEADER) {
            throw new MalformedStructureException(STRUCT, null, "a GSP SPDM message starts with the " + HEADER
                    + "-byte NV_SPDM_DESC_HEADER, got " + (message == null ? "none" : message.length + " bytes"));
        }
        if (message.length > SURFACE) {
            throw new MalformedStructureException(STRUCT, "msgSizeByte", "a GSP SPDM message is at most " + SURFACE
                    + " bytes, got " + message.length);
        }
        ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getInt();
        long size = b.getInt() & 0xFFFF_FFFFL;
        int version = b.getInt();
        if (version != VERSION) {
            throw new MalformedStructureException(STRUCT, "version", STRUCT + ".version is 0x"
                    + Integer.toHexString(version) + ", expected 0x10");
        }
        if (size != message.length - HEADER) {
            throw new MalformedStructureException(STRUCT, "msgSizeByte", STRUCT + ".msgSizeByte is " + size
                    + ", but " + (message.length - HEADER) + " bytes follow the header");
        }
        if (type != NORMAL && type != SECURED) {
            throw new MalformedStructureException(STRUCT, "msgType", STRUCT + ".msgType is " + Integer
                    .toUnsignedString(type) + ", expected 0 (NORMAL) or 1 (SECURED)");
        }
        if (size == 0) {
            throw new MalformedStructureException(STRUCT, "msgSizeByte", STRUCT + ".msgSizeByte is 0: no message");
        }
        return new Packet(type == SECURED, Arrays.copyOfRange(message, HEADER, message.length));
    }
}
