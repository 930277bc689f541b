package io.teebox.api.guest;

import java.util.Objects;

import io.teebox.api.tee.Bytes;

/**
 * One measured event, as a TCG event log records it.
 *
 * @param register the register it was folded into
 * @param type the event type (TCG PC Client numbering, for example 0x1 EV_POST_CODE, 0x80000001 EV_EFI_...)
 * @param digest the digest folded into the register
 * @param data the event data
 * @param description a short human description, for example the measured file's name
 */
public record EventRecord(int register, long type, Bytes digest, Bytes data, String description) {

    /** Creates an event record. */
    public EventRecord {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(description, "description");
    }
}
