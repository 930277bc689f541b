package io.teebox.remote.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the remote shell (pid {@code io.teebox.remote.ssh}). */
@ObjectClassDefinition(name = "teebox remote shell (SSH)",
        description = "An SSH server that gives an operator the running platform's Gogo shell. Loopback only and "
                + "authenticated by default: a password generated at first start, or public keys listed in the state "
                + "directory's remote/authorized_keys.")
public @interface SshConfig {

    @AttributeDefinition(name = "Enabled", description = "Whether the SSH server runs")
    boolean enabled() default true;

    @AttributeDefinition(name = "Host", description = "The address to listen on, an IP address (127.0.0.1, ::1, "
            + "0.0.0.0) or localhost. Anything but a loopback address opens the shell to the network")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "The TCP port, 0..65535; 0 picks a free one, printed at start",
            min = "0", max = "65535")
    int port() default 8101;

    @AttributeDefinition(name = "User", description = "The one user name the server accepts")
    String user() default "teebox";

    @AttributeDefinition(name = "Idle timeout", description = "Seconds without traffic after which a session is "
            + "closed; 0 keeps idle sessions open", min = "0")
    int idleTimeoutSeconds() default 1800;
}
