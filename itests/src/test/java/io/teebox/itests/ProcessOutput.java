package io.teebox.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** What a launched teebox process prints, collected while it runs, for tests that wait for a line. */
public final class ProcessOutput {

    private ProcessOutput() {
    }

    /** Copies the stream into the sink on a daemon thread until the process ends. */
    public static void pump(InputStream in, ByteArrayOutputStream sink, String name) {
        Thread t = new Thread(() -> {
            byte[] b = new byte[8192];
            try {
                for (int n; (n = in.read(b)) > 0;) {
                    synchronized (sink) {
                        sink.write(b, 0, n);
                    }
                }
            } catch (IOException closed) {
                // the process ended
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** @return what the sink holds so far, as UTF-8 */
    public static String text(ByteArrayOutputStream sink) {
        synchronized (sink) {
            return sink.toString(StandardCharsets.UTF_8);
        }
    }
}
