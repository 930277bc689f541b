package io.teebox.shell.internal;

import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;

/**
 * Puts a front before the commands of every bundle that is not Gogo's or Felix's own (teebox's, its vendor bundles',
 * a third party's): {@code --help} or {@code -h} prints the usage built from the command's {@code @Descriptor} and
 * {@code @Parameter} annotations, {@code --json} prints the result as JSON, and arguments that fit no signature get
 * one line naming what is wrong (an unknown or misspelt option, a missing or extra argument) instead of Gogo's
 * "Cannot coerce create(Token, Token) to any of [...]".
 *
 * <p>Each front is a {@link Function} service with the command's scope and function and a higher
 * {@code service.ranking}: Gogo runs the highest-ranked service of a name. The command services themselves are
 * untouched, so a bundle that provides commands needs nothing from this one.
 */
@Component(immediate = true)
public final class CommandFront {

    /** Service property marking a front, so fronts are never fronted again. */
    static final String FRONT = "teebox.command.front";

    private final ServiceTracker<Object, List<ServiceRegistration<Function>>> tracker;

    @Activate
    public CommandFront(BundleContext context) throws InvalidSyntaxException {
        String filter = "(&(" + CommandProcessor.COMMAND_SCOPE + "=*)(" + CommandProcessor.COMMAND_FUNCTION
                + "=*)(!(" + FRONT + "=*)))";
        tracker = new ServiceTracker<>(context, context.createFilter(filter), new Customizer(context));
        tracker.open(true);
    }

    @Deactivate
    void deactivate() {
        tracker.close();
    }

    /** Whether a bundle's commands get a front: not the shell's own machinery (Gogo, Felix, SCR). */
    static boolean fronted(String symbolicName) {
        return symbolicName != null && !symbolicName.startsWith("org.apache.felix.");
    }

    private static final class Customizer
            implements ServiceTrackerCustomizer<Object, List<ServiceRegistration<Function>>> {

        private final BundleContext context;

        Customizer(BundleContext context) {
            this.context = context;
        }

        @Override
        public List<ServiceRegistration<Function>> addingService(ServiceReference<Object> ref) {
            if (!fronted(ref.getBundle() == null ? null : ref.getBundle().getSymbolicName())) {
                return null;
            }
            Object target = context.getService(ref);
            if (target == null || target instanceof Function) {
                if (target != null) {
                    context.ungetService(ref);
                }
                return null;
            }
            String scope = String.valueOf(ref.getProperty(CommandProcessor.COMMAND_SCOPE));
            Object ranking = ref.getProperty(Constants.SERVICE_RANKING);
            int rank = ranking instanceof Integer i ? i : 0;
            List<ServiceRegistration<Function>> fronts = new ArrayList<>();
            for (String function : functions(ref.getProperty(CommandProcessor.COMMAND_FUNCTION))) {
                if (function.equals("*")) {
                    continue;
                }
                Hashtable<String, Object> props = new Hashtable<>();
                props.put(CommandProcessor.COMMAND_SCOPE, scope);
                props.put(CommandProcessor.COMMAND_FUNCTION, function);
                props.put(Constants.SERVICE_RANKING, rank == Integer.MAX_VALUE ? rank : rank + 1);
                props.put(FRONT, Boolean.TRUE);
                fronts.add(context.registerService(Function.class, new FrontedCommand(scope, function, target),
                        props));
            }
            return fronts;
        }

        @Override
        public void modifiedService(ServiceReference<Object> ref, List<ServiceRegistration<Function>> fronts) {
        }

        @Override
        public void removedService(ServiceReference<Object> ref, List<ServiceRegistration<Function>> fronts) {
            for (ServiceRegistration<Function> r : fronts) {
                try {
                    r.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // the framework stopping this bundle unregistered it first
                }
            }
            context.ungetService(ref);
        }

    }

    /** @return the function names of an {@code osgi.command.function} property (a String, String[] or collection) */
    static List<String> functions(Object property) {
        List<String> out = new ArrayList<>();
        if (property instanceof String[] a) {
            out.addAll(List.of(a));
        } else if (property instanceof Iterable<?> it) {
            it.forEach(o -> out.add(String.valueOf(o)));
        } else if (property != null) {
            out.add(String.valueOf(property));
        }
        return out;
    }
}
