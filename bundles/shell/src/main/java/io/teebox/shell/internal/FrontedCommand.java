package io.teebox.shell.internal;

import java.util.ArrayList;
import java.util.List;

import org.apache.felix.gogo.runtime.Reflective;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * One command behind its front (see {@link CommandFront}): answers {@code --help}/{@code -h} with its usage, turns
 * {@code --json} into a JSON result, and explains arguments that fit none of its signatures in one line.
 */
final class FrontedCommand implements Function {

    private final String scope;
    private final String function;
    private final Object target;
    /** Read from the command's annotations when first needed (help, a bad argument), not at registration. */
    private Usage usage;

    FrontedCommand(String scope, String function, Object target) {
        this.scope = scope;
        this.function = function;
        this.target = target;
    }

    /** @return the command's usage (read once from its annotations: the class of a command service is fixed) */
    synchronized Usage usage() {
        if (usage == null) {
            usage = Usage.of(scope, function, target.getClass());
        }
        return usage;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        List<Object> args = new ArrayList<>(arguments);
        Usage usage = usage();
        if (usage.asksForHelp(args)) {
            session.getConsole().print(usage.text());
            session.getConsole().flush();
            return null;
        }
        boolean json = !usage.declares(Usage.JSON) && args.removeIf(a -> Usage.JSON.equals(Usage.text(a)));
        Object result;
        try {
            result = Reflective.invoke(session, target, function, args);
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("Cannot coerce")) {
                throw new IllegalArgumentException(usage.diagnose(args), e);
            }
            throw e;
        }
        return json ? Json.text(result) : result;
    }

    @Override
    public String toString() {
        return scope + ":" + function;
    }
}
