package io.teebox.shell.internal;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code help} as a map of the platform: the scopes of teebox and its vendor bundles with each command's one-line
 * description, {@code help SCOPE} for one scope, {@code help COMMAND} for a command's usage (Felix's own help for
 * the shell's built-ins). The JVM plumbing the profile adds ({@code system:*}, {@code context:*}) is left out.
 * It takes the place of Gogo's {@code help} (a higher ranking under the {@code gogo} scope, which the profile
 * searches first); {@code felix:help} stays as it was.
 */
@Component(service = Function.class, immediate = true, property = {
    CommandProcessor.COMMAND_SCOPE + "=gogo", CommandProcessor.COMMAND_FUNCTION + "=help",
    "service.ranking:Integer=100", CommandFront.FRONT + ":Boolean=true"})
public final class HelpCommand implements Function {

    private static final Set<String> PLUMBING = Set.of("system", "context");

    private final BundleContext context;

    @Activate
    public HelpCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        if (arguments.size() > 1) {
            throw new IllegalArgumentException("help takes at most one SCOPE or COMMAND, got " + arguments.size());
        }
        Map<String, Scope> scopes = scopes();
        if (arguments.isEmpty()) {
            StringBuilder b = new StringBuilder("teebox commands (help SCOPE lists one scope, COMMAND --help shows "
                    + "a command's options):\n");
            scopes.values().stream().filter(s -> s.teebox).forEach(s -> s.append(b));
            b.append("\nshell built-ins (help SCOPE, or help COMMAND for one):\n");
            scopes.values().stream().filter(s -> !s.teebox).forEach(s -> b.append(String.format("  %-8s %s%n",
                    s.name, String.join(" ", s.functions.keySet()))));
            return b.toString();
        }
        String asked = String.valueOf(arguments.get(0));
        Scope scope = scopes.get(asked);
        if (scope != null) {
            StringBuilder b = new StringBuilder();
            scope.append(b);
            return b.toString();
        }
        String command = asked.contains(":") ? asked : resolve(asked, scopes);
        if (command != null) {
            String[] parts = command.split(":", 2);
            Scope s = scopes.get(parts[0]);
            if (s != null && s.functions.containsKey(parts[1])) {
                Usage u = s.usages.get(parts[1]);
                if (u != null) {
                    return u.text();
                }
                return session.execute("felix:help " + command);
            }
        }
        Set<String> known = new TreeSet<>(scopes.keySet());
        scopes.values().forEach(s -> s.functions.keySet().forEach(f -> {
            known.add(s.name + ":" + f);
            known.add(f);
        }));
        String near = Suggestions.nearest(asked, known);
        throw new IllegalArgumentException("no scope or command '" + Args.shown(asked) + "'"
                + (near == null ? "" : "; did you mean " + near + "?") + " (help lists them)");
    }

    private static String resolve(String function, Map<String, Scope> scopes) {
        for (Scope s : scopes.values()) {
            if (s.teebox && s.functions.containsKey(function)) {
                return s.name + ":" + function;
            }
        }
        for (Scope s : scopes.values()) {
            if (s.functions.containsKey(function)) {
                return s.name + ":" + function;
            }
        }
        return null;
    }

    /** The command services present, by scope (the fronts excluded: they stand for the same commands). */
    private Map<String, Scope> scopes() throws InvalidSyntaxException {
        Map<String, Scope> scopes = new TreeMap<>((a, b) -> a.compareTo(b));
        ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(&(" + CommandProcessor.COMMAND_SCOPE
                + "=*)(!(" + CommandFront.FRONT + "=*)))");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            String name = String.valueOf(ref.getProperty(CommandProcessor.COMMAND_SCOPE));
            if (PLUMBING.contains(name)) {
                continue;
            }
            String bsn = ref.getBundle() == null ? null : ref.getBundle().getSymbolicName();
            boolean teebox = CommandFront.fronted(bsn);
            Scope s = scopes.computeIfAbsent(name, n -> new Scope(n, teebox));
            Object service = context.getService(ref);
            try {
                if (service != null && s.description.isEmpty()) {
                    Descriptor d = service.getClass().getAnnotation(Descriptor.class);
                    s.description = d == null ? "" : d.value();
                }
                for (String f : CommandFront.functions(ref.getProperty(CommandProcessor.COMMAND_FUNCTION))) {
                    if (f.equals("*") || f.startsWith("__")) {
                        continue;
                    }
                    Usage u = service == null ? null : Usage.of(name, f, service.getClass());
                    s.functions.put(f, u == null ? "" : u.description());
                    if (teebox && u != null) {
                        s.usages.put(f, u);
                    }
                }
            } finally {
                if (service != null) {
                    context.ungetService(ref);
                }
            }
        }
        // teebox's scopes first, then the shell's, each alphabetically
        Map<String, Scope> ordered = new java.util.LinkedHashMap<>();
        scopes.values().stream().filter(s -> s.teebox).forEach(s -> ordered.put(s.name, s));
        scopes.values().stream().filter(s -> !s.teebox).forEach(s -> ordered.put(s.name, s));
        return ordered;
    }

    private static final class Scope {
        final String name;
        final boolean teebox;
        String description = "";
        final Map<String, String> functions = new TreeMap<>();
        final Map<String, Usage> usages = new TreeMap<>();

        Scope(String name, boolean teebox) {
            this.name = name;
            this.teebox = teebox;
        }

        void append(StringBuilder b) {
            b.append(String.format("%s:%s%n", name, description.isEmpty() ? "" : "  " + description));
            functions.forEach((f, d) -> b.append(String.format("  %-22s %s%n", name + ":" + f, d)));
        }
    }
}
