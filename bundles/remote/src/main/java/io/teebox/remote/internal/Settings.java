package io.teebox.remote.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * The remote shell's configuration, checked: every bad value is refused with one line naming the key.
 *
 * @param enabled whether the server runs
 * @param host the address to bind, an IP literal or {@code localhost} (never looked up in DNS)
 * @param address {@code host} as an address
 * @param port 0..65535, 0 for an ephemeral port
 * @param user the accepted user name
 * @param idleTimeoutSeconds 0 for none
 */
record Settings(boolean enabled, String host, InetAddress address, int port, String user, int idleTimeoutSeconds) {

    static final String PID = "io.teebox.remote.ssh";

    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d"
            + "|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[A-Za-z0-9]+)?\\]?");
    private static final Pattern USER = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,31}");

    /**
     * @param config the configuration
     * @return the checked settings
     * @throws IllegalArgumentException naming the pid, the key and what was wrong
     */
    static Settings of(SshConfig config) {
        String host = config.host() == null ? "" : config.host().strip();
        InetAddress address = address(host);
        if (config.port() < 0 || config.port() > 65535) {
            throw bad("port must be 0..65535 (0 picks a free port), got " + config.port());
        }
        String user = config.user() == null ? "" : config.user().strip();
        if (!USER.matcher(user).matches()) {
            throw bad("user must be 1..32 letters, digits, '_', '.', '-', starting with a letter or '_', got '"
                    + config.user() + "'");
        }
        if (config.idleTimeoutSeconds() < 0) {
            throw bad("idleTimeoutSeconds must be 0 (no timeout) or more, got " + config.idleTimeoutSeconds());
        }
        return new Settings(config.enabled(), host, address, config.port(), user, config.idleTimeoutSeconds());
    }

    /** @return whether only this machine can connect */
    boolean loopback() {
        return address.isLoopbackAddress();
    }

    /** @return the command that connects, as an operator types it */
    String sshCommand(int boundPort) {
        String h = address.getHostAddress();
        if (h.contains(":")) {
            h = "[" + h + "]";
        }
        if (address.isAnyLocalAddress()) {
            h = "127.0.0.1";
        }
        return "ssh -p " + boundPort + " " + user + "@" + h;
    }

    private static InetAddress address(String host) {
        if (host.isEmpty()) {
            throw bad("host must be an IP address or localhost, got an empty value");
        }
        try {
            if (host.equalsIgnoreCase("localhost")) {
                return InetAddress.getLoopbackAddress();
            }
            if (IPV4.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches())) {
                // a literal: parsed, never resolved
                return InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
            }
        } catch (UnknownHostException | StringIndexOutOfBoundsException e) {
            // falls through to the error below
        }
        throw bad("host must be an IP address or localhost, got '" + host + "'");
    }

    private static IllegalArgumentException bad(String what) {
        return new IllegalArgumentException(PID + ": " + what);
    }
}
