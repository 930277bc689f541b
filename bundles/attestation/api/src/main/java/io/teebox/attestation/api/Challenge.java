package io.teebox.attestation.api;

import java.time.Instant;
import java.util.Objects;

/**
 * A challenge of the attestation service: a single-use nonce and when it expires.
 *
 * @param nonce the nonce, base64 text
 * @param expires when the nonce stops being accepted
 */
public record Challenge(String nonce, Instant expires) {

    /**
     * @throws NullPointerException if a member is null
     */
    public Challenge {
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(expires, "expires");
    }
}
