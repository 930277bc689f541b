package io.teebox.bench;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.jar.JarFile;

import org.apache.felix.framework.FrameworkFactory;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * The platform embedded in a load client: the distribution's own bundles (from {@code distribution/target/teebox.jar})
 * in a Felix framework with the HTTP server on a free loopback port, reached by reflection (the client's class path
 * has its own copy of the API, which the framework's class spaces would not match).
 */
final class EmbeddedTeebox {

    private EmbeddedTeebox() {
    }

    /** What the platform-embedding clients do with it. */
    interface PlatformTask {
        void run(BundleContext context) throws Exception;
    }

    /** One request or operation of a phase, by index; true when it succeeded. */
    interface Operation {
        boolean run(int index) throws Exception;
    }

    /**
     * What a closed-loop phase measured.
     *
     * @param ok operations that succeeded
     * @param failed operations that failed or threw
     * @param seconds the phase's wall time
     * @param latenciesNanos each operation's time
     */
    record Phase(int ok, int failed, double seconds, long[] latenciesNanos) {
        double perSecond() {
            return ok / seconds;
        }
    }

    /**
     * @param args {@code --name value} pairs
     * @param defaults every option with its default
     * @return the options
     * @throws IllegalArgumentException for an unknown option or one without a value
     */
    static Map<String, String> options(String[] args, Map<String, String> defaults) {
        Map<String, String> o = new HashMap<>(defaults);
        for (int i = 0; i < args.length; i++) {
            if (!o.containsKey(args[i]) || i + 1 == args.length) {
                throw new IllegalArgumentException("unknown option or missing value: " + args[i] + "; options: "
                        + o.keySet());
            }
            o.put(args[i], args[++i]);
        }
        return o;
    }

    /**
     * Starts the platform of the jar named by {@code --teebox} in a temporary directory, runs the task, stops it
     * and removes the directory.
     */
    static void withPlatform(Map<String, String> options, String name, PlatformTask task) throws Exception {
        Path jar = Path.of(options.get("--teebox"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("--teebox " + jar + " does not exist: build the distribution first "
                    + "(mvn -B -q -o -pl distribution -am package -DskipTests)");
        }
        Path tmp = Files.createTempDirectory(name);
        Framework fw = start(jar, tmp);
        try {
            task.run(fw.getBundleContext());
        } finally {
            fw.stop();
            fw.waitForStop(30_000);
            try (java.util.stream.Stream<Path> s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** @return the platform's HTTP base URL */
    static String baseUrl(BundleContext context) throws Exception {
        Object endpoint = waitFor(context, "io.teebox.api.platform.HttpEndpoint");
        return (String) endpoint.getClass().getMethod("baseUrl").invoke(endpoint);
    }

    /**
     * A closed loop: {@code threads} threads take the operations 0..count-1 in turn until all are done or the time is
     * up.
     */
    static Phase closedLoop(int threads, int count, long nanos, Operation op) throws InterruptedException {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger ok = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ConcurrentLinkedQueue<Long> lat = new java.util.concurrent.ConcurrentLinkedQueue<>();
        long deadline = System.nanoTime() + nanos;
        long t0 = System.nanoTime();
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                int i;
                while ((i = next.getAndIncrement()) < count && System.nanoTime() < deadline) {
                    long s = System.nanoTime();
                    boolean good;
                    try {
                        good = op.run(i);
                    } catch (Exception e) {
                        good = false;
                    }
                    (good ? ok : failed).incrementAndGet();
                    lat.add(System.nanoTime() - s);
                }
            });
            th.start();
            running.add(th);
        }
        for (Thread th : running) {
            th.join();
        }
        return new Phase(ok.get(), failed.get(), (System.nanoTime() - t0) / 1e9, lat.stream()
                .mapToLong(Long::longValue).toArray());
    }

    /** @return a class of the platform's API bundle (the bench's own copy would not match its services) */
    static Class<?> api(BundleContext context, String name) throws ClassNotFoundException {
        for (Bundle b : context.getBundles()) {
            if ("io.teebox.api".equals(b.getSymbolicName())) {
                return b.loadClass(name);
            }
        }
        throw new IllegalStateException("no io.teebox.api bundle");
    }

    /** Runs Gogo commands in a session of the platform's shell; @return what they printed */
    static String shell(BundleContext context, String commands) throws Exception {
        Object processor = waitFor(context, "org.apache.felix.service.command.CommandProcessor");
        Class<?> cp = processor.getClass().getClassLoader()
                .loadClass("org.apache.felix.service.command.CommandProcessor");
        Class<?> cs = processor.getClass().getClassLoader().loadClass("org.apache.felix.service.command.CommandSession");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(out, true, StandardCharsets.UTF_8);
        Object session = cp.getMethod("createSession", InputStream.class, OutputStream.class, OutputStream.class)
                .invoke(processor, new ByteArrayInputStream(new byte[0]), ps, ps);
        for (int i = 0; i < 100; i++) {
            // the commands register through DS after the framework starts
            if (context.getAllServiceReferences((String) null, "(osgi.command.scope=guest)") != null) {
                break;
            }
            Thread.sleep(100);
        }
        try {
            cs.getMethod("execute", CharSequence.class).invoke(session, commands);
            return out.toString(StandardCharsets.UTF_8);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalStateException(commands + ": " + e.getCause() + "\n" + out, e.getCause());
        } finally {
            cs.getMethod("close").invoke(session);
        }
    }

    static ServiceReference<?>[] all(BundleContext ctx, String type) {
        try {
            return ctx.getAllServiceReferences(type, null);
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return a service of the type, waiting up to 30 s */
    static Object waitFor(BundleContext ctx, String type) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            // all references: the bench's class path has its own copy of the API, which the framework's class
            // space check would hold against the bundles' services
            ServiceReference<?>[] refs = all(ctx, type);
            ServiceReference<?> r = refs == null ? null : refs[0];
            if (r != null) {
                Object s = ctx.getService(r);
                if (s != null) {
                    return s;
                }
            }
            Thread.sleep(100);
        }
        StringBuilder b = new StringBuilder("no " + type + " after 30 s; bundles not active:");
        for (Bundle x : ctx.getBundles()) {
            if (x.getState() != Bundle.ACTIVE) {
                b.append(' ').append(x.getSymbolicName()).append('(').append(x.getState()).append(')');
            }
        }
        try {
            for (ServiceReference<?> r : ctx.getAllServiceReferences(null, null)) {
                String oc = Arrays.toString((String[]) r.getProperty("objectClass"));
                if (oc.contains("Http") || oc.contains("Servlet")) {
                    b.append("\n  service ").append(oc).append(" endpoint=").append(Arrays.deepToString(
                            new Object[] {r.getProperty("osgi.http.endpoint")}));
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        throw new IllegalStateException(b.toString());
    }

    /** Felix with the distribution's bundles (no console, no file install), state and storage in {@code tmp}. */
    static Framework start(Path teebox, Path tmp) throws Exception {
        Properties launch = new Properties();
        List<Path> bundles = new ArrayList<>();
        try (JarFile jar = new JarFile(teebox.toFile())) {
            try (InputStream in = jar.getInputStream(jar.getEntry("launcher.properties"))) {
                launch.load(in);
            }
            for (String entry : launch.getProperty("launch.bundles").split(",")) {
                String name = entry.substring(entry.lastIndexOf('/') + 1);
                if (name.startsWith("org.apache.felix.gogo.jline") || name.startsWith("org.apache.felix.fileinstall")) {
                    continue;
                }
                Path p = tmp.resolve(name);
                try (InputStream in = jar.getInputStream(jar.getEntry(entry))) {
                    Files.copy(in, p);
                }
                bundles.add(p);
            }
        }
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Map<String, String> config = new HashMap<>();
        config.put("org.osgi.framework.storage", tmp.resolve("felix").toString());
        config.put("org.osgi.framework.storage.clean", "onFirstInit");
        config.put("org.osgi.framework.system.packages.extra", launch.getProperty("launch.system.packages"));
        config.put("org.osgi.service.http.port", Integer.toString(port));
        config.put("org.apache.felix.http.host", "127.0.0.1");
        config.put("teebox.state", tmp.resolve("state").toString());
        config.put("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Framework fw = new FrameworkFactory().newFramework(config);
        fw.start();
        List<Bundle> installed = new ArrayList<>();
        for (Path p : bundles) {
            installed.add(fw.getBundleContext().installBundle(p.toUri().toString()));
        }
        for (Bundle b : installed) {
            if (b.getHeaders().get("Fragment-Host") == null) {
                try {
                    b.start();
                } catch (org.osgi.framework.BundleException e) {
                    System.err.println("bundle " + b.getSymbolicName() + " does not start: " + e.getMessage());
                }
            }
        }
        return fw;
    }
}
