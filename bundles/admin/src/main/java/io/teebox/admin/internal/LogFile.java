package io.teebox.admin.internal;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

import io.teebox.api.platform.PlatformState;

/**
 * The platform's log file, {@code <state directory>/log/teebox.log}: every entry of the OSGi log (DS, ConfigAdmin,
 * FileInstall, the teebox bundles) as one line (an exception's trace indented below it), so nothing is printed over
 * the prompt. The file is capped at {@value #MAX_BYTES} bytes: it is then renamed to {@code teebox.log.1} (the
 * older one to {@code .2}) and a new one begun. The teebox bundles log through {@code java.util.logging}: its
 * console handler is replaced by one that hands the records to the OSGi log, attributed to the bundle of the
 * logging class.
 */
@Component(service = LogFile.class, immediate = true)
public final class LogFile implements LogListener {

    /** Size at which the file is rotated. */
    static final long MAX_BYTES = 4L << 20;
    /** Rotated files kept. */
    static final int KEEP = 2;

    private final Path file;
    private final LogReaderService reader;
    private final BundleContext context;
    private final LoggerFactory loggers;
    private final List<Handler> removedHandlers = new ArrayList<>();
    private final Handler julBridge;
    private long lastSequence = -1;
    private long size;
    private Writer out;

    /**
     * @param context this bundle's context
     * @param state the machine's state directory
     * @param reader the OSGi log
     * @param loggers the OSGi log's logger factory, for records of {@code java.util.logging}
     */
    @Activate
    public LogFile(BundleContext context, @Reference PlatformState state, @Reference LogReaderService reader,
            @Reference(service = LoggerFactory.class) LoggerFactory loggers) {
        this(state.directory().resolve("log").resolve("teebox.log"), reader, context, loggers);
    }

    LogFile(Path file, LogReaderService reader, BundleContext context, LoggerFactory loggers) {
        this.file = file;
        this.reader = reader;
        this.context = context;
        this.loggers = loggers;
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("log: cannot create " + file.getParent() + ": " + e.getMessage(), e);
        }
        reader.addLogListener(this);
        // what was logged before this bundle started, oldest first
        List<LogEntry> history = Collections.list(reader.getLog());
        Collections.reverse(history);
        synchronized (this) {
            for (LogEntry e : history) {
                write(e);
            }
        }
        julBridge = new JulBridge();
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        for (Handler h : root.getHandlers()) {
            if (h instanceof java.util.logging.ConsoleHandler) {
                root.removeHandler(h);
                removedHandlers.add(h);
            }
        }
        root.addHandler(julBridge);
    }

    /** @return the log file */
    Path file() {
        return file;
    }

    @Deactivate
    synchronized void close() {
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.removeHandler(julBridge);
        removedHandlers.forEach(root::addHandler);
        reader.removeLogListener(this);
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // closing: nothing left to report it to
            }
            out = null;
        }
    }

    @Override
    public synchronized void logged(LogEntry entry) {
        write(entry);
    }

    private void write(LogEntry e) {
        if (e.getSequence() <= lastSequence) {
            return;
        }
        lastSequence = e.getSequence();
        if (frameworkEvent(e)) {
            return;
        }
        String line = format(e);
        try {
            if (out == null) {
                out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                        StandardOpenOption.APPEND);
                size = Files.size(file);
            }
            if (size + line.length() > MAX_BYTES) {
                rotate();
            }
            out.write(line);
            out.flush();
            size += line.getBytes(StandardCharsets.UTF_8).length;
        } catch (IOException ex) {
            // the log cannot report its own failure anywhere but the console: once, then it stops writing
            System.err.println("teebox: log: cannot write " + file + ": " + ex.getMessage());
            out = null;
        }
    }

    private void rotate() throws IOException {
        out.close();
        for (int i = KEEP; i >= 1; i--) {
            Path from = i == 1 ? file : file.resolveSibling(file.getFileName() + "." + (i - 1));
            Path to = file.resolveSibling(file.getFileName() + "." + i);
            if (Files.exists(from)) {
                Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING);
        size = 0;
    }

    /**
     * @param e an entry
     * @return {@code <time> <LEVEL> [<bundle>] <logger>: <message>} and the exception's trace, indented
     */
    static String format(LogEntry e) {
        StringBuilder b = new StringBuilder();
        b.append(Instant.ofEpochMilli(e.getTime())).append(' ').append(e.getLogLevel()).append(" [")
                .append(e.getBundle() == null ? "-" : e.getBundle().getSymbolicName()).append("] ")
                .append(e.getLoggerName()).append(": ").append(oneLine(e.getMessage())).append('\n');
        if (e.getException() != null) {
            StringWriter trace = new StringWriter();
            e.getException().printStackTrace(new PrintWriter(trace));
            trace.toString().lines().forEach(l -> b.append("    ").append(l).append('\n'));
        }
        return b.toString();
    }

    /**
     * The framework's bundle and service events (loggers {@code Events.*}, OSGi R7 101.6) below WARN: hundreds at
     * each start, and {@code lb}/{@code scr:list} tell the same.
     */
    static boolean frameworkEvent(LogEntry e) {
        return e.getLoggerName() != null && e.getLoggerName().startsWith("Events.")
                && e.getLogLevel().ordinal() > org.osgi.service.log.LogLevel.WARN.ordinal();
    }

    static String oneLine(String message) {
        return message == null ? "" : message.replace("\r", "").replace("\n", " | ");
    }

    /**
     * @param n how many lines
     * @return the last lines of the file
     * @throws IOException if it cannot be read
     */
    List<String> tail(int n) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        return all.subList(Math.max(0, all.size() - n), all.size());
    }

    /** Hands {@code java.util.logging} records to the OSGi log. */
    private final class JulBridge extends Handler {
        private final Map<String, Bundle> bundles = new ConcurrentHashMap<>();

        @Override
        public void publish(LogRecord r) {
            if (r == null || !isLoggable(r)) {
                return;
            }
            String name = r.getLoggerName() == null ? "jul" : r.getLoggerName();
            Bundle b = bundles.computeIfAbsent(name, this::bundleOf);
            Logger l = loggers.getLogger(b, name, Logger.class);
            String msg = r.getMessage();
            if (r.getParameters() != null && r.getParameters().length > 0 && msg != null) {
                try {
                    msg = java.text.MessageFormat.format(msg, r.getParameters());
                } catch (IllegalArgumentException e) {
                    // not a MessageFormat pattern: keep the message as it is
                }
            }
            int v = r.getLevel().intValue();
            Throwable t = r.getThrown();
            if (v >= Level.SEVERE.intValue()) {
                l.error(msg, t);
            } else if (v >= Level.WARNING.intValue()) {
                l.warn(msg, t);
            } else if (v >= Level.INFO.intValue()) {
                l.info(msg, t);
            } else if (v >= Level.FINE.intValue()) {
                l.debug(msg, t);
            } else {
                l.trace(msg, t);
            }
        }

        /** The bundle holding the logging class (the logger is named after it), else the system bundle. */
        private Bundle bundleOf(String loggerName) {
            String path = loggerName.replace('.', '/') + ".class";
            try {
                for (Bundle b : context.getBundles()) {
                    if (b.getBundleId() != 0 && b.getEntry(path) != null) {
                        return b;
                    }
                }
                return context.getBundle(0);
            } catch (IllegalStateException e) {
                return context.getBundle(0);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    /** @return entries of the log reader, oldest first */
    static List<LogEntry> history(LogReaderService reader) {
        Enumeration<LogEntry> en = reader.getLog();
        List<LogEntry> out = Collections.list(en);
        Collections.reverse(out);
        return out;
    }
}
