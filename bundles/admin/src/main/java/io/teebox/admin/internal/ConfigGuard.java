package io.teebox.admin.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;

/**
 * Watches every configuration change (a {@code .cfg} file FileInstall read, {@code config:set}, ConfigAdmin) and
 * makes a refused one visible in one line, with the previous configuration back in force.
 *
 * <p>A change is refused when the metatype refuses a value, or when the component the pid configures throws from
 * its activate or modified method (DS then logs the exception, keeps a modified component running on its old state
 * and leaves an activated one failed; the configuration in ConfigAdmin would no longer be the one in force). The
 * guard then logs and prints one line, {@code config/io.teebox.amd.sp.cfg: maxAsid=999: <reason>; the previous
 * configuration stays in force (maxAsid=15)}, and puts the last accepted properties back into ConfigAdmin, so DS
 * re-applies what was in force and what ConfigAdmin shows is what runs. The file keeps the refused value until it
 * is edited again; {@code config:show} shows both.
 */
@Component(service = {ConfigurationListener.class, ConfigGuard.class}, immediate = true)
public final class ConfigGuard implements ConfigurationListener {

    /** How long a verdict waits for DS to apply a configuration. */
    static final long SCR_WAIT_MS = 5_000;
    /** How long a verdict keeps looking for a refusal after DS shows the new properties. */
    static final long GRACE_MS = 600;
    /**
     * Property of the marker service registered while a change is being checked: the batch modes' readiness waits
     * until it is gone, so a one-shot run neither starts before a refused configuration is put back nor stops before
     * its line is printed.
     */
    static final String BUSY = "teebox.busy";
    /** FileInstall's property naming the file a configuration comes from. */
    static final String FILENAME = "felix.fileinstall.filename";
    private static final Set<String> INTERNAL = Set.of(org.osgi.framework.Constants.SERVICE_PID,
            ConfigurationAdmin.SERVICE_FACTORYPID, ConfigurationAdmin.SERVICE_BUNDLELOCATION, FILENAME);

    /** The verdict on one configuration change. */
    record Verdict(String pid, Map<String, Object> properties, String problem) {
        boolean accepted() {
            return problem == null;
        }
    }

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final ServiceComponentRuntime scr;
    private final MetaTypeService metatype;
    private final LogReaderService logReader;
    private final Logger log;
    private final PrintStream console;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "teebox-config-guard");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Map<String, Object>> lastGood = new ConcurrentHashMap<>();
    private final Set<String> restoring = ConcurrentHashMap.newKeySet();
    private final Set<String> claimed = ConcurrentHashMap.newKeySet();
    private final List<Verdict> verdicts = Collections.synchronizedList(new ArrayList<>());

    /**
     * @param context this bundle's context
     * @param cm ConfigAdmin
     * @param scr the DS runtime, whose component states tell whether a component took a configuration
     * @param metatype the metatype service
     * @param logReader the log, where DS reports an exception from an activate or modified method
     * @param loggers the log service's logger factory
     */
    @Activate
    public ConfigGuard(BundleContext context, @Reference ConfigurationAdmin cm, @Reference ServiceComponentRuntime scr,
            @Reference MetaTypeService metatype, @Reference LogReaderService logReader,
            @Reference(service = LoggerFactory.class) LoggerFactory loggers) {
        this.context = context;
        this.cm = cm;
        this.scr = scr;
        this.metatype = metatype;
        this.logReader = logReader;
        this.log = loggers.getLogger(ConfigGuard.class);
        this.console = new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);
        // configurations applied before the guard started: check them once
        busy(+1);
        worker.submit(() -> {
          try {
            for (Configuration c : list(null)) {
                check(c.getPid(), Long.MAX_VALUE);
            }
          } finally {
            busy(-1);
          }
        });
    }

    @Deactivate
    void deactivate() {
        worker.shutdownNow();
        synchronized (this) {
            if (busyMarker != null) {
                try {
                    busyMarker.unregister();
                } catch (IllegalStateException e) {
                    // already gone with the bundle
                }
                busyMarker = null;
            }
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        if (event.getType() == ConfigurationEvent.CM_LOCATION_CHANGED) {
            return;
        }
        long since = System.currentTimeMillis() - 50;
        String pid = event.getPid();
        busy(+1);
        try {
            worker.submit(() -> {
                try {
                    check(pid, since);
                } finally {
                    busy(-1);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            busy(-1);
        }
    }

    private int busyCount;
    private org.osgi.framework.ServiceRegistration<?> busyMarker;

    private synchronized void busy(int delta) {
        busyCount += delta;
        try {
            if (busyCount > 0 && busyMarker == null) {
                Hashtable<String, Object> p = new Hashtable<>();
                p.put(BUSY, "configuration");
                busyMarker = context.registerService(Object.class.getName(), new Object(), p);
            } else if (busyCount == 0 && busyMarker != null) {
                busyMarker.unregister();
                busyMarker = null;
            }
        } catch (IllegalStateException e) {
            busyMarker = null; // the bundle is stopping
        }
    }

    /**
     * {@code config:set} and {@code config:delete} take the report of their own change: the guard then prints it
     * nowhere but logs it, and the command reports it as its error.
     *
     * @param pid the pid
     */
    void claim(String pid) {
        claimed.add(pid);
    }

    /** @param pid a pid claimed with {@link #claim} */
    void release(String pid) {
        claimed.remove(pid);
    }

    /**
     * Waits for the verdict on a change of a pid.
     *
     * @param pid the pid
     * @param applied which properties show the change
     * @param timeoutMillis how long to wait
     * @return the verdict, or null if none came in time
     * @throws InterruptedException if interrupted
     */
    Verdict await(String pid, Predicate<Map<String, Object>> applied, long timeoutMillis)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (System.nanoTime() < deadline) {
            synchronized (verdicts) {
                for (int i = verdicts.size() - 1; i >= 0; i--) {
                    Verdict v = verdicts.get(i);
                    if (v.pid.equals(pid) && applied.test(v.properties)) {
                        return v;
                    }
                }
            }
            Thread.sleep(20);
        }
        return null;
    }

    // ---- the check

    private void check(String pid, long since) {
        boolean wasRestoring = restoring.contains(pid);
        try {
            doCheck(pid, since);
        } catch (RuntimeException e) {
            log.error("config: checking " + pid + " failed: " + e, e);
        } finally {
            if (wasRestoring) {
                busy(-1);
            }
        }
    }

    private void doCheck(String pid, long since) {
        List<Configuration> found = list("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + escape(pid) + ")");
        Configuration c = found.isEmpty() ? null : found.get(0);
        Dictionary<String, Object> dict = c == null ? null : c.getProperties();
        Map<String, Object> now = dict == null ? Map.of() : userProperties(dict);
        String factoryPid = c == null ? null : c.getFactoryPid();
        boolean wasRestoring = restoring.remove(pid);
        Map<String, Object> before = lastGood.get(pid);
        Set<String> changed = changedKeys(before == null ? Map.of() : before, now);
        if (changed.isEmpty() && before != null) {
            record(pid, now, null);
            return;
        }
        String problem = null;
        Set<String> bad = new LinkedHashSet<>();
        Metatypes.Described described = Metatypes.find(context, metatype,
                factoryPid != null ? factoryPid : pid);
        if (described != null) {
            for (String k : changed) {
                if (!now.containsKey(k)) {
                    continue;
                }
                AttributeDefinition ad = AttributeCheck.find(described.ocd(), k);
                if (ad != null) {
                    String p = AttributeCheck.problem(ad, text(now.get(k)));
                    if (p != null) {
                        problem = p;
                        bad.add(k);
                        break;
                    }
                }
            }
        }
        if (problem == null) {
            problem = componentVerdict(factoryPid != null ? factoryPid : pid, pid, now, changed, since,
                    !wasRestoring && since != Long.MAX_VALUE);
            if (problem != null) {
                bad.addAll(namedIn(problem, changed));
            }
        }
        if (problem == null) {
            lastGood.put(pid, now);
            record(pid, now, null);
            return;
        }
        problem = stripPid(problem, pid, factoryPid);
        String line = line(dict, pid, now, before, bad, problem, described);
        record(pid, now, line);
        if (wasRestoring) {
            log.error("config: restoring the previous configuration of " + pid + " failed too: " + problem);
            return;
        }
        if (before == null && bad.equals(changed) && bad.size() > 1) {
            // nothing accepted before and the reason names no key: dropping every key would be a guess
            line = line.replaceFirst("; the previous configuration stays in force.*$",
                    "; the component did not take it (log:display --level ERROR)");
            log.error(line);
            report(pid, line);
            return;
        }
        log.error(line);
        report(pid, line);
        restore(c, dict, before, bad);
    }

    private void report(String pid, String line) {
        if (!claimed.contains(pid)) {
            console.println(line);
        }
    }

    private void record(String pid, Map<String, Object> props, String problem) {
        synchronized (verdicts) {
            verdicts.add(new Verdict(pid, props, problem));
            if (verdicts.size() > 200) {
                verdicts.subList(0, 100).clear();
            }
        }
    }

    /** Puts the last accepted properties back (the bad keys dropped when nothing was accepted before). */
    private void restore(Configuration c, Dictionary<String, Object> dict, Map<String, Object> before,
            Set<String> bad) {
        if (c == null) {
            return;
        }
        Hashtable<String, Object> props = new Hashtable<>();
        if (before != null) {
            props.putAll(before);
        } else {
            props.putAll(userProperties(dict));
            for (String k : bad) {
                props.remove(k);
            }
        }
        Object filename = dict == null ? null : dict.get(FILENAME);
        if (filename != null) {
            props.put(FILENAME, filename);
        }
        restoring.add(c.getPid());
        busy(+1); // until the restored configuration is checked in turn
        try {
            c.update(props);
        } catch (IOException | IllegalStateException e) {
            restoring.remove(c.getPid());
            busy(-1);
            log.error("config: cannot restore the previous configuration of " + c.getPid() + ": " + e);
        }
    }

    /**
     * Waits until DS shows the properties on every component the pid configures, then tells whether one refused
     * them: a failed activation, or an exception it logged from an activate or modified method since the change.
     *
     * @return the component's reason, or null if every component took the properties (or none uses the pid)
     */
    private String componentVerdict(String basePid, String pid, Map<String, Object> now, Set<String> changed,
            long since, boolean readLog) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SCR_WAIT_MS);
        long settled = -1;
        while (true) {
            boolean any = false;
            boolean allApplied = true;
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (d.configurationPid == null || !Arrays.asList(d.configurationPid).contains(basePid)
                        || !scr.isComponentEnabled(d)) {
                    continue;
                }
                any = true;
                boolean applied = false;
                for (ComponentConfigurationDTO cc : scr.getComponentConfigurationDTOs(d)) {
                    if (!shows(cc.properties, pid, now, changed)) {
                        continue;
                    }
                    applied = true;
                    // after a restore, DS may still log failures of the refused configuration (each dependent
                    // retries it): only the component's state counts then
                    String failure = readLog ? loggedFailure(d, since) : null;
                    if (failure == null && cc.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                            && cc.failure != null && thrownBy(cc.failure, d.implementationClass)) {
                        failure = rootLine(cc.failure);
                    }
                    if (failure != null) {
                        return failure;
                    }
                }
                allApplied &= applied;
            }
            if (!any || System.nanoTime() > deadline) {
                return null;
            }
            if (allApplied) {
                // DS logs a refusal through the log service, which may record it a moment after the DTO shows the
                // new properties: look a little longer before calling it accepted
                if (settled < 0) {
                    settled = System.nanoTime();
                } else if (System.nanoTime() - settled > TimeUnit.MILLISECONDS.toNanos(GRACE_MS)) {
                    return null;
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }

    private static boolean shows(Map<String, Object> props, String pid, Map<String, Object> now,
            Set<String> changed) {
        if (props == null) {
            return false;
        }
        Object spid = props.get(org.osgi.framework.Constants.SERVICE_PID);
        boolean pidMatches = spid == null || text(spid).contains(pid);
        if (!pidMatches) {
            return false;
        }
        for (String k : changed) {
            if (now.containsKey(k) ? !text(now.get(k)).equals(text(props.get(k))) : props.containsKey(k)) {
                return false;
            }
        }
        return true;
    }

    /** The message of an exception DS logged for the component since the change, or null. */
    private String loggedFailure(ComponentDescriptionDTO d, long since) {
        Enumeration<LogEntry> entries = logReader.getLog();
        while (entries.hasMoreElements()) {
            LogEntry e = entries.nextElement();
            if (e.getTime() < since) {
                break;
            }
            if (e.getException() == null || e.getLogLevel() != LogLevel.ERROR) {
                continue;
            }
            String where = e.getLoggerName() + " " + e.getMessage();
            boolean aboutIt = where.contains(d.name)
                    && (e.getBundle() == null || e.getBundle().getBundleId() == d.bundle.id
                            || "org.apache.felix.scr".equals(e.getBundle().getSymbolicName()));
            if (aboutIt && thrownBy(trace(e.getException()), d.implementationClass)) {
                return rootMessage(e.getException());
            }
        }
        return null;
    }

    /**
     * Whether the root cause of a trace was thrown by the component's own code (its package): a refusal, not a
     * missing dependency while the platform starts or stops.
     */
    static boolean thrownBy(String trace, String implementationClass) {
        int dot = implementationClass.lastIndexOf('.');
        String pkg = dot < 0 ? "" : implementationClass.substring(0, dot + 1);
        int root = Math.max(trace.lastIndexOf("Caused by:"), 0);
        String tail = trace.substring(root);
        int next = tail.indexOf("\n\tat ");
        return next >= 0 && tail.substring(next).trim().startsWith("at " + pkg);
    }

    private static String trace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    /** The message of the last "Caused by:" of a trace (or its first line). */
    static String rootLine(String trace) {
        int root = trace.lastIndexOf("Caused by: ");
        String line = root < 0 ? trace : trace.substring(root + "Caused by: ".length());
        return firstLine(line);
    }

    static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return firstLine(m);
    }

    private static String firstLine(String s) {
        String first = s.lines().findFirst().orElse(s).trim();
        // a DTO failure is a stack trace: drop the exception's class name
        return first.replaceFirst("^[\\w.$]+(Exception|Error): ", "");
    }

    // ---- the line

    /**
     * @return {@code <file or pid>: key=value[, ...]: <reason>; the previous configuration stays in force (...)}
     */
    static String line(Dictionary<String, Object> dict, String pid, Map<String, Object> now,
            Map<String, Object> before, Set<String> bad, String problem, Metatypes.Described described) {
        Object filename = dict == null ? null : dict.get(FILENAME);
        String where = filename == null ? pid : displayPath(text(filename));
        List<String> values = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (String k : bad) {
            values.add(now.containsKey(k) ? k + "=" + text(now.get(k)) : k + " (deleted)");
            AttributeDefinition ad = described == null ? null : AttributeCheck.find(described.ocd(), k);
            String def = ad == null || ad.getDefaultValue() == null ? "" : "=" + String.join(",", ad.getDefaultValue());
            kept.add(before != null && before.containsKey(k) ? k + "=" + text(before.get(k)) : k + def + ", the default");
        }
        String head = values.isEmpty() ? where : where + ": " + String.join(", ", values);
        return head + ": " + problem + "; the previous configuration stays in force"
                + (kept.isEmpty() ? "" : " (" + String.join(", ", kept) + ")");
    }

    /** A file URL FileInstall recorded, as a path relative to the working directory when it is under it. */
    static String displayPath(String fileUrl) {
        Path p;
        try {
            p = fileUrl.startsWith("file:") ? Path.of(URI.create(fileUrl)) : Path.of(fileUrl);
        } catch (IllegalArgumentException e) {
            return fileUrl;
        }
        Path cwd = Path.of("").toAbsolutePath();
        Path abs = p.toAbsolutePath().normalize();
        return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
    }

    static String stripPid(String problem, String pid, String factoryPid) {
        for (String prefix : new String[] {pid + ": ", factoryPid + ": "}) {
            if (problem.startsWith(prefix)) {
                return problem.substring(prefix.length());
            }
        }
        return problem;
    }

    /** The changed keys a reason names; all changed keys when it names none of them. */
    static Set<String> namedIn(String problem, Set<String> changed) {
        if (changed.size() <= 1) {
            return changed;
        }
        Set<String> out = new LinkedHashSet<>();
        for (String k : changed) {
            if (Pattern.compile("\\b" + Pattern.quote(k) + "\\b").matcher(problem).find()) {
                out.add(k);
            }
        }
        return out.isEmpty() ? changed : out;
    }

    static Set<String> changedKeys(Map<String, Object> before, Map<String, Object> now) {
        Set<String> keys = new TreeSet<>(before.keySet());
        keys.addAll(now.keySet());
        Set<String> out = new LinkedHashSet<>();
        for (String k : keys) {
            if (!Objects.equals(before.containsKey(k) ? text(before.get(k)) : null,
                    now.containsKey(k) ? text(now.get(k)) : null)) {
                out.add(k);
            }
        }
        return out;
    }

    static Map<String, Object> userProperties(Dictionary<String, Object> dict) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (dict == null) {
            return out;
        }
        for (Enumeration<String> keys = dict.keys(); keys.hasMoreElements();) {
            String k = keys.nextElement();
            if (!INTERNAL.contains(k)) {
                out.put(k, dict.get(k));
            }
        }
        return out;
    }

    /** A property value as text: arrays and collections comma-separated. */
    static String text(Object v) {
        if (v == null) {
            return "";
        }
        if (v.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < java.lang.reflect.Array.getLength(v); i++) {
                items.add(String.valueOf(java.lang.reflect.Array.get(v, i)));
            }
            return String.join(",", items);
        }
        if (v instanceof java.util.Collection<?> c) {
            return String.join(",", c.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }

    private List<Configuration> list(String filter) {
        try {
            Configuration[] cs = cm.listConfigurations(filter);
            return cs == null ? List.of() : List.of(cs);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("config: cannot list configurations: " + e.getMessage(), e);
        }
    }

    static String escape(String value) {
        StringBuilder b = new StringBuilder();
        for (char ch : value.toCharArray()) {
            if (ch == '*' || ch == '(' || ch == ')' || ch == '\\') {
                b.append('\\');
            }
            b.append(ch);
        }
        return b.toString();
    }

    /** @return pids whose last change the guard refused (tests) */
    Set<String> refusedPids() {
        Set<String> out = new HashSet<>();
        synchronized (verdicts) {
            for (Verdict v : verdicts) {
                if (!v.accepted()) {
                    out.add(v.pid);
                }
            }
        }
        return out;
    }
}
