package io.teebox.kbs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import org.junit.Test;

import io.teebox.api.testing.TestClock;

/** Sessions expire a fixed time after /auth and are bounded in number. */
public class SessionsTest {

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final Sessions sessions = new Sessions(clock, Duration.ofSeconds(60), 3, new SecureRandom());

    @Test
    public void aSessionLivesItsLifetimeThenIsExpired() {
        Sessions.Session s = sessions.open("n1", "snp");
        clock.advance(Duration.ofSeconds(59));
        assertSame(s, sessions.get(s.id));
        clock.advance(Duration.ofSeconds(1));
        KbsProblem p = assertThrows(KbsProblem.class, () -> sessions.get(s.id));
        assertEquals(401, p.status);
        assertEquals("ExpiredCookie", p.name);
        assertEquals("InvalidCookie", assertThrows(KbsProblem.class, () -> sessions.get(s.id)).name);
        assertEquals("MissingCookie", assertThrows(KbsProblem.class, () -> sessions.get(null)).name);
    }

    @Test
    public void atMostCapacityAreKeptTheOldestDroppedFirst() {
        Sessions.Session first = sessions.open("n1", "snp");
        Sessions.Session second = sessions.open("n2", "snp");
        sessions.open("n3", "snp");
        sessions.open("n4", "tdx");
        assertEquals(3, sessions.size());
        assertEquals("InvalidCookie", assertThrows(KbsProblem.class, () -> sessions.get(first.id)).name);
        assertSame(second, sessions.get(second.id));
        assertNotEquals(first.id, second.id);
        clock.advance(Duration.ofSeconds(61));
        assertEquals(0, sessions.size());
    }
}
