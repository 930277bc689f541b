package io.teebox.kbs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import org.junit.AfterClass;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.testing.TestClock;

/**
 * The PostgreSQL store against a real server the test starts (Debian's postgresql package): the store contract, and
 * two brokers sharing one database, as the scale-out deployment runs them.
 */
public class PgResourceStoreTest extends ResourceStoreContract {

    private static PostgresServer server;
    private static int databases;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private String url;

    @BeforeClass
    public static void start() throws Exception {
        server = new PostgresServer();
    }

    @AfterClass
    public static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected ResourceStore open(boolean again) {
        if (!again) {
            // a database per test: create it through the server's default one
            String name = "kbs" + (++databases);
            try (java.sql.Connection c = new org.postgresql.Driver().connect(server.url(), props());
                    java.sql.Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            } catch (java.sql.SQLException e) {
                throw new AssertionError(e);
            }
            url = server.url().replace("/postgres", "/" + name);
        }
        return new PgResourceStore(url, "kbs", "");
    }

    private static java.util.Properties props() {
        java.util.Properties p = new java.util.Properties();
        p.setProperty("user", "kbs");
        return p;
    }

    @Test
    public void twoBrokersOnOneDatabaseSeeEachOthersSecretsAndPolicy() throws Exception {
        TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
        ResourceStore a = open(false);
        ResourceStore b = open(true);
        Broker one = new Broker(new FakeTokens(), a, AdminAuth.kept(tmp.getRoot().toPath().resolve("1"), clock),
                clock, Duration.ofSeconds(60), 10);
        one.setResource(ResourcePath.parse("shared/key/disk"), "from one".getBytes(StandardCharsets.UTF_8));
        one.setPolicy("{\"rules\":[]}");
        Broker two = new Broker(new FakeTokens(), b, AdminAuth.kept(tmp.getRoot().toPath().resolve("2"), clock),
                clock, Duration.ofSeconds(60), 10);
        assertArrayEquals("from one".getBytes(StandardCharsets.UTF_8), two.getResource(ResourcePath.parse(
                "shared/key/disk")));
        assertEquals("{\"rules\":[]}", two.policy());
        one.close();
        two.close();
    }

    @Test
    public void aServerThatIsNotThereIsRefusedNamingTheUrl() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new PgResourceStore(
                "jdbc:postgresql://127.0.0.1:1/none", "kbs", ""));
        assertTrue(e.getMessage(), e.getMessage().contains("jdbc:postgresql://127.0.0.1:1/none"));
        assertThrows(IllegalArgumentException.class, () -> new PgResourceStore("jdbc:mysql://x/y", "kbs", ""));
    }
}
