package io.teebox.console.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.Test;

public class ConsoleGuardTest {

    @Test
    public void loopbackMeansTheLiteralLoopbackAddressesOnly() {
        assertTrue(ConsoleGuard.loopback("127.0.0.1"));
        assertTrue(ConsoleGuard.loopback("127.1.2.3"));
        assertTrue(ConsoleGuard.loopback("::1"));
        assertTrue(ConsoleGuard.loopback("localhost"));
        assertFalse(ConsoleGuard.loopback("0.0.0.0"));
        assertFalse(ConsoleGuard.loopback("::"));
        assertFalse(ConsoleGuard.loopback("192.168.1.10"));
        assertFalse("a name is not looked up", ConsoleGuard.loopback("example.org"));
        assertFalse(ConsoleGuard.loopback(""));
        assertFalse(ConsoleGuard.loopback(null));
    }

    @Test
    public void theServersHostComesFromItsEndpoint() {
        assertEquals("127.0.0.1", ConsoleGuard.hostOf("http://127.0.0.1:8440"));
        assertEquals("0.0.0.0", ConsoleGuard.hostOf("http://0.0.0.0:8440/"));
        assertEquals("::1", ConsoleGuard.hostOf("http://[::1]:8440"));
        assertEquals("fd00:0:0:0:0:0:0:2%eth0", ConsoleGuard.hostOf("http://[fd00:0:0:0:0:0:0:2%eth0]:8440/"));
        assertEquals("localhost", ConsoleGuard.hostOf("http://localhost/"));
        assertFalse(ConsoleGuard.loopback("fd00:0:0:0:0:0:0:2%eth0"));
        assertTrue(ConsoleGuard.loopback("0:0:0:0:0:0:0:1%lo"));
        assertEquals(java.util.List.of("http://a:1/", "http://b:2/"), ConsoleGuard.endpoints(new String[] {
            "http://a:1/", "http://b:2/"}));
        assertEquals(java.util.List.of("http://a:1/"), ConsoleGuard.endpoints("http://a:1/"));
        assertEquals(java.util.List.of(), ConsoleGuard.endpoints(null));
    }

    @Test
    public void basicCredentialsSplitAtTheFirstColon() {
        String b = Base64.getEncoder().encodeToString("admin:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals(new String[] {"admin", "pa:ss"}, ConsoleGuard.decodeBasic(b));
        assertNull(ConsoleGuard.decodeBasic(Base64.getEncoder().encodeToString("nocolon".getBytes(
                StandardCharsets.UTF_8))));
        assertNull(ConsoleGuard.decodeBasic("%%%"));
    }
}
