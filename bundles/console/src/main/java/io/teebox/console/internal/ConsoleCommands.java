package io.teebox.console.internal;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code console:url} and {@code console:password}: where the web console is, and a new password for it. */
@Component(service = ConsoleCommands.class, immediate = true, property = {"osgi.command.scope=console",
    "osgi.command.function=url", "osgi.command.function=password"})
@Descriptor("The web console (Felix Web Console with teebox's panels)")
public final class ConsoleCommands {

    private final ConsoleGuard guard;

    /** @param guard the console's login */
    @Activate
    public ConsoleCommands(@Reference ConsoleGuard guard) {
        this.guard = guard;
    }

    /** @return the console's address */
    @Descriptor("Where the web console is (served in the interactive shell and ./teebox serve)")
    public String url() {
        return guard.url();
    }

    /** @return the new password */
    @Descriptor("Make a new web console password (the old one and every login end); it is shown this once")
    public String password() {
        return "web console password: " + guard.resetPassword() + " (shown this once; user and address: "
                + "console:url)";
    }
}
