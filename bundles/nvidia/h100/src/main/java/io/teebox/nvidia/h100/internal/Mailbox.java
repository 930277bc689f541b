package io.teebox.nvidia.h100.internal;

import java.util.Arrays;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.spdm.Packet;

/**
 * How SPDM messages travel between the guest's driver and the GSP (teebox's framing; the RM's GSP message queue is
 * not modelled): one byte saying what follows, with the values of DSP0275's MCTP message types, 0x05 for an SPDM
 * message and 0x06 for a DSP0277 secured message, then the message. The secured messages carry no sequence number,
 * as on the H100 ({@code _spdmGetSequenceNumberGsp} returns 0).
 */
final class Mailbox {

    static final int SPDM = 0x05;
    static final int SECURED_SPDM = 0x06;

    private Mailbox() {
    }

    static byte[] frame(Packet p) {
        byte[] b = p.bytes();
        byte[] out = new byte[b.length + 1];
        out[0] = (byte) (p.secured() ? SECURED_SPDM : SPDM);
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }

    static Packet unframe(byte[] message) {
        if (message == null || message.length < 2) {
            throw new MalformedStructureException("Mailbox", "MessageType", "a GSP mailbox message is a type byte "
                    + "and a message, got " + (message == null ? "none" : message.length + " bytes"));
        }
        int type = message[0] & 0xFF;
        if (type != SPDM && type != SECURED_SPDM) {
            throw new MalformedStructureException("Mailbox", "MessageType", "GSP mailbox message type is 0x"
                    + Integer.toHexString(type) + ", expected 0x05 (SPDM) or 0x06 (secured SPDM)");
        }
        return new Packet(type == SECURED_SPDM, Arrays.copyOfRange(message, 1, message.length));
    }
}
