package io.teebox.kbs.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The scale-out store: tables in a PostgreSQL database that several brokers share, created on first use. Each write
 * is one auto-committed statement, so it is durable (PostgreSQL's synchronous commit) when it returns. A connection
 * is opened per operation, so a restarted server costs one failed call, not a broken broker.
 */
final class PgResourceStore implements ResourceStore {

    private static final String SCHEMA = "CREATE TABLE IF NOT EXISTS kbs_resources (path TEXT PRIMARY KEY, "
            + "value BYTEA NOT NULL, updated TIMESTAMPTZ NOT NULL DEFAULT now()); "
            + "CREATE TABLE IF NOT EXISTS kbs_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)";

    private final String url;
    private final Properties properties;
    private final java.sql.Driver driver;

    /**
     * @param url the JDBC URL, {@code jdbc:postgresql://host:port/database}
     * @param user the user
     * @param password the password, or empty
     * @throws IllegalStateException naming the URL when the server cannot be reached or the schema not made
     */
    PgResourceStore(String url, String user, String password) {
        if (url == null || !url.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("store.url is '" + url + "'; it must be jdbc:postgresql://host:port/db");
        }
        this.url = url;
        this.properties = new Properties();
        properties.setProperty("user", user);
        if (password != null && !password.isEmpty()) {
            properties.setProperty("password", password);
        }
        try {
            // the driver class directly: DriverManager does not see drivers in other bundles
            this.driver = new org.postgresql.Driver();
        } catch (NoClassDefFoundError e) {
            throw new IllegalStateException("store is postgresql but the PostgreSQL JDBC driver (bundle "
                    + "org.postgresql.jdbc) is not installed", e);
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(SCHEMA);
        } catch (SQLException e) {
            throw new IllegalStateException("the key broker store " + url + " cannot be used: " + e.getMessage(), e);
        }
    }

    private Connection connect() throws SQLException {
        Connection c = driver.connect(url, properties);
        if (c == null) {
            throw new SQLException("the PostgreSQL driver does not take " + url);
        }
        c.setAutoCommit(true);
        return c;
    }

    private IllegalStateException failed(String what, SQLException e) {
        return new IllegalStateException("the key broker store " + url + ": " + what + " failed: "
                + e.getMessage(), e);
    }

    @Override
    public void put(ResourcePath path, byte[] value) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("INSERT INTO kbs_resources "
                + "(path, value) VALUES (?, ?) ON CONFLICT (path) DO UPDATE SET value = EXCLUDED.value, "
                + "updated = now()")) {
            s.setString(1, path.toString());
            s.setBytes(2, value);
            s.executeUpdate();
        } catch (SQLException e) {
            throw failed("writing " + path, e);
        }
    }

    @Override
    public Optional<byte[]> get(ResourcePath path) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("SELECT value FROM kbs_resources "
                + "WHERE path = ?")) {
            s.setString(1, path.toString());
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(r.getBytes(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw failed("reading " + path, e);
        }
    }

    @Override
    public List<String> list() {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT path FROM kbs_resources ORDER BY path COLLATE \"C\"")) {
            List<String> out = new ArrayList<>();
            while (r.next()) {
                out.add(r.getString(1));
            }
            return out;
        } catch (SQLException e) {
            throw failed("listing", e);
        }
    }

    @Override
    public void putPolicy(String json) {
        try (Connection c = connect(); PreparedStatement s = c.prepareStatement("INSERT INTO kbs_meta (name, value) "
                + "VALUES ('resource-policy', ?) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value")) {
            s.setString(1, json);
            s.executeUpdate();
        } catch (SQLException e) {
            throw failed("writing the policy", e);
        }
    }

    @Override
    public Optional<String> policy() {
        try (Connection c = connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT value FROM kbs_meta WHERE name = 'resource-policy'")) {
            return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
        } catch (SQLException e) {
            throw failed("reading the policy", e);
        }
    }

    @Override
    public String describe() {
        return "PostgreSQL " + url;
    }

    @Override
    public void close() {
        // nothing held between operations
    }
}
