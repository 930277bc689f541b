package io.teebox.console.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The web console's configuration (pid {@value #PID}); its HTTP port and address are the platform server's. */
@ObjectClassDefinition(name = "teebox web console", description = "The Felix Web Console with teebox's panels, "
        + "served on the platform's HTTP server (org.apache.felix.http: port and host). Logins use the credentials "
        + "generated into the state directory's console/ at the first interactive start.")
public @interface ConsoleSettings {

    /** The configuration pid. */
    String PID = "io.teebox.console";

    @AttributeDefinition(name = "Enabled", description = "Serve the console (interactive and serve modes only: the "
            + "one-shot modes -c, run and demo never do)")
    boolean enabled() default true;

    @AttributeDefinition(name = "User", description = "The login name (letters, digits, '.', '_' or '-')")
    String user() default "admin";

    @AttributeDefinition(name = "Allow remote", description = "Serve the console to clients beyond this machine "
            + "when the HTTP server listens on a non-loopback address; off, such a bind and such clients are refused")
    boolean allowRemote() default false;

    @AttributeDefinition(name = "Session minutes", description = "A login lasts this long without a request, "
            + "1..1440")
    int sessionMinutes() default 30;
}
