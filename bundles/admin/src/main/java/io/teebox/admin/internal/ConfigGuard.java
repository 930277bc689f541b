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
    /**
     * The checks: one pid's in order, different pids' side by side (each waits {@link #GRACE_MS} for DS to report a
     * refusal, so a start with N configuration files waited N times that in one queue); DS's late refusals after
     * every check queued before them.
     */
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "teebox-config-guard");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, java.util.concurrent.CompletableFuture<Void>> tails = new java.util.HashMap<>();
    private volatile boolean stopped;

    /** Runs a task after the tasks of the same key; a late refusal ({@code key} null) after every task queued. */
    private void submit(String key, Runnable task) {
        if (stopped) {
            throw new java.util.concurrent.RejectedExecutionException("the configuration guard stopped");
        }
        synchronized (tails) {
            java.util.concurrent.CompletableFuture<Void> after = key != null
                    ? tails.getOrDefault(key, java.util.concurrent.CompletableFuture.completedFuture(null))
                    : java.util.concurrent.CompletableFuture.allOf(tails.values().toArray(
                            java.util.concurrent.CompletableFuture[]::new));
            java.util.concurrent.CompletableFuture<Void> next = after.handle((v, e) -> null).thenRunAsync(() -> {
                if (!stopped) {
                    task.run();
                }
            }, pool);
            tails.values().removeIf(java.util.concurrent.CompletableFuture::isDone);
            tails.put(key != null ? key : "(late refusals)", next);
        }
    }
    private final Map<String, Map<String, Object>> lastGood = new ConcurrentHashMap<>();
    /** The configuration accepted before the last one, for a late refusal of the last one. */
    private final Map<String, Map<String, Object>> priorGood = new ConcurrentHashMap<>();
    /** When a restored configuration was last checked: DS's reports of the refused one before it are old news. */
    private final Map<String, Long> settledAt = new ConcurrentHashMap<>();
    /**
     * Pids accepted while no component of theirs was active (a delayed or unsatisfied component is created later):
     * only their acceptance can be overturned by a refusal DS reports afterwards.
     */
    private final Set<String> unproven = ConcurrentHashMap.newKeySet();
    private final org.osgi.service.log.LogListener lateRefusals = this::logged;
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
        logReader.addLogListener(lateRefusals);
        // configurations applied before the guard started: check them once
        for (Configuration c : list(null)) {
            String pid = c.getPid();
            busy(+1);
            submit(pid, () -> {
                try {
                    check(pid, Long.MAX_VALUE);
                } finally {
                    busy(-1);
                }
            });
        }
    }

    @Deactivate
    void deactivate() {
        logReader.removeLogListener(lateRefusals);
        stopped = true;
        pool.shutdownNow();
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
            submit(pid, () -> {
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
                settledAt.put(pid, System.currentTimeMillis());
                busy(-1);
            }
        }
    }

    /**
     * A refusal DS reports after the guard accepted the configuration: a delayed component is created only when a
     * dependent first asks for it, which may be long after its configuration arrived (at start-up, the AMD SP when
     * the hypervisor composes a backend). The configuration is then checked again as refused, against the one
     * accepted before it.
     */
    private void logged(LogEntry e) {
        if (e.getLogLevel() != LogLevel.ERROR || e.getException() == null || e.getMessage() == null
                || !e.getMessage().contains("[")) {
            return;
        }
        busy(+1);
        try {
            submit(null, () -> {
                try {
                    lateRefusal(e);
                } catch (RuntimeException ex) {
                    log.error("config: checking a component failure failed: " + ex, ex);
                } finally {
                    busy(-1);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException ex) {
            busy(-1);
        }
    }

    private void lateRefusal(LogEntry e) {
        String trace = null;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.configurationPid == null || !e.getMessage().contains("[" + d.name + "(")) {
                continue;
            }
            trace = trace == null ? trace(e.getException()) : trace;
            if (refusal(trace, d.implementationClass) == null) {
                continue;
            }
            for (String pid : d.configurationPid) {
                if (!unproven.remove(pid) || restoring.contains(pid)
                        || e.getTime() <= settledAt.getOrDefault(pid, 0L)
                        || list("(" + org.osgi.framework.Constants.SERVICE_PID + "=" + escape(pid) + ")").isEmpty()) {
                    continue;
                }
                Map<String, Object> prior = priorGood.remove(pid);
                if (prior != null) {
                    lastGood.put(pid, prior);
                } else {
                    lastGood.remove(pid);
                }
                doCheck(pid, e.getTime() - 50);
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
            String basePid = factoryPid != null ? factoryPid : pid;
            problem = componentVerdict(basePid, pid, now, changed, since, !wasRestoring && since != Long.MAX_VALUE);
            if (problem != null && wasRestoring && revive(basePid)) {
                problem = componentVerdict(basePid, pid, now, changed, since, false);
            }
            if (problem == null && wasRestoring) {
                reviveDependents();
            }
            if (problem != null) {
                bad.addAll(namedIn(problem, changed));
            }
        }
        if (problem == null) {
            if (anyActive(factoryPid != null ? factoryPid : pid)) {
                unproven.remove(pid);
            } else {
                unproven.add(pid);
            }
            Map<String, Object> previous = lastGood.put(pid, now);
            if (previous != null && !previous.equals(now)) {
                priorGood.put(pid, previous);
            } else if (previous == null) {
                priorGood.remove(pid);
            }
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
            // nothing accepted before and the reason names no key: the component runs on its defaults
            Object filename = dict == null ? null : dict.get(FILENAME);
            line = (filename == null ? pid : displayPath(text(filename))) + ": " + problem
                    + "; the defaults are in force";
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

    /** @return whether a component the pid configures is active (created with its configuration) */
    private boolean anyActive(String basePid) {
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.configurationPid != null && Arrays.asList(d.configurationPid).contains(basePid)
                    && scr.getComponentConfigurationDTOs(d).stream()
                            .anyMatch(cc -> cc.state == ComponentConfigurationDTO.ACTIVE)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Disables and enables again every component of a pid whose activation failed, once the previous configuration
     * is back: DS keeps the failure until the component is re-created, and a component that bound a service whose
     * activation failed (the hypervisor binding a backend that needs the AMD SP) does not retry the bind. Cycling
     * the failed component re-registers its service, so its dependents come back in turn. A failed component has
     * no instance: nothing it held is lost.
     *
     * @return whether a component was cycled
     */
    private boolean revive(String basePid) {
        boolean any = false;
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
            if (d.configurationPid == null || !Arrays.asList(d.configurationPid).contains(basePid)
                    || !scr.isComponentEnabled(d)) {
                continue;
            }
            boolean failed = scr.getComponentConfigurationDTOs(d).stream()
                    .anyMatch(cc -> cc.state == ComponentConfigurationDTO.FAILED_ACTIVATION);
            if (!failed) {
                continue;
            }
            try {
                scr.disableComponent(d).getValue();
                scr.enableComponent(d).getValue();
                any = true;
                log.info("config: " + d.name + " re-created on the previous configuration of " + basePid);
            } catch (java.lang.reflect.InvocationTargetException e) {
                log.error("config: cannot re-create " + d.name + ": " + e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return any;
            }
        }
        return any;
    }

    /**
     * After a configuration is put back: re-creates, anywhere, a component whose activation failed for want of a
     * service that failed on the refused configuration (the TDX backend asked for the quoting enclave while the
     * enclave, which needs the TDX module the pid configures, was down). DS does not retry such a failure on its
     * own, and whether it happens at all depends on the order in which the dependents asked. Deepest first, round by round, since a
     * re-created component can bring back the next; one failed on its own configuration is left to its own check.
     */
    private void reviveDependents() {
        Map<String, Integer> cycled = new java.util.HashMap<>();
        for (int round = 0; round < 8; round++) {
            List<ComponentDescriptionDTO> failed = new ArrayList<>();
            Set<String> failedServices = new HashSet<>();
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (!scr.isComponentEnabled(d)) {
                    continue;
                }
                for (ComponentConfigurationDTO cc : scr.getComponentConfigurationDTOs(d)) {
                    if (cc.state != ComponentConfigurationDTO.FAILED_ACTIVATION) {
                        continue;
                    }
                    if (cc.failure != null && refusal(cc.failure, d.implementationClass) != null) {
                        return; // another configuration is still refused: its own restore comes back here
                    }
                    if (cycled.getOrDefault(d.name, 0) < 2 && !failed.contains(d)) {
                        failed.add(d);
                        failedServices.addAll(Arrays.asList(d.serviceInterfaces));
                    }
                }
            }
            if (failed.isEmpty()) {
                return;
            }
            // the deepest first: one re-created while what it wants is still failed would only fail again
            List<ComponentDescriptionDTO> ready = failed.stream().filter(d -> Arrays.stream(d.references)
                    .noneMatch(r -> failedServices.contains(r.interfaceName)
                            && !Arrays.asList(d.serviceInterfaces).contains(r.interfaceName)))
                    .toList();
            for (ComponentDescriptionDTO d : ready.isEmpty() ? failed : ready) {
                cycled.merge(d.name, 1, Integer::sum);
                try {
                    scr.disableComponent(d).getValue();
                    scr.enableComponent(d).getValue();
                    log.info("config: " + d.name + " re-created, as a service it wanted is back");
                } catch (java.lang.reflect.InvocationTargetException e) {
                    log.error("config: cannot re-create " + d.name + ": " + e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
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
            boolean instance = false;
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
                    instance |= cc.state == ComponentConfigurationDTO.ACTIVE;
                    // after a restore, DS may still log failures of the refused configuration (each dependent
                    // retries it): only the component's state counts then
                    String failure = readLog ? loggedFailure(d, since) : null;
                    if (failure == null && cc.state == ComponentConfigurationDTO.FAILED_ACTIVATION
                            && cc.failure != null) {
                        failure = refusal(cc.failure, d.implementationClass);
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
                // new properties: look a little longer before calling it accepted. Without an instance (a delayed
                // component nobody asked for yet, an unsatisfied one) nothing can refuse now: the refusal of its
                // later activation comes back through the log as a late one (the pid stays unproven)
                if (!instance) {
                    return null;
                }
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
            String reason = aboutIt ? refusal(trace(e.getException()), d.implementationClass) : null;
            if (reason != null) {
                return reason;
            }
        }
        return null;
    }

    /**
     * The reason a component refused its configuration, read from the trace of the exception DS reports: the message
     * of the outermost exception in the cause chain that the component's own code threw (its package), so that
     * {@code fmspc is not hex: ...} wins over the hex decoder's cause. Null when no exception of the chain comes from
     * the component's package: a missing dependency while the platform starts or stops is no refusal.
     *
     * @param trace a stack trace as {@link Throwable#printStackTrace()} writes it (the log wraps exceptions, so the
     *     chain is read from the text)
     * @param implementationClass the component's implementation class
     * @return the reason, or null
     */
    static String refusal(String trace, String implementationClass) {
        int dot = implementationClass.lastIndexOf('.');
        String own = "at " + (dot < 0 ? "" : implementationClass.substring(0, dot + 1));
        for (String section : trace.split("(?m)^Caused by: ")) {
            int frame = section.indexOf("\n\tat ");
            if (frame > 0 && section.substring(frame).trim().startsWith(own)) {
                return header(section.substring(0, frame));
            }
        }
        return null;
    }

    /** @return whether the component's own code threw an exception of the trace's chain */
    static boolean thrownBy(String trace, String implementationClass) {
        return refusal(trace, implementationClass) != null;
    }

    private static String trace(Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return w.toString();
    }

    /** An exception's header line without the class names wrapped around its message. */
    private static String header(String s) {
        String first = s.lines().findFirst().orElse(s).trim();
        String prev;
        do {
            prev = first;
            first = first.replaceFirst("^[\\w.$]+(Exception|Error): ", "");
        } while (!first.equals(prev));
        return first;
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
