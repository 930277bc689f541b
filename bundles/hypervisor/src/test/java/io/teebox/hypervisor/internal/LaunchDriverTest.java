package io.teebox.hypervisor.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class LaunchDriverTest {

    @Test
    public void platformCertificatesAreFetchedOnlyWhenTheOwnerReadsThem() {
        AtomicInteger fetched = new AtomicInteger();
        Map<String, byte[]> certs = LaunchDriver.whenRead(() -> {
            fetched.incrementAndGet();
            return Map.of("pdh", new byte[] {1, 2}, "pek", new byte[] {3});
        });
        assertEquals("an owner that reads nothing costs nothing", 0, fetched.get());
        assertArrayEquals(new byte[] {1, 2}, certs.get("pdh"));
        assertTrue(certs.containsKey("pek"));
        assertFalse(certs.containsKey("ark"));
        assertNull(certs.get("ark"));
        assertEquals(2, certs.size());
        assertEquals(2, certs.entrySet().size());
        assertEquals("fetched once, however often read", 1, fetched.get());
    }
}
