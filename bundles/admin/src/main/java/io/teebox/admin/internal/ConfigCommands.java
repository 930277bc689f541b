package io.teebox.admin.internal;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * {@code config:} commands, as Karaf's: list the pids, show a pid's effective, file and metatype values, set and
 * delete a property. A change is checked against the metatype before anything is written, then written to the
 * pid's {@code .cfg} file in the watched directory (FileInstall applies it, and it survives a restart); the
 * command waits until ConfigAdmin shows it and the component took it, and otherwise puts the file back and fails
 * with the guard's one-line reason.
 */
@Component(service = ConfigCommands.class, immediate = true, property = {"osgi.command.scope=config",
    "osgi.command.function=list", "osgi.command.function=show", "osgi.command.function=set",
    "osgi.command.function=delete"})
@Descriptor("configuration: list pids, show values with their metatype, set and delete properties")
public final class ConfigCommands {

    /** Framework property naming FileInstall's watched directory. */
    static final String FILEINSTALL_DIR = "felix.fileinstall.dir";
    /** How long set and delete wait for ConfigAdmin and the component. */
    static final long APPLY_TIMEOUT_MS = 10_000;

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final MetaTypeService metatype;
    private final ConfigGuard guard;

    /**
     * @param context this bundle's context
     * @param cm ConfigAdmin
     * @param metatype the metatype service
     * @param guard the configuration guard, which gives the verdict on a change
     */
    @Activate
    public ConfigCommands(BundleContext context, @Reference ConfigurationAdmin cm,
            @Reference MetaTypeService metatype, @Reference ConfigGuard guard) {
        this.context = context;
        this.cm = cm;
        this.metatype = metatype;
        this.guard = guard;
    }

    // ---- list

    @Descriptor("the pids with a configuration and those the metatype describes; * marks a configuration, "
            + "its file is named, factory instances are listed under their factory pid")
    public String list() {
        return list("");
    }

    @Descriptor("the pids whose name contains FILTER")
    public String list(@Descriptor("part of a pid, for example amd") String filter) {
        Map<String, Metatypes.Described> described = Metatypes.all(context, metatype);
        Map<String, Configuration> configs = new TreeMap<>();
        for (Configuration c : configurations(null)) {
            configs.put(c.getPid(), c);
        }
        Set<String> top = new LinkedHashSet<>(new java.util.TreeSet<>(described.keySet()));
        for (Configuration c : configs.values()) {
            top.add(c.getFactoryPid() != null ? c.getFactoryPid() : c.getPid());
        }
        List<String> sorted = new ArrayList<>(top);
        sorted.sort(null);
        StringBuilder b = new StringBuilder();
        for (String pid : sorted) {
            List<Configuration> instances = configs.values().stream().filter(c -> pid.equals(c.getFactoryPid()))
                    .toList();
            boolean match = pid.contains(filter) || instances.stream().anyMatch(c -> c.getPid().contains(filter));
            if (!match) {
                continue;
            }
            Metatypes.Described d = described.get(pid);
            Configuration own = configs.get(pid);
            boolean factory = (d != null && d.factory()) || !instances.isEmpty();
            b.append(own != null ? "* " : "  ").append(pid);
            if (factory) {
                b.append("  (factory)");
            }
            if (d != null) {
                b.append("  ").append(d.ocd().getName());
            } else {
                b.append("  (no metatype)");
            }
            if (own != null) {
                b.append(source(own));
            }
            b.append('\n');
            for (Configuration c : instances) {
                b.append("  * ").append(c.getPid()).append(source(c)).append('\n');
            }
        }
        return b.length() == 0 ? "no pid matches '" + filter + "'" : b.toString().stripTrailing();
    }

    private static String source(Configuration c) {
        Dictionary<String, Object> p = c.getProperties();
        Object f = p == null ? null : p.get(ConfigGuard.FILENAME);
        return f == null ? "  [ConfigAdmin only]" : "  [" + ConfigGuard.displayPath(String.valueOf(f)) + "]";
    }

    // ---- show

    @Descriptor("every property of a pid: its effective value (ConfigAdmin), the value in its .cfg file, and what "
            + "the metatype says of it (name, description, type, cardinality, default, options)")
    public String show(@Descriptor("the pid, for example io.teebox.amd.sp") String pid) throws IOException {
        Configuration c = configuration(pid);
        Metatypes.Described d = describedFor(pid, c);
        if (c == null && d == null) {
            throw new IllegalArgumentException("config: no configuration and no metatype for pid '" + pid + "'; see "
                    + "config:list");
        }
        Map<String, Object> effective = c == null ? Map.of() : ConfigGuard.userProperties(c.getProperties());
        Path file = file(pid, c);
        CfgFile cfg = file != null && Files.isRegularFile(file) ? CfgFile.read(file) : null;
        Map<String, Object> fileValues = cfg == null ? Map.of() : cfg.values();
        StringBuilder b = new StringBuilder(pid);
        if (d != null) {
            b.append("  ").append(d.ocd().getName());
        }
        b.append('\n');
        if (d != null && d.ocd().getDescription() != null) {
            b.append("  ").append(d.ocd().getDescription()).append('\n');
        }
        b.append("  configuration: ").append(c == null ? "none (the component's defaults)" : "yes")
                .append(", file: ").append(file == null ? "none" : ConfigGuard.displayPath(file.toString())
                        + (cfg == null ? " (not written yet)" : "")).append('\n');
        Set<String> keys = new LinkedHashSet<>();
        if (d != null) {
            keys.addAll(AttributeCheck.keys(d.ocd()));
        }
        keys.addAll(effective.keySet());
        keys.addAll(fileValues.keySet());
        for (String k : keys) {
            AttributeDefinition ad = d == null ? null : AttributeCheck.find(d.ocd(), k);
            b.append("  ").append(k).append(" = ");
            b.append(effective.containsKey(k) ? ConfigGuard.text(effective.get(k))
                    : ad != null && ad.getDefaultValue() != null ? String.join(",", ad.getDefaultValue())
                            + " (default)" : "(unset)");
            if (fileValues.containsKey(k)) {
                String fv = ConfigGuard.text(fileValues.get(k));
                b.append("   file: ").append(fv);
                if (effective.containsKey(k) && !fv.equals(ConfigGuard.text(effective.get(k)))) {
                    b.append(" (not in force)");
                }
            }
            b.append('\n');
            if (ad == null) {
                b.append("      not described by the metatype\n");
                continue;
            }
            b.append("      ").append(ad.getName());
            if (ad.getDescription() != null) {
                b.append(": ").append(ad.getDescription());
            }
            b.append('\n');
            b.append("      type ").append(AttributeCheck.typeName(ad.getType())).append(", ")
                    .append(AttributeCheck.cardinality(ad.getCardinality()));
            if (ad.getDefaultValue() != null) {
                b.append(", default ").append(String.join(",", ad.getDefaultValue()));
            }
            if (ad.getOptionValues() != null && ad.getOptionValues().length > 0) {
                b.append(", options ").append(String.join(", ", ad.getOptionValues()));
            }
            b.append('\n');
        }
        return b.toString().stripTrailing();
    }

    // ---- set, delete

    @Descriptor("sets a property after checking it against the metatype; writes it to the pid's .cfg file (created "
            + "if missing, other lines kept) and waits until it is in force")
    public String set(@Descriptor("the pid, for example io.teebox.amd.sp") String pid,
            @Descriptor("the property, for example maxAsid") String key,
            @Descriptor("the value, for example 31") String value) throws IOException, InterruptedException {
        Configuration c = configuration(pid);
        Metatypes.Described d = describedFor(pid, c);
        String refusal = refusal(pid, d, key, value);
        if (refusal != null) {
            throw new IllegalArgumentException(refusal);
        }
        return change(pid, c, key, cfg -> cfg.set(key, value),
                props -> props.containsKey(key) && value.equals(ConfigGuard.text(props.get(key))),
                pid + " " + key + " = " + value);
    }

    @Descriptor("deletes a property from the pid's .cfg file, so the component's default applies, and waits until "
            + "that is in force")
    public String delete(@Descriptor("the pid") String pid, @Descriptor("the property") String key)
            throws IOException, InterruptedException {
        Configuration c = configuration(pid);
        if (c == null || c.getProperties() == null || c.getProperties().get(key) == null) {
            List<String> keys = c == null ? List.of()
                    : new ArrayList<>(ConfigGuard.userProperties(c.getProperties()).keySet());
            throw new IllegalArgumentException("config: " + pid + " has no property " + key + " (it has: "
                    + (keys.isEmpty() ? "none" : String.join(", ", keys)) + ")");
        }
        Metatypes.Described d = describedFor(pid, c);
        AttributeDefinition ad = d == null ? null : AttributeCheck.find(d.ocd(), key);
        String def = ad != null && ad.getDefaultValue() != null ? String.join(",", ad.getDefaultValue()) : null;
        return change(pid, c, key, cfg -> {
            if (!cfg.delete(key)) {
                throw new IllegalArgumentException("config: " + pid + " " + key + " is not in its file, so it cannot "
                        + "be deleted there (ConfigAdmin has it from elsewhere)");
            }
        }, props -> !props.containsKey(key), pid + " " + key + " deleted" + (def == null ? "" : "; default " + def));
    }

    /**
     * @return the one-line refusal of a value the metatype does not accept, or of a key it does not know; null when
     *         it accepts it (or the pid has no metatype)
     */
    static String refusal(String pid, Metatypes.Described d, String key, String value) {
        if (d == null) {
            return null;
        }
        AttributeDefinition ad = AttributeCheck.find(d.ocd(), key);
        if (ad == null) {
            return "config: " + pid + " has no property " + key + "; its metatype knows "
                    + String.join(", ", AttributeCheck.keys(d.ocd()));
        }
        String problem = AttributeCheck.problem(ad, value);
        return problem == null ? null : "config: " + pid + " " + key + ": " + problem;
    }

    private interface Edit {
        void apply(CfgFile cfg);
    }

    private String change(String pid, Configuration c, String key, Edit edit,
            Predicate<Map<String, Object>> applied, String done) throws IOException, InterruptedException {
        Path file = file(pid, c);
        if (file == null) {
            throw new IllegalArgumentException("config: " + pid + " comes from no .cfg file and FileInstall watches "
                    + "no directory (" + FILEINSTALL_DIR + " is not set): nowhere to write it");
        }
        boolean existed = Files.isRegularFile(file);
        String original = existed ? Files.readString(file, StandardCharsets.ISO_8859_1) : null;
        CfgFile cfg = existed ? CfgFile.parse(original) : CfgFile.empty();
        edit.apply(cfg);
        guard.claim(pid);
        try {
            cfg.write(file);
            if (!fileInstallActive()) {
                Configuration target = c != null ? c : cm.getConfiguration(pid, "?");
                Hashtable<String, Object> props = new Hashtable<>(cfg.values());
                props.put(ConfigGuard.FILENAME, file.toUri().toString());
                target.update(props);
            }
            ConfigGuard.Verdict v = guard.await(pid, applied, APPLY_TIMEOUT_MS);
            if (v == null) {
                throw new IllegalStateException("config: " + pid + " " + key + ": written to "
                        + ConfigGuard.displayPath(file.toString()) + " but ConfigAdmin did not show it within "
                        + APPLY_TIMEOUT_MS / 1000 + " s (is FileInstall watching " + file.getParent() + "?)");
            }
            if (!v.accepted()) {
                if (existed) {
                    CfgFile.parse(original).write(file);
                } else {
                    Files.deleteIfExists(file);
                }
                throw new IllegalArgumentException(v.problem() + "; " + ConfigGuard.displayPath(file.toString())
                        + " is as it was");
            }
            return done + " (" + ConfigGuard.displayPath(file.toString()) + ", in force)";
        } finally {
            guard.release(pid);
        }
    }

    private boolean fileInstallActive() {
        for (Bundle b : context.getBundles()) {
            if ("org.apache.felix.fileinstall".equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE) {
                return true;
            }
        }
        return false;
    }

    /** The file a pid's configuration comes from, or {@code <watched dir>/<pid>.cfg}; null if there is neither. */
    private Path file(String pid, Configuration c) {
        Dictionary<String, Object> p = c == null ? null : c.getProperties();
        Object f = p == null ? null : p.get(ConfigGuard.FILENAME);
        if (f != null) {
            String s = String.valueOf(f);
            return s.startsWith("file:") ? Path.of(URI.create(s)) : Path.of(s);
        }
        if (c != null && c.getFactoryPid() != null) {
            return null;
        }
        String dir = context.getProperty(FILEINSTALL_DIR);
        return dir == null ? null : Path.of(dir).resolve(pid + ".cfg").toAbsolutePath();
    }

    private Metatypes.Described describedFor(String pid, Configuration c) {
        return Metatypes.find(context, metatype, c != null && c.getFactoryPid() != null ? c.getFactoryPid() : pid);
    }

    private Configuration configuration(String pid) {
        List<Configuration> cs = configurations("(" + org.osgi.framework.Constants.SERVICE_PID + "="
                + ConfigGuard.escape(pid) + ")");
        return cs.isEmpty() ? null : cs.get(0);
    }

    private List<Configuration> configurations(String filter) {
        try {
            Configuration[] cs = cm.listConfigurations(filter);
            return cs == null ? List.of() : Arrays.asList(cs);
        } catch (IOException | InvalidSyntaxException e) {
            throw new IllegalStateException("config: cannot list configurations: " + e.getMessage(), e);
        }
    }

    /** For tests: the object class of a pid. */
    ObjectClassDefinition ocd(String pid) {
        Metatypes.Described d = Metatypes.find(context, metatype, pid);
        return d == null ? null : d.ocd();
    }
}
