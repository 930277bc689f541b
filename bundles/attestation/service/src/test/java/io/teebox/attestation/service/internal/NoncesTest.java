package io.teebox.attestation.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.junit.Test;

import io.teebox.api.testing.TestClock;

public class NoncesTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));

    @Test
    public void aNonceIsValidOnceThenUnknown() {
        Nonces n = new Nonces(clock, Duration.ofSeconds(60), 10, new SecureRandom());
        Nonces.Challenge c = n.issue();
        assertEquals(32, Base64.getUrlDecoder().decode(c.nonce()).length);
        assertEquals(Instant.parse("2026-03-01T10:01:00Z"), c.expires());
        assertEquals(Nonces.Outcome.VALID, n.consume(c.nonce()));
        assertEquals(Nonces.Outcome.UNKNOWN, n.consume(c.nonce()));
        assertEquals(Nonces.Outcome.UNKNOWN, n.consume("never-issued"));
        assertNotEquals(n.issue().nonce(), n.issue().nonce());
    }

    @Test
    public void aNonceExpiresAtItsLifetimeAndIsGoneAfterwards() {
        Nonces n = new Nonces(clock, Duration.ofSeconds(60), 10, new SecureRandom());
        String early = n.issue().nonce();
        String late = n.issue().nonce();
        clock.advance(Duration.ofSeconds(59));
        assertEquals(Nonces.Outcome.VALID, n.consume(early));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Nonces.Outcome.EXPIRED, n.consume(late));
        assertEquals(Nonces.Outcome.UNKNOWN, n.consume(late));
    }

    @Test
    public void theStoreIsBoundedExpiredFirstThenOldest() {
        Nonces n = new Nonces(clock, Duration.ofSeconds(60), 3, new SecureRandom());
        String expired = n.issue().nonce();
        clock.advance(Duration.ofSeconds(61));
        String a = n.issue().nonce();
        String b = n.issue().nonce();
        String c = n.issue().nonce(); // full: the expired one goes
        assertEquals(3, n.outstanding());
        assertEquals(Nonces.Outcome.UNKNOWN, n.consume(expired));
        String d = n.issue().nonce(); // full of valid ones: the oldest goes
        assertEquals(Nonces.Outcome.UNKNOWN, n.consume(a));
        for (String s : new String[] {b, c, d}) {
            assertEquals(Nonces.Outcome.VALID, n.consume(s));
        }
        for (int i = 0; i < 1000; i++) {
            n.issue();
        }
        assertTrue(n.outstanding() <= 3);
    }

    @Test(expected = IllegalArgumentException.class)
    public void aZeroLifetimeIsRefused() {
        new Nonces(clock, Duration.ZERO, 3, new SecureRandom());
    }
}
