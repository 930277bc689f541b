package io.teebox.remote.internal;

import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.util.concurrent.ExecutionException;

import org.apache.felix.gogo.runtime.CommandNotFoundException;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;

/**
 * Running Gogo programs for a remote client, with the batch modes' conventions ({@code ./teebox -c}): the program
 * waits until the platform is ready, its result is printed, a failing command gives one line on stderr.
 */
final class Sessions {

    /** Exit status: the program ran. */
    static final int OK = 0;
    /** Exit status: a command failed; its message is on stderr. */
    static final int FAILED = 1;
    /** Exit status: a verification gave a REJECTED verdict (the shell's session variable {@value #REJECTED}). */
    static final int REJECTED_VERDICT = 2;
    /** Exit status: the platform did not become ready. */
    static final int NOT_READY = 3;

    /** Session variable the teebox shell's verification commands set on a REJECTED verdict. */
    static final String REJECTED = "teebox.rejected";
    /** Session variable that makes the teebox shell leave its "did you mean" hint to the caller's error line. */
    static final String QUIET_HINTS = "teebox.hints.quiet";
    private static final long READY_MS = 30_000;

    private Sessions() {
    }

    /**
     * Waits, at most 30 s, until the launcher has started every bundle (when a bnd launcher runs the platform);
     * then, when the teebox shell is present, until its {@code tee:ready} says every backend and command is up.
     *
     * @return null when ready, else why not
     */
    static String awaitReady(BundleContext context, CommandSession session) throws InterruptedException {
        long end = System.nanoTime() + READY_MS * 1_000_000;
        if (has(context, "(launcher.arguments=*)")) {
            while (!has(context, "(launcher.ready=true)")) {
                if (System.nanoTime() > end) {
                    return "the launcher has not started every bundle after " + READY_MS / 1000 + " s";
                }
                Thread.sleep(100);
            }
        }
        if (has(context, "(&(osgi.command.scope=tee)(osgi.command.function=ready))")) {
            try {
                session.execute("tee:ready -t " + Math.max(1, (end - System.nanoTime()) / 1_000_000_000));
            } catch (Exception e) {
                return message(e);
            }
        }
        return null;
    }

    /**
     * Runs a program in the session and prints its result.
     *
     * @return the exit status
     */
    static int run(CommandSession session, String program, PrintStream out, PrintStream err) {
        session.put(QUIET_HINTS, Boolean.TRUE);
        try {
            Object result = session.execute(program);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                if (text != null && text.length() > 0) {
                    out.println(text);
                }
            }
        } catch (Exception e) {
            out.flush();
            err.println("teebox: error: " + message(e));
            return FAILED;
        } finally {
            out.flush();
        }
        Object rejected = session.get(REJECTED);
        if (rejected != null) {
            err.println("teebox: rejected: " + rejected);
            return REJECTED_VERDICT;
        }
        return OK;
    }

    /** @return the first line of the cause's message, with the way to the command list after "not found" */
    static String message(Throwable e) {
        Throwable t = e;
        while ((t instanceof InvocationTargetException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage() == null ? t.toString() : t.getMessage();
        m = m.lines().findFirst().orElse(m);
        if (t instanceof CommandNotFoundException) {
            m = m + " (help lists the commands)";
        }
        return m;
    }

    static CommandSession create(CommandProcessor processor, java.io.InputStream in, PrintStream out,
            PrintStream err) {
        return processor.createSession(in, out, err);
    }

    private static boolean has(BundleContext context, String filter) {
        try {
            return context.getServiceReferences((String) null, filter) != null;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }
}
