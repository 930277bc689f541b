package io.teebox.kbs.internal;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.nimbusds.jose.jwk.JWK;

/**
 * The broker's sessions, keyed by the {@code kbs-session-id} cookie: made by {@code /auth} with the challenge's
 * nonce, attested by {@code /attest} (the token's claims and the TEE's key). Each lives a fixed time from its
 * creation; at most {@code capacity} are kept, the oldest dropped first.
 */
final class Sessions {

    /** A session. The attested members are null until {@code /attest} succeeds. */
    static final class Session {
        final String id;
        final String nonce;
        final String tee;
        final Instant expires;
        volatile String token;
        volatile Map<String, Object> claims;
        volatile JWK teeKey;

        Session(String id, String nonce, String tee, Instant expires) {
            this.id = id;
            this.nonce = nonce;
            this.tee = tee;
            this.expires = expires;
        }

        boolean attested() {
            return claims != null;
        }
    }

    private final Clock clock;
    private final Duration lifetime;
    private final int capacity;
    private final SecureRandom random;
    private final LinkedHashMap<String, Session> sessions = new LinkedHashMap<>();

    Sessions(Clock clock, Duration lifetime, int capacity, SecureRandom random) {
        this.clock = clock;
        this.lifetime = lifetime;
        this.capacity = capacity;
        this.random = random;
    }

    Duration lifetime() {
        return lifetime;
    }

    /** @return a new session for a challenge */
    synchronized Session open(String nonce, String tee) {
        purge();
        while (sessions.size() >= capacity) {
            Iterator<String> it = sessions.keySet().iterator();
            it.next();
            it.remove();
        }
        byte[] b = new byte[24];
        random.nextBytes(b);
        Session s = new Session(Base64.getUrlEncoder().withoutPadding().encodeToString(b), nonce, tee,
                clock.instant().plus(lifetime));
        sessions.put(s.id, s);
        return s;
    }

    /**
     * @param id the cookie's value, or null when the request had none
     * @return the live session
     * @throws KbsProblem 401 without a cookie, for an unknown one and for an expired one
     */
    synchronized Session get(String id) {
        if (id == null) {
            throw new KbsProblem(401, "MissingCookie", "the request has no kbs-session-id cookie: POST /kbs/v0/auth "
                    + "first, or present an attestation token as Authorization: Bearer");
        }
        Session s = sessions.get(id);
        if (s == null) {
            throw new KbsProblem(401, "InvalidCookie", "session " + abbreviate(id) + " is unknown (never issued, "
                    + "dropped or expired): POST /kbs/v0/auth again");
        }
        if (!clock.instant().isBefore(s.expires)) {
            sessions.remove(id);
            throw new KbsProblem(401, "ExpiredCookie", "session " + abbreviate(id) + " expired at " + s.expires
                    + " (sessions last " + lifetime.toSeconds() + " s): POST /kbs/v0/auth again");
        }
        return s;
    }

    synchronized int size() {
        purge();
        return sessions.size();
    }

    private void purge() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !now.isBefore(s.expires));
    }

    private static String abbreviate(String id) {
        String safe = id.replaceAll("[^A-Za-z0-9_-]", "?");
        return "'" + (safe.length() > 12 ? safe.substring(0, 8) + "..." : safe) + "'";
    }
}
