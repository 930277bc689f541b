package io.teebox.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import io.teebox.api.hypervisor.Hypervisor;

/**
 * Tab completion for the interactive shell (Gogo's JLine completer): every fronted command's options from its
 * annotations, and its arguments by what they name: guests, backends, features, files. The profile installs them
 * with {@code shell:completion}; {@code shell:values KIND} gives the current names the completer asks for.
 */
@Component(service = Completions.class, immediate = true, property = {
    CommandProcessor.COMMAND_SCOPE + "=shell", CommandProcessor.COMMAND_FUNCTION + "=completion",
    CommandProcessor.COMMAND_FUNCTION + "=values"})
@Descriptor("The interactive shell: tab completion")
public final class Completions {

    private static final Set<String> FILE_WORDS = Set.of("FILE", "FIRMWARE", "KERNEL", "INITRD", "ARG", "SCRIPT",
            "OUT", "ROOT", "COLLATERAL", "EVENTLOG", "REPORT", "CERTS");

    private final BundleContext context;
    private volatile Hypervisor hypervisor;

    /** Framework property naming the feature directory, for completing feature names. */
    static final String FEATURES_PROPERTY = "teebox.features";

    @Activate
    public Completions(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindHypervisor(Hypervisor h) {
        hypervisor = h;
    }

    void unbindHypervisor(Hypervisor h) {
        if (hypervisor == h) {
            hypervisor = null;
        }
    }

    /**
     * @param kind guests, backends or features
     * @return the names now present
     */
    @Descriptor("The names the completer offers: guests, backends or features")
    public List<String> values(@Descriptor("guests, backends or features") String kind) {
        Hypervisor h = hypervisor;
        switch (kind) {
            case "guests":
                return h == null ? List.of() : h.guests().stream().map(g -> g.config().name()).toList();
            case "backends":
                return h == null ? List.of() : h.backends().stream().map(b -> b.teeType()).toList();
            case "features":
                return featureNames();
            default:
                throw new IllegalArgumentException("kind must be guests, backends or features, got '"
                        + Args.shown(kind) + "'");
        }
    }

    /**
     * Installs the completions of every command with a front into the calling session (Gogo's {@code complete}).
     *
     * @param session the interactive session
     * @return how many commands got completions
     * @throws Exception if Gogo's complete command refuses a line
     */
    @Descriptor("Install tab completion for the commands of teebox and its vendor bundles (the profile does)")
    public String completion(CommandSession session) throws Exception {
        if (session.get(".reader") == null) {
            // scripts and -c runs have no line reader, and Gogo keeps no completions for them
            return "no terminal: nothing to complete";
        }
        int n = 0;
        for (String line : lines()) {
            session.execute(line);
            if (line.endsWith(" -e")) {
                n++;
            }
        }
        return n + " commands complete their options and arguments";
    }

    /**
     * @return the names of the descriptors in the feature directory (the framework property
     *         {@value #FEATURES_PROPERTY}, else {@code features}): what feature:install and the others take
     */
    private List<String> featureNames() {
        String d = context.getProperty(FEATURES_PROPERTY);
        java.nio.file.Path dir = java.nio.file.Path.of(d == null || d.isBlank() ? "features" : d);
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** @return the {@code complete} lines for every fronted command */
    List<String> lines() throws InvalidSyntaxException {
        List<String> out = new ArrayList<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(Function.class.getName(), "(" + CommandFront.FRONT
                + "=*)");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Object service = context.getService(ref);
            try {
                if (service instanceof FrontedCommand f) {
                    out.addAll(lines(f.usage()));
                }
            } finally {
                context.ungetService(ref);
            }
        }
        return out;
    }

    /** @return Gogo {@code complete} lines for one command */
    static List<String> lines(Usage u) {
        String c = u.command();
        List<String> out = new ArrayList<>();
        out.add("complete -c " + c + " -e");
        out.add("complete -c " + c + " -d " + quoted(u.description()));
        for (Usage.Option o : u.options()) {
            StringBuilder b = new StringBuilder("complete -c " + c);
            for (String name : o.names()) {
                b.append(name.startsWith("--") ? " -l " + name.substring(2) : " -s " + name.substring(1));
            }
            b.append(" --description ").append(quoted(o.description()));
            if (!o.flag()) {
                String value = o.longest().replaceFirst("^-+", "").toUpperCase(Locale.ROOT);
                b.append(" -a ").append(quoted(source(value)));
            }
            out.add(b.toString());
        }
        out.add("complete -c " + c + " -l help --description " + quoted("show this help"));
        out.add("complete -c " + c + " -l json --description " + quoted("print the result as JSON"));
        for (Usage.Argument a : u.arguments()) {
            String src = source(a.name());
            if (!src.isEmpty()) {
                out.add("complete -c " + c + " -a " + quoted(src));
                break; // Gogo completes every positional word from one list
            }
        }
        return out;
    }

    /** @return the Gogo expression that yields candidates for a value named so, or "" for free text */
    static String source(String name) {
        if (name.equals("GUEST")) {
            return "shell:values guests";
        }
        if (name.equals("TYPE") || name.equals("TEE")) {
            return "shell:values backends";
        }
        if (name.equals("ID")) {
            return "shell:values features";
        }
        if (FILE_WORDS.contains(name) || name.endsWith("_FILE")) {
            return "__files";
        }
        return "";
    }

    /** Gogo double-quoted text: backslash, both quotes (Gogo's tokenizer pairs single quotes inside double ones too)
     * and dollar escaped. */
    static String quoted(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"").replace("'", "\\'").replace("$", "\\$")
                + "\"";
    }
}
