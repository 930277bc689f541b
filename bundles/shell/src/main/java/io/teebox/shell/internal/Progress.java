package io.teebox.shell.internal;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Progress lines for a long operation: once it has run for a second, the command says on its error stream what it
 * is doing ({@code launch web: the firmware measures the image (2 s)}), again when the step changes and every few
 * seconds, and how long it took in the end. Quick operations print nothing, and nothing goes to the command's
 * output, so {@code --json} stays one document.
 *
 * <p>The work runs on a thread of its own while the command's thread waits and prints: Gogo routes
 * {@code System.err} per thread to the session that runs the command, so only that thread may print.
 */
final class Progress {

    /** What the operation is doing now; the work sets it as it goes. */
    static final class Step {
        private volatile String now;

        Step(String first) {
            this.now = first;
        }

        /** @param step what the operation does from now on, as a phrase ({@code the owner checks the digest}) */
        void set(String step) {
            now = step;
        }

        String get() {
            return now;
        }
    }

    private final long quietMillis;
    private final long repeatMillis;

    /** Lines after a second of quiet, repeated every five seconds while a step lasts. */
    Progress() {
        this(1_000, 5_000);
    }

    Progress(long quietMillis, long repeatMillis) {
        this.quietMillis = quietMillis;
        this.repeatMillis = repeatMillis;
    }

    /**
     * Runs an operation, printing progress lines on {@code System.err} of the calling thread while it lasts.
     *
     * @param what the operation, as the lines begin ({@code launch web})
     * @param first its first step
     * @param work the operation, told the step object to update
     * @return what the work returned
     * @param <T> its type
     * @throws RuntimeException what the work threw, as it threw it
     */
    <T> T run(String what, String first, Function<Step, T> work) {
        return run(what, first, work, System.err);
    }

    /** {@link #run(String, String, Function)} printing on the given stream. */
    <T> T run(String what, String first, Function<Step, T> work, PrintStream err) {
        Step step = new Step(first);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        CompletableFuture<T> done = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            Thread.currentThread().setContextClassLoader(loader);
            try {
                done.complete(work.apply(step));
            } catch (Throwable t) {
                done.completeExceptionally(t);
            }
        }, "teebox-" + what.replace(' ', '-'));
        worker.setDaemon(true);
        long start = System.nanoTime();
        worker.start();
        String said = null;
        long saidAt = 0;
        boolean interrupted = false;
        try {
            while (true) {
                long elapsed = millisSince(start);
                long wait = said == null ? quietMillis - elapsed : Math.min(250, repeatMillis);
                try {
                    T result = done.get(Math.max(1, wait), TimeUnit.MILLISECONDS);
                    if (said != null) {
                        err.println(what + ": done in " + seconds(millisSince(start)));
                    }
                    return result;
                } catch (TimeoutException e) {
                    String now = step.get();
                    long t = millisSince(start);
                    if (t >= quietMillis && (!now.equals(said) || t - saidAt >= repeatMillis)) {
                        err.println(what + ": " + now + " (" + seconds(t) + ")");
                        said = now;
                        saidAt = t;
                    }
                } catch (InterruptedException e) {
                    // a firmware command cannot be taken back half-way: the operation runs to its end
                    if (!interrupted) {
                        err.println(what + ": cannot be interrupted while the firmware works; waiting for it to end");
                    }
                    interrupted = true;
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (said != null) {
                        err.println(what + ": failed after " + seconds(millisSince(start)));
                    }
                    if (cause instanceof RuntimeException r) {
                        throw r;
                    }
                    if (cause instanceof Error x) {
                        throw x;
                    }
                    throw new IllegalStateException(cause);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
