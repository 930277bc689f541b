package io.teebox.remote.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.config.keys.AuthorizedKeysAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.platform.PlatformState;

/**
 * The remote shell: an SSH server (Apache MINA SSHD) on the running platform whose sessions are Gogo sessions of its
 * command processor, so an operator attaches to a running teebox instead of starting a second one. Loopback only and
 * authenticated by default: the one user ({@code teebox}) logs in with the password generated into
 * {@code <state>/remote/password} at first start (owner-only), or with a key listed in
 * {@code <state>/remote/authorized_keys}; the host key is kept beside them, so its fingerprint survives restarts.
 *
 * <p>A bad configuration value is reported in one line naming the key and the server stays down; the platform runs on.
 * The launcher's one-shot modes ({@code ./teebox -c}, {@code run}, {@code demo}) start no server: they end in seconds,
 * and a second teebox must not take the port from the one an operator attaches to.
 */
// REQUIRE: the server starts once, on the configured port, when FileInstall has read config/io.teebox.remote.ssh.cfg
// (on the metatype's defaults it would first bind 8101 and announce it, then move)
@Component(service = {}, immediate = true, configurationPid = Settings.PID,
        configurationPolicy = org.osgi.service.component.annotations.ConfigurationPolicy.REQUIRE)
@Designate(ocd = SshConfig.class)
public final class RemoteShell {

    /** Framework property the launcher sets in its one-shot modes. */
    static final String BATCH_PROPERTY = "teebox.batch.exitfile";

    private final BundleContext context;
    private final CommandProcessor processor;
    private final Path dir;
    private Settings settings;
    private SshServer server;

    /**
     * @param config the configuration
     * @param context the bundle's context
     * @param processor Gogo's command processor, whose sessions the clients get
     * @param state the machine's state directory, for the credentials
     */
    @Activate
    public RemoteShell(SshConfig config, BundleContext context, @Reference CommandProcessor processor,
            @Reference PlatformState state) {
        this.context = context;
        this.processor = processor;
        this.dir = state.directory().resolve("remote");
        apply(config);
    }

    @Modified
    synchronized void modified(SshConfig config) {
        apply(config);
    }

    @Deactivate
    synchronized void deactivate() {
        stop();
    }

    /** @return the address the server listens on, or null when it is not running */
    synchronized InetSocketAddress address() {
        if (server == null || !server.isStarted()) {
            return null;
        }
        for (SocketAddress a : server.getBoundAddresses()) {
            if (a instanceof InetSocketAddress i) {
                return i;
            }
        }
        return null;
    }

    private synchronized void apply(SshConfig config) {
        Settings next;
        try {
            next = Settings.of(config);
        } catch (IllegalArgumentException e) {
            stop();
            settings = null;
            System.err.println("teebox: error: " + e.getMessage() + "; the remote shell is off until it is fixed");
            return;
        }
        if (next.equals(settings) && (server != null || !next.enabled())) {
            return;
        }
        stop();
        settings = next;
        String batch = context.getProperty(BATCH_PROPERTY);
        if (!next.enabled() || (batch != null && !batch.isBlank())) {
            return;
        }
        try {
            start(next);
        } catch (IOException | RuntimeException e) {
            stop();
            System.err.println("teebox: error: " + Settings.PID + ": the remote shell cannot listen on "
                    + next.host() + ":" + next.port() + ": " + Sessions.message(e));
        }
    }

    private void start(Settings s) throws IOException {
        Credentials credentials = Credentials.open(dir);
        SshServer sshd = SshServer.setUpDefaultServer();
        sshd.setHost(s.address().getHostAddress());
        sshd.setPort(s.port());
        sshd.setKeyPairProvider(credentials.hostKeys());
        sshd.setPasswordAuthenticator((user, password, session) -> s.user().equals(user)
                && credentials.passwordMatches(password));
        sshd.setPublickeyAuthenticator(new AuthorizedKeysAuthenticator(credentials.authorizedKeys()) {
            @Override
            protected boolean isValidUsername(String user, ServerSession session) {
                return s.user().equals(user);
            }

            @Override
            public boolean authenticate(String user, PublicKey key, ServerSession session) {
                return Files.exists(credentials.authorizedKeys()) && super.authenticate(user, key, session);
            }
        });
        sshd.setShellFactory(channel -> new ShellCommand(context, processor));
        sshd.setCommandFactory((channel, command) -> new ExecCommand(context, processor, command));
        CoreModuleProperties.IDLE_TIMEOUT.set(sshd, Duration.ofSeconds(s.idleTimeoutSeconds()));
        CoreModuleProperties.SERVER_IDENTIFICATION.set(sshd, "teebox");
        // SSHD finds its I/O service through the thread's context class loader: its own bundle's
        Thread current = Thread.currentThread();
        ClassLoader previous = current.getContextClassLoader();
        current.setContextClassLoader(SshServer.class.getClassLoader());
        try {
            sshd.start();
        } finally {
            current.setContextClassLoader(previous);
        }
        server = sshd;
        int port = address() == null ? s.port() : address().getPort();
        if (!s.loopback()) {
            System.err.println("teebox: warning: " + Settings.PID + ": the remote shell listens on " + s.host()
                    + ", beyond this machine (host is not a loopback address)");
        }
        if (credentials.createdPassword()) {
            System.out.println("teebox: remote shell: " + s.sshCommand(port) + " (password in "
                    + credentials.passwordFile() + ", or add your key to " + credentials.authorizedKeys()
                    + "); host key " + credentials.fingerprint());
        } else if (s.port() == 0) {
            System.out.println("teebox: remote shell: " + s.sshCommand(port));
        }
    }

    private void stop() {
        SshServer s = server;
        server = null;
        if (s != null) {
            try {
                s.stop(true);
            } catch (IOException e) {
                System.err.println("teebox: " + Settings.PID + ": stopping the SSH server: " + e.getMessage());
            }
        }
    }
}
