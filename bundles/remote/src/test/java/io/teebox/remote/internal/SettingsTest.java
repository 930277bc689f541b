package io.teebox.remote.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.annotation.Annotation;

import org.junit.Test;

public class SettingsTest {

    /** A configuration as ConfigAdmin would hand it to the component. */
    static SshConfig config(boolean enabled, String host, int port, String user, int idle) {
        return new SshConfig() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return SshConfig.class;
            }

            @Override
            public boolean enabled() {
                return enabled;
            }

            @Override
            public String host() {
                return host;
            }

            @Override
            public int port() {
                return port;
            }

            @Override
            public String user() {
                return user;
            }

            @Override
            public int idleTimeoutSeconds() {
                return idle;
            }
        };
    }

    private static String refused(SshConfig c) {
        return assertThrows(IllegalArgumentException.class, () -> Settings.of(c)).getMessage();
    }

    @Test
    public void theDefaultsListenOnLoopbackPort8101ForUserTeebox() throws Exception {
        SshConfig defaults = (SshConfig) java.lang.reflect.Proxy.newProxyInstance(SshConfig.class.getClassLoader(),
                new Class<?>[] {SshConfig.class}, (p, m, a) -> m.getDefaultValue());
        Settings s = Settings.of(defaults);
        assertTrue(s.enabled());
        assertEquals("127.0.0.1", s.host());
        assertEquals(8101, s.port());
        assertEquals("teebox", s.user());
        assertEquals(1800, s.idleTimeoutSeconds());
        assertTrue(s.loopback());
        assertEquals("ssh -p 8101 teebox@127.0.0.1", s.sshCommand(8101));
    }

    @Test
    public void aBadPortIsRefusedNamingTheKey() {
        assertEquals("io.teebox.remote.ssh: port must be 0..65535 (0 picks a free port), got -1",
                refused(config(true, "127.0.0.1", -1, "teebox", 0)));
        assertTrue(refused(config(true, "127.0.0.1", 65536, "teebox", 0)).contains("port must be 0..65535"));
        assertEquals(0, Settings.of(config(true, "127.0.0.1", 0, "teebox", 0)).port());
        assertEquals(65535, Settings.of(config(true, "127.0.0.1", 65535, "teebox", 0)).port());
    }

    @Test
    public void aHostMustBeAnAddressAndIsNeverLookedUp() {
        assertEquals("io.teebox.remote.ssh: host must be an IP address or localhost, got 'not an address'",
                refused(config(true, "not an address", 8101, "teebox", 0)));
        assertTrue(refused(config(true, "example.com", 8101, "teebox", 0)).contains("host must be an IP address"));
        assertTrue(refused(config(true, "300.1.1.1", 8101, "teebox", 0)).contains("got '300.1.1.1'"));
        assertTrue(refused(config(true, "", 8101, "teebox", 0)).contains("host must be an IP address or localhost, "
                + "got an empty value"));
        assertTrue(refused(config(true, null, 8101, "teebox", 0)).contains("host"));
        assertTrue(refused(config(true, ":::zz", 8101, "teebox", 0)).contains("host"));
    }

    @Test
    public void loopbackIsTheDefaultAndAnyOtherAddressIsSaidToBeOpen() {
        assertTrue(Settings.of(config(true, "localhost", 8101, "teebox", 0)).loopback());
        assertTrue(Settings.of(config(true, "::1", 8101, "teebox", 0)).loopback());
        assertTrue(Settings.of(config(true, "[::1]", 8101, "teebox", 0)).loopback());
        assertTrue(Settings.of(config(true, "127.0.0.2", 8101, "teebox", 0)).loopback());
        Settings any = Settings.of(config(true, "0.0.0.0", 8101, "teebox", 0));
        assertFalse(any.loopback());
        assertEquals("ssh -p 8101 teebox@127.0.0.1", any.sshCommand(8101));
        assertFalse(Settings.of(config(true, "192.0.2.7", 8101, "teebox", 0)).loopback());
        assertEquals("ssh -p 22 teebox@[0:0:0:0:0:0:0:1]", Settings.of(config(true, "::1", 22, "teebox", 0))
                .sshCommand(22));
    }

    @Test
    public void userAndIdleTimeoutAreChecked() {
        assertTrue(refused(config(true, "127.0.0.1", 8101, "", 0)).startsWith("io.teebox.remote.ssh: user must be"));
        assertTrue(refused(config(true, "127.0.0.1", 8101, "a b", 0)).contains("got 'a b'"));
        assertEquals("io.teebox.remote.ssh: idleTimeoutSeconds must be 0 (no timeout) or more, got -5",
                refused(config(true, "127.0.0.1", 8101, "teebox", -5)));
        assertEquals("operator", Settings.of(config(true, "127.0.0.1", 8101, " operator ", 0)).user());
    }
}
