package io.teebox.admin.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.admin.LoggerAdmin;
import org.osgi.service.log.admin.LoggerContext;

/**
 * {@code log:} commands: the end of the log file, the entries the log keeps, and the levels of the OSGi R7
 * LoggerAdmin. Gogo's own {@code felix:log} (gogo.command) reads the same log; these do not replace it.
 */
@Component(service = LogCommands.class, immediate = true, property = {"osgi.command.scope=log",
    "osgi.command.function=tail", "osgi.command.function=display", "osgi.command.function=set"})
@Descriptor("the platform's log: its file in the state directory, its entries and its levels")
public final class LogCommands {

    private final LogFile file;
    private final LogReaderService reader;
    private final LoggerAdmin admin;

    /**
     * @param file the log file
     * @param reader the log
     * @param admin the log levels
     */
    @Activate
    public LogCommands(@Reference LogFile file, @Reference LogReaderService reader, @Reference LoggerAdmin admin) {
        this.file = file;
        this.reader = reader;
        this.admin = admin;
    }

    @Descriptor("the last lines of the log file (<state>/log/teebox.log)")
    public String tail(@Descriptor("how many lines (default 20)")
            @Parameter(names = {"-n", "--lines"}, absentValue = "20") int n) throws IOException {
        if (n < 1) {
            throw new IllegalArgumentException("log: -n must be at least 1, got " + n);
        }
        List<String> lines = file.tail(n);
        return lines.isEmpty() ? "(" + file.file() + " is empty)" : String.join("\n", lines);
    }

    @Descriptor("every entry the log keeps, oldest first, optionally only those at LEVEL or worse, or of one bundle")
    public String display(
            @Descriptor("ERROR, WARN, INFO, DEBUG or TRACE: this level and more severe ones")
            @Parameter(names = {"-l", "--level"}, absentValue = "TRACE") String level,
            @Descriptor("a bundle symbolic name, for example org.apache.felix.scr")
            @Parameter(names = {"-b", "--bundle"}, absentValue = "") String bundle) {
        LogLevel max = level(level);
        StringBuilder b = new StringBuilder();
        for (LogEntry e : LogFile.history(reader)) {
            if (e.getLogLevel().ordinal() > max.ordinal() || LogFile.frameworkEvent(e)) {
                continue;
            }
            if (!bundle.isEmpty() && (e.getBundle() == null || !bundle.equals(e.getBundle().getSymbolicName()))) {
                continue;
            }
            b.append(LogFile.format(e));
        }
        return b.length() == 0 ? "no entries" : b.toString().stripTrailing();
    }

    @Descriptor("sets the level of the root logger")
    public String set(@Descriptor("AUDIT, ERROR, WARN, INFO, DEBUG or TRACE") String level) {
        return set(level, org.osgi.service.log.Logger.ROOT_LOGGER_NAME);
    }

    @Descriptor("sets the level of one logger (a name, or a prefix of names, as LoggerAdmin matches them)")
    public String set(@Descriptor("AUDIT, ERROR, WARN, INFO, DEBUG or TRACE") String level,
            @Descriptor("the logger, for example io.teebox.amd.sp.internal") String logger) {
        LogLevel l = level(level);
        LoggerContext root = admin.getLoggerContext(null);
        Map<String, LogLevel> levels = new java.util.HashMap<>(root.getLogLevels());
        levels.put(logger, l);
        root.setLogLevels(levels);
        return logger + " = " + l;
    }

    static LogLevel level(String text) {
        try {
            return LogLevel.valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            List<String> names = new ArrayList<>();
            Arrays.stream(LogLevel.values()).forEach(v -> names.add(v.name()));
            throw new IllegalArgumentException("log: level '" + text + "' is not one of " + String.join(", ", names),
                    e);
        }
    }
}
