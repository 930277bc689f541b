package io.teebox.attestation.service.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The challenges handed out: random nonces (32 bytes, base64url without padding), each valid once and until its
 * expiry. The store is bounded: when it is full, expired nonces go first, then the oldest outstanding one, so a
 * flood of challenges costs the flooder's own oldest nonces, never memory.
 */
final class Nonces {

    /** How a presented nonce fared. */
    enum Outcome {
        /** It was issued here, not used before and not expired: it is now used up. */
        VALID,
        /** It was never issued here, or was already used (or evicted). */
        UNKNOWN,
        /** It was issued here but has expired. */
        EXPIRED
    }

    /** An issued challenge. */
    record Challenge(String nonce, Instant expires) {
    }

    private final Clock clock;
    private final Duration lifetime;
    private final int capacity;
    private final SecureRandom random;
    private final LinkedHashMap<String, Instant> outstanding = new LinkedHashMap<>();

    /**
     * @param clock the time
     * @param lifetime how long a nonce stays valid
     * @param capacity how many nonces may be outstanding at once
     * @param random the randomness
     */
    Nonces(Clock clock, Duration lifetime, int capacity, SecureRandom random) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("nonce lifetime must be positive, got " + lifetime);
        }
        if (capacity < 1) {
            throw new IllegalArgumentException("nonce capacity must be at least 1, got " + capacity);
        }
        this.clock = clock;
        this.lifetime = lifetime;
        this.capacity = capacity;
        this.random = random;
    }

    /** @return a new nonce and when it expires */
    synchronized Challenge issue() {
        Instant now = clock.instant();
        if (outstanding.size() >= capacity) {
            outstanding.values().removeIf(expiry -> !expiry.isAfter(now));
        }
        while (outstanding.size() >= capacity) {
            Iterator<Map.Entry<String, Instant>> it = outstanding.entrySet().iterator();
            it.next();
            it.remove();
        }
        byte[] b = new byte[32];
        random.nextBytes(b);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Instant expires = now.plus(lifetime);
        outstanding.put(nonce, expires);
        return new Challenge(nonce, expires);
    }

    /**
     * Uses a nonce up: whatever the outcome, it is not valid afterwards.
     *
     * @param nonce the nonce presented
     * @return the outcome
     */
    synchronized Outcome consume(String nonce) {
        Instant expiry = outstanding.remove(nonce);
        if (expiry == null) {
            return Outcome.UNKNOWN;
        }
        return clock.instant().isBefore(expiry) ? Outcome.VALID : Outcome.EXPIRED;
    }

    /** @return how many nonces are outstanding (expired ones not yet dropped included) */
    synchronized int outstanding() {
        return outstanding.size();
    }

    /** @return how long a nonce stays valid */
    Duration lifetime() {
        return lifetime;
    }
}
