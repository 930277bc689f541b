package io.teebox.api.device;

import java.util.Objects;

import io.teebox.api.memory.HostAccessOutcome;

/**
 * What a read of device memory by the host yields: the bytes the host gets and why it gets those.
 *
 * @param data the bytes the host got (ciphertext, a fixed pattern, or plaintext of unprotected memory)
 * @param outcome what the device did, for example {@code FIXED_DATA} with "memory firewall: compute protected region"
 */
public record HostRead(byte[] data, HostAccessOutcome outcome) {

    /** Creates the record; the bytes are copied. */
    public HostRead {
        data = data.clone();
        Objects.requireNonNull(outcome, "outcome");
    }

    /** @return a copy of the bytes */
    @Override
    public byte[] data() {
        return data.clone();
    }
}
