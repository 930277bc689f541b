package io.teebox.spdm;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message on the transport: a plain SPDM message or a DSP0277 secured message. The transport binding carries the
 * difference out of band (MCTP message type 0x05 vs 0x06, DOE data object type 1 vs 2).
 *
 * @param secured true for a secured message
 * @param bytes the message bytes
 */
public record Packet(boolean secured, byte[] bytes) {

    /** Checks the bytes and takes a copy. */
    public Packet {
        bytes = Objects.requireNonNull(bytes, "bytes").clone();
    }

    /** @return a copy of the bytes */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** @param bytes an SPDM message @return the plain packet */
    public static Packet plain(byte[] bytes) {
        return new Packet(false, bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Packet p && p.secured == secured && Arrays.equals(p.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Boolean.hashCode(secured) * 31 + Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return (secured ? "secured " : "plain ") + bytes.length + " bytes";
    }
}
