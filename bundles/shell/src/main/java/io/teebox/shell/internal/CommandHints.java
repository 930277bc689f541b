package io.teebox.shell.internal;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.CommandSessionListener;
import org.osgi.service.component.annotations.Component;

/**
 * After a command that does not exist, the interactive shell says which one was probably meant ("did you mean
 * guest:launch?"), under Gogo's own "Command not found" line. The batch modes put the hint into their one error line
 * instead (see {@link BatchRunner}), so they skip it here.
 */
@Component(immediate = true)
public final class CommandHints implements CommandSessionListener {

    /** Session variable set by the batch runner: its sessions give hints in their own error line. */
    static final String QUIET = "teebox.hints.quiet";

    @Override
    public void beforeExecute(CommandSession session, CharSequence command) {
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Exception exception) {
        if (exception instanceof CommandNotFoundException e && session.get(QUIET) == null) {
            String hint = hint(e.getCommand(), session);
            if (hint != null) {
                session.getConsole().println(hint);
            }
        }
    }

    @Override
    public void afterExecute(CommandSession session, CharSequence command, Object result) {
    }

    /**
     * @param typed the command that was not found
     * @param session the session whose commands are known
     * @return "did you mean X? (help lists the commands)", or null if nothing is near
     */
    static String hint(String typed, CommandSession session) {
        Object commands = session.get(".commands");
        if (typed == null || !(commands instanceof Collection<?> all)) {
            return null;
        }
        Set<String> known = new TreeSet<>();
        for (Object c : all) {
            String name = String.valueOf(c);
            if (!name.startsWith("system:") && !name.startsWith("context:") && !name.contains(":__")) {
                known.add(name);
                if (!typed.contains(":")) {
                    known.add(name.substring(name.indexOf(':') + 1));
                }
            }
        }
        String near = Suggestions.nearest(typed, known);
        return near == null ? null : "did you mean " + near + "? (help lists the commands)";
    }
}
