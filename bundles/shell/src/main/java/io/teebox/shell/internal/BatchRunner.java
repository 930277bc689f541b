package io.teebox.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;

/**
 * The launcher's batch modes ({@code ./teebox -c COMMANDS}, {@code ./teebox run FILE}, {@code ./teebox demo}): when
 * the framework property {@value #COMMANDS} is set, waits until the platform is ready (every backend and command
 * registered, see {@link Readiness}), runs the Gogo program once, prints its result, writes the exit code to the
 * file named by {@value #EXIT_FILE} and stops the framework.
 *
 * <p>Exit codes: 0 when the program ran, 1 when a command failed (its message is printed as one line), 2 when it ran
 * but a verification command gave a REJECTED verdict ({@link #REJECTED}), 3 when the platform did not become ready.
 */
@Component(service = {}, immediate = true)
public final class BatchRunner {

    /** Framework property: the Gogo program to run. */
    static final String COMMANDS = "teebox.batch";
    /** Framework property: a Gogo script file to run instead of {@value #COMMANDS}. */
    static final String SCRIPT = "teebox.batch.script";
    /** Framework property: where to write the exit code. */
    static final String EXIT_FILE = "teebox.batch.exitfile";
    /** Framework property: whether to print the program's result (the {@code -c} mode). */
    static final String PRINT = "teebox.batch.print";
    /** Framework property: how long to wait for the platform, in milliseconds (default 30000). */
    static final String READY_TIMEOUT = "teebox.batch.readyTimeoutMs";
    /**
     * Session variable a verification command sets to a one-line summary when its verdict is REJECTED; the batch
     * modes then exit 2.
     */
    static final String REJECTED = "teebox.rejected";

    private final Thread thread;

    /**
     * @param context this bundle's context
     * @param processor Gogo's command processor
     * @param scr the DS runtime, for readiness
     */
    @Activate
    public BatchRunner(BundleContext context, @Reference CommandProcessor processor,
            @Reference ServiceComponentRuntime scr) {
        String program = context.getProperty(COMMANDS);
        String script = context.getProperty(SCRIPT);
        if ((program == null || program.isBlank()) && script == null) {
            thread = null;
            return;
        }
        thread = new Thread(() -> run(context, processor, scr, program, script), "teebox-batch");
        thread.start();
    }

    @Deactivate
    void deactivate() {
        // The batch thread ends by itself once the program ran; it must not be interrupted by the stop it asks for.
    }

    private static void run(BundleContext context, CommandProcessor processor, ServiceComponentRuntime scr,
            String commands, String script) {
        int code;
        try {
            String program = commands;
            if (script != null) {
                try {
                    program = Files.readString(Path.of(script), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new IllegalArgumentException("cannot read the script " + script + ": " + e.getMessage(), e);
                }
            }
            long timeout = Long.parseLong(context.getProperty(READY_TIMEOUT) == null ? "30000"
                    : context.getProperty(READY_TIMEOUT));
            List<String> pending = Readiness.await(context, scr, true, timeout);
            if (!pending.isEmpty()) {
                System.err.println("teebox: error: the platform is not ready after " + timeout + " ms: "
                        + String.join("; ", pending));
                code = 3;
            } else {
                code = execute(processor, program, Boolean.parseBoolean(context.getProperty(PRINT)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        } catch (RuntimeException e) {
            System.err.println("teebox: error: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            code = 1;
        }
        String exitFile = context.getProperty(EXIT_FILE);
        if (exitFile != null) {
            try {
                Files.writeString(Path.of(exitFile), Integer.toString(code), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                System.err.println("teebox: cannot write the exit code to " + exitFile + ": " + e.getMessage());
            }
        }
        System.out.flush();
        try {
            context.getBundle(0).stop();
        } catch (BundleException e) {
            System.err.println("teebox: cannot stop the framework: " + e.getMessage());
        }
    }

    /** Runs the program in a fresh session; returns the exit code. */
    static int execute(CommandProcessor processor, String program, boolean print) {
        // The process's own streams: Gogo replaces System.out/err with per-thread streams that forward to the
        // session's, so handing those to a session would loop.
        java.io.PrintStream out = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out),
                true, StandardCharsets.UTF_8);
        java.io.PrintStream err = new java.io.PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err),
                true, StandardCharsets.UTF_8);
        try (CommandSession session = processor.createSession(new java.io.FileInputStream(java.io.FileDescriptor.in),
                out, err)) {
            session.put(CommandHints.QUIET, Boolean.TRUE);
            try {
                Object result = session.execute(program);
                if (print && result != null) {
                    CharSequence text = session.format(result, Converter.INSPECT);
                    if (text != null && text.length() > 0) {
                        out.println(text);
                    }
                }
            } catch (Exception e) {
                Throwable t = e;
                while ((t instanceof java.lang.reflect.InvocationTargetException
                        || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
                    t = t.getCause();
                }
                String message = t.getMessage() == null ? t.toString() : t.getMessage();
                if (t instanceof org.apache.felix.gogo.runtime.CommandNotFoundException c) {
                    String hint = CommandHints.hint(c.getCommand(), session);
                    message = message + (hint == null ? "; help lists the commands" : "; " + hint);
                }
                out.flush();
                err.println("teebox: error: " + message.lines().findFirst().orElse(message));
                return 1;
            }
            Object rejected = session.get(REJECTED);
            if (rejected != null) {
                out.flush();
                err.println("teebox: rejected: " + rejected);
                return 2;
            }
            return 0;
        } finally {
            out.flush();
            err.flush();
        }
    }
}
