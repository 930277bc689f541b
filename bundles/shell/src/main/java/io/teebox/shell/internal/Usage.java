package io.teebox.shell.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;

/**
 * What a command takes, read from its methods' {@code @Descriptor} and {@code @Parameter} annotations: the usage text
 * {@code --help} prints (in the layout Gogo's option completion reads), and one-line diagnoses of arguments that fit
 * no signature.
 */
final class Usage {

    static final String HELP = "--help";
    static final String JSON = "--json";

    /** An option of a command. */
    record Option(List<String> names, boolean flag, String description) {

        String longest() {
            return names.stream().max(Comparator.comparingInt(String::length)).orElseThrow();
        }
    }

    /** A positional argument. */
    record Argument(String name, boolean repeated, String description) {
    }

    /** One signature. */
    record Signature(List<Option> options, List<Argument> arguments) {

        int required() {
            return (int) arguments.stream().filter(a -> !a.repeated()).count();
        }

        boolean open() {
            return arguments.stream().anyMatch(Argument::repeated);
        }
    }

    private final String command;
    private final String description;
    private final List<Signature> signatures;

    private Usage(String command, String description, List<Signature> signatures) {
        this.command = command;
        this.description = description;
        this.signatures = signatures;
    }

    /**
     * @param scope the command's scope
     * @param function the function name
     * @param type the class of the command object
     * @return its usage
     */
    static Usage of(String scope, String function, Class<?> type) {
        List<Method> methods = methods(type, function);
        String description = "";
        List<Signature> signatures = new ArrayList<>();
        for (Method m : methods) {
            Descriptor d = m.getAnnotation(Descriptor.class);
            if (d != null && description.isEmpty()) {
                description = d.value();
            }
            List<Option> options = new ArrayList<>();
            List<Argument> arguments = new ArrayList<>();
            java.lang.reflect.Parameter[] params = m.getParameters();
            for (int i = 0; i < params.length; i++) {
                java.lang.reflect.Parameter p = params[i];
                if (CommandSession.class.isAssignableFrom(p.getType())) {
                    continue;
                }
                Descriptor pd = p.getAnnotation(Descriptor.class);
                String text = pd == null ? "" : pd.value();
                Parameter option = p.getAnnotation(Parameter.class);
                if (option != null) {
                    options.add(new Option(List.of(option.names()),
                            !Parameter.UNSPECIFIED.equals(option.presentValue()), text));
                } else {
                    boolean repeated = m.isVarArgs() && i == params.length - 1
                            || Collection.class.isAssignableFrom(p.getType()) && i == params.length - 1;
                    arguments.add(new Argument(argumentName(p, i), repeated, text));
                }
            }
            signatures.add(new Signature(options, arguments));
        }
        return new Usage(scope + ":" + function, description, signatures);
    }

    /** The public methods Gogo would call for a function name, as its Reflective looks them up. */
    static List<Method> methods(Class<?> type, String function) {
        List<Method> out = new ArrayList<>();
        for (String name : new String[] {function, "get" + function, "is" + function, "set" + function}) {
            for (Method m : type.getMethods()) {
                if (m.getName().equalsIgnoreCase(name) && !Modifier.isStatic(m.getModifiers())
                        && m.getDeclaringClass() != Object.class) {
                    out.add(m);
                }
            }
            if (!out.isEmpty()) {
                break;
            }
        }
        out.sort(Comparator.comparingInt(Method::getParameterCount));
        return out;
    }

    private static String argumentName(java.lang.reflect.Parameter p, int index) {
        if (!p.isNamePresent()) {
            return "ARG" + (index + 1);
        }
        // guestName -> GUEST_NAME, positional -> ARG
        String n = p.getName().equals("positional") ? "arg" : p.getName();
        return n.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
    }

    /** @return the command's one-line description */
    String description() {
        return description;
    }

    /** @return the command as {@code scope:function} */
    String command() {
        return command;
    }

    /** @return every option name any signature declares */
    Set<String> optionNames() {
        Set<String> names = new LinkedHashSet<>();
        signatures.forEach(s -> s.options().forEach(o -> names.addAll(o.names())));
        return names;
    }

    /** @return the options of all signatures, each once */
    List<Option> options() {
        List<Option> out = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        for (Signature s : signatures) {
            for (Option o : s.options()) {
                if (seen.addAll(o.names())) {
                    out.add(o);
                }
            }
        }
        return out;
    }

    /** @return the positional arguments of the signature with the most of them */
    List<Argument> arguments() {
        return signatures.stream().map(Signature::arguments).max(Comparator.comparingInt(List::size))
                .orElse(List.of());
    }

    boolean declares(String option) {
        return optionNames().contains(option);
    }

    /** @return whether the arguments ask for help and the command does not take -h or --help itself */
    boolean asksForHelp(List<Object> args) {
        for (Object a : args) {
            String t = text(a);
            if ((HELP.equals(t) || "-h".equals(t)) && !declares(t)) {
                return true;
            }
        }
        return false;
    }

    /** @return the usage, in the layout of Gogo's own commands (which its option completion reads) */
    String text() {
        StringBuilder b = new StringBuilder();
        b.append(command).append(description.isEmpty() ? "" : " - " + description).append('\n');
        for (Signature s : signatures) {
            b.append("Usage: ").append(synopsis(s)).append('\n');
        }
        List<Argument> arguments = arguments();
        if (!arguments.isEmpty()) {
            b.append("Arguments:\n");
            for (Argument a : arguments) {
                b.append(String.format("  %-28s %s%n", a.name() + (a.repeated() ? "..." : ""), a.description()));
            }
        }
        b.append("Options:\n");
        for (Option o : options()) {
            b.append(String.format("  %-28s %s%n", optionLabel(o), o.description()));
        }
        if (!declares("-h") && !declares(HELP)) {
            b.append(String.format("  %-28s %s%n", "-h, --help", "show this help"));
        }
        if (!declares(JSON)) {
            b.append(String.format("  %-28s %s%n", "    --json", "print the result as JSON"));
        }
        return b.toString();
    }

    private static String optionLabel(Option o) {
        List<String> shorts = o.names().stream().filter(n -> !n.startsWith("--")).toList();
        List<String> longs = o.names().stream().filter(n -> n.startsWith("--")).toList();
        StringBuilder b = new StringBuilder(shorts.isEmpty() ? "    " : String.join(", ", shorts) + ", ");
        if (longs.isEmpty()) {
            b.setLength(b.length() - 2);
        } else {
            b.append(String.join(", ", longs));
        }
        if (!o.flag()) {
            b.append('=').append(o.longest().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT));
        }
        return b.toString();
    }

    private String synopsis(Signature s) {
        StringBuilder b = new StringBuilder(command);
        if (!s.options().isEmpty()) {
            b.append(" [OPTIONS]");
        }
        for (Argument a : s.arguments()) {
            b.append(' ').append(a.repeated() ? "[" + a.name() + "...]" : a.name());
        }
        return b.toString();
    }

    /**
     * @param args the arguments Gogo could not fit to any signature
     * @return one line naming what is wrong and where the usage is
     */
    String diagnose(List<Object> args) {
        String see = "; see " + command + " --help";
        Set<String> names = optionNames();
        int positional = 0;
        for (int i = 0; i < args.size(); i++) {
            String a = text(args.get(i));
            if (a != null && a.startsWith("-") && a.length() > 1 && !numeric(a)) {
                Option o = option(a);
                if (o == null) {
                    String near = Suggestions.nearest(a, names);
                    return "unknown option " + Args.shown(a) + (near == null ? "" : " (did you mean " + near + "?)")
                            + see;
                }
                if (!o.flag()) {
                    if (i + 1 >= args.size()) {
                        return "option " + a + " needs a value" + see;
                    }
                    i++;
                }
            } else {
                positional++;
            }
        }
        Signature best = null;
        for (Signature s : signatures) {
            if (best == null || Math.abs(s.required() - positional) < Math.abs(best.required() - positional)) {
                best = s;
            }
        }
        if (best != null && positional < best.required()) {
            List<String> missing = new ArrayList<>();
            for (Argument a : best.arguments().subList(positional, best.required())) {
                missing.add(a.name() + (a.description().isEmpty() ? "" : " (" + a.description() + ")"));
            }
            return command + " needs " + String.join(", ", missing) + "; usage: " + synopsis(best);
        }
        if (best != null && positional > best.required() && !best.open()) {
            return command + " takes " + best.required() + " argument" + (best.required() == 1 ? "" : "s")
                    + (best.arguments().isEmpty() ? "" : " (" + String.join(", ", best.arguments().stream()
                            .map(Argument::name).toList()) + ")") + ", got " + positional + "; usage: "
                    + synopsis(best);
        }
        return "the arguments do not fit " + command + see;
    }

    private Option option(String name) {
        for (Option o : options()) {
            if (o.names().contains(name)) {
                return o;
            }
        }
        return null;
    }

    private static boolean numeric(String a) {
        return a.matches("-(0[xX][0-9a-fA-F]+|[0-9]+)");
    }

    /** @return an argument as text, or null if it is not text */
    static String text(Object a) {
        return a instanceof CharSequence c ? c.toString() : null;
    }

    @Override
    public String toString() {
        return command + " " + Arrays.toString(signatures.toArray());
    }
}
