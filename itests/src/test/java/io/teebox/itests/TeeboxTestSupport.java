package io.teebox.itests;

import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;

/**
 * What every teebox integration test shares: a real Felix framework with SCR, ConfigAdmin, Metatype, the Gogo
 * runtime, Gson, Bouncy Castle and all teebox bundles, installed from {@code target/bundles} (copied there by the
 * build from the reactor, so {@code mvn verify} needs no {@code install}); helpers to look services up, to
 * configure components through ConfigAdmin and to wait for the platform to react.
 */
public abstract class TeeboxTestSupport {

    /** How long to wait for a service or a state change before failing. */
    protected static final long TIMEOUT_MS = 10_000;

    /** The SEV guest policy the tests launch with: NODBG. */
    protected static final long POLICY_NODBG = 0x1;

    /** The secret the guest owner releases after a matching measurement. */
    protected static final byte[] SECRET = "the guest owner's secret".getBytes(StandardCharsets.UTF_8);

    /** Guest memory of the test guests: 64 MiB, enough to hold the firmware's low-memory areas. */
    protected static final long GUEST_MEMORY = 64L << 20;

    /** The vCPU model of the test guests. */
    protected static final String VCPU_TYPE = "EPYC-v4";

    /** The bundles under test and their runtime, by file name in {@code target/bundles}. */
    private static final String[] BUNDLES = {
        // OSGi APIs SCR needs deployed, then SCR, ConfigAdmin, Metatype, Gogo
        "org.osgi.service.component", "org.osgi.util.function", "org.osgi.util.promise", "org.apache.felix.log",
        "org.apache.felix.scr", "org.apache.felix.configadmin", "org.apache.felix.metatype",
        "org.apache.felix.gogo.runtime",
        // libraries
        "gson", "nimbus-jose-jwt", "h2", "bcprov-jdk18on", "bcutil-jdk18on", "bcpkix-jdk18on",
        // the platform's HTTP server
        "org.apache.felix.http.servlet-api", "commons-io", "commons-fileupload", "org.apache.felix.http.jetty12",
        // teebox
        "api", "spi", "tck", "kit", "platform", "amd-abi", "amd-sp", "amd-ghcb", "sev", "sev-es", "sev-snp", "amd-kds",
        "amd-verify", "amd-owner", "amd-shell", "intel-abi", "intel-tdx-module", "intel-pcs", "intel-qe", "tdx",
        "intel-verify", "intel-owner", "intel-shell", "spdm", "nvidia-abi", "nvidia-verify", "nvidia-rim", "nvidia-h100",
        "nvidia-shell", "hypervisor", "shell", "admin", "attestation-api",
        "attestation-service", "attestation-shell", "kbs", "attestation-gcp", "attestation-azure",
        // the vTPM, measured boot and the confidential disk
        "tpm-abi", "tpm-vtpm", "tpm-guest", "tpm-verify", "boot-eventlog", "boot-uefi", "boot-chain", "disk-luks2",
        "disk-image", "disk-cvm",
    };

    /** The framework's context, injected by Pax Exam. */
    @Inject
    protected BundleContext context;

    /** ConfigAdmin, injected once it is registered. */
    @Inject
    protected ConfigurationAdmin configAdmin;

    /**
     * @return the Pax Exam options: a Felix framework (the native container's) with the bundles above
     */
    @Configuration
    public Option[] configuration() {
        return platform();
    }

    /**
     * @return the Pax Exam options of {@link #configuration()}, for tests that cannot extend this class (the TCK's
     *         contract tests extend {@link io.teebox.tck.BackendContract})
     */
    public static Option[] platform() {
        File dir = new File(System.getProperty("teebox.bundles", "target/bundles"));
        return options(
                workingDirectory("target/paxexam"),
                cleanCaches(true),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                // SLF4J 2 from the class path, as the distribution's launcher exports it
                systemPackages("org.slf4j;version=2.0.17", "org.slf4j.spi;version=2.0.17",
                        "org.slf4j.event;version=2.0.17", "org.slf4j.helpers;version=2.0.17"),
                // the platform's HTTP server on a free loopback port
                frameworkProperty("org.osgi.service.http.port").value("0"),
                frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"),
                frameworkProperty("org.apache.felix.http.timeout").value("2000"),
                junitBundles(),
                composite(Stream.of(BUNDLES).map(name -> bundle(bundleFile(dir, name))).toArray(Option[]::new)));
    }

    /**
     * @param name a bundle's file name in {@code target/bundles}, without {@code .jar}
     * @return its URL, for tests that add a bundle to {@link #platform()}
     */
    protected static String bundleFile(String name) {
        return bundleFile(new File(System.getProperty("teebox.bundles", "target/bundles")), name);
    }

    private static String bundleFile(File dir, String name) {
        File f = new File(dir, name + ".jar");
        if (!f.isFile()) {
            throw new IllegalStateException("bundle " + f + " is missing: run the build (mvn verify), which copies "
                    + "the bundles to target/bundles before the integration tests");
        }
        return f.toURI().toString();
    }

    // ---- services

    /**
     * Runs a Gogo program that must fail (see {@link #gogo}).
     *
     * @param commands the program
     * @param scopes the command scopes to wait for
     * @return the message of what it threw
     * @throws Exception if waiting failed
     */
    protected String gogoFails(String commands, String... scopes) throws Exception {
        try {
            gogo(commands, scopes);
        } catch (Exception e) {
            Throwable t = e;
            while (t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null) {
                t = t.getCause();
            }
            return t.getMessage();
        }
        throw new AssertionError(commands + " was accepted");
    }

    /**
     * @param e evidence a guest produced
     * @return its JSON form as the attestation service and the key broker take it: format, base64 report and the
     *     base64 DER certificates
     */
    protected static com.google.gson.JsonObject evidenceJson(io.teebox.api.attestation.Evidence e) {
        com.google.gson.JsonObject ev = new com.google.gson.JsonObject();
        ev.addProperty("format", e.format());
        ev.addProperty("evidence", java.util.Base64.getEncoder().encodeToString(e.report()));
        com.google.gson.JsonArray certs = new com.google.gson.JsonArray();
        e.certificates().forEach(c -> certs.add(java.util.Base64.getEncoder().encodeToString(c)));
        ev.add("certificates", certs);
        return ev;
    }

    /**
     * Runs a Gogo program in a session of its own, once the command scopes it uses are registered (DS registers
     * them asynchronously, so a test waits as the batch runner does).
     *
     * @param commands the program
     * @param scopes the command scopes to wait for
     * @return the program's result, or what it printed when it returned nothing
     * @throws Exception what the program threw
     */
    protected Object gogo(String commands, String... scopes) throws Exception {
        org.apache.felix.service.command.CommandProcessor processor = service(
                org.apache.felix.service.command.CommandProcessor.class, null);
        await("the " + String.join(": and ", scopes) + ": commands", () -> {
            try {
                for (String scope : scopes) {
                    if (context.getServiceReferences((String) null, "(osgi.command.scope=" + scope + ")") == null) {
                        return false;
                    }
                }
                return true;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream print = new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8);
        try (org.apache.felix.service.command.CommandSession s = processor.createSession(
                new java.io.ByteArrayInputStream(new byte[0]), print, print)) {
            Object r = s.execute(commands);
            return r != null ? r : out.toString(java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * Runs a Gogo command once the command named by a service filter is registered.
     *
     * @param command the command line
     * @param awaitFilter an LDAP filter over the command services to wait for, e.g.
     *        {@code (&(osgi.command.scope=scenario)(osgi.command.function=azure))}
     * @return what it printed and returned, and the message of what it threw (null when it did not)
     * @throws Exception if the session cannot be made
     */
    protected String[] runCommand(String command, String awaitFilter) throws Exception {
        org.apache.felix.service.command.CommandProcessor processor = service(
                org.apache.felix.service.command.CommandProcessor.class, null);
        await(awaitFilter, () -> {
            try {
                return context.getServiceReferences((String) null, awaitFilter) != null;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.PrintStream p = new java.io.PrintStream(out, true, StandardCharsets.UTF_8);
        try (org.apache.felix.service.command.CommandSession s = processor.createSession(
                new java.io.ByteArrayInputStream(new byte[0]), p, p)) {
            Object r = s.execute(command);
            return new String[] {out.toString(StandardCharsets.UTF_8) + (r == null ? "" : r), null};
        } catch (Exception e) {
            Throwable t = e;
            while (t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null) {
                t = t.getCause();
            }
            return new String[] {out.toString(StandardCharsets.UTF_8), t.getMessage()};
        }
    }

    /**
     * Waits for a service.
     *
     * @param type the service interface
     * @param filter an LDAP filter on its properties, or null
     * @return the service
     */
    protected <T> T service(Class<T> type, String filter) {
        String f = "(objectClass=" + type.getName() + ")";
        if (filter != null) {
            f = "(&" + f + filter + ")";
        }
        ServiceTracker<T, T> tracker = new ServiceTracker<>(context, filter(f), null);
        tracker.open();
        try {
            T service = tracker.waitForService(TIMEOUT_MS);
            assertNotNull("no service " + f + " after " + TIMEOUT_MS + " ms", service);
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + f, e);
        } finally {
            tracker.close();
        }
    }

    /** @return the hypervisor */
    protected Hypervisor hypervisor() {
        return service(Hypervisor.class, null);
    }

    /**
     * @param teeType for example {@code "sev"}
     * @return the backend registered with that {@code tee.type}
     */
    protected TeeBackend backend(String teeType) {
        return service(TeeBackend.class, "(" + TeeType.PROPERTY + "=" + teeType + ")");
    }

    /**
     * @param teeType for example {@code "sev"}
     * @return the guest owner service registered with that {@code tee.type}
     */
    protected GuestOwnerService guestOwner(String teeType) {
        return service(GuestOwnerService.class, "(" + TeeType.PROPERTY + "=" + teeType + ")");
    }

    /**
     * @param symbolicName a bundle symbolic name
     * @return the installed bundle
     */
    protected Bundle installedBundle(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("bundle " + symbolicName + " is not installed");
    }

    private Filter filter(String filter) {
        try {
            return FrameworkUtil.createFilter(filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    // ---- configuration

    /**
     * Updates a bundle as an administrator does, trying again while Felix refuses because another thread holds its
     * global resolve lock (it refuses rather than waits when the updating thread holds a bundle lock; a configuration
     * change re-creating components takes that lock for a moment).
     *
     * @param bundle the bundle
     * @throws org.osgi.framework.BundleException if the update fails for another reason, or still after 5 s
     */
    protected static void update(Bundle bundle) throws org.osgi.framework.BundleException, InterruptedException {
        for (int attempt = 0;; attempt++) {
            try {
                bundle.update();
                return;
            } catch (org.osgi.framework.BundleException e) {
                if (attempt >= 50 || !String.valueOf(e.getMessage()).contains("global lock")) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * Sets the configuration of a singleton component through ConfigAdmin, replacing all its properties
     * (properties left out fall back to the component's defaults).
     *
     * @param pid the configuration pid, for example {@code io.teebox.amd.sp}
     * @param properties the properties
     */
    protected void configure(String pid, Map<String, ?> properties) throws IOException {
        org.osgi.service.cm.Configuration c = configAdmin.getConfiguration(pid, "?");
        Dictionary<String, Object> d = new Hashtable<>(properties);
        c.update(d);
    }

    /**
     * Deletes a singleton configuration, so the component runs on its defaults again.
     *
     * @param pid the configuration pid
     */
    protected void deleteConfiguration(String pid) throws IOException {
        org.osgi.service.cm.Configuration[] cs;
        try {
            cs = configAdmin.listConfigurations("(service.pid=" + pid + ")");
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(pid, e);
        }
        if (cs != null) {
            for (org.osgi.service.cm.Configuration c : cs) {
                c.delete();
            }
        }
    }

    // ---- waiting

    /**
     * Waits until a condition holds; conditions that throw are retried (a service may be replaced meanwhile).
     *
     * @param what what is awaited, for the failure message
     * @param condition the condition
     */
    /**
     * Waits until the condition holds and keeps holding for half a second: a reconfiguration can re-register a
     * backend in more than one wave (its module, then what depends on the same configuration).
     */
    protected static void awaitSteady(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT_MS * 1_000_000L;
        long since = -1;
        while (System.nanoTime() < deadline) {
            boolean holds;
            try {
                holds = condition.getAsBoolean();
            } catch (RuntimeException e) {
                holds = false;
            }
            long now = System.nanoTime();
            since = holds ? (since < 0 ? now : since) : -1;
            if (since >= 0 && now - since >= 500_000_000L) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        throw new AssertionError(what + ": not steady for 500 ms within " + TIMEOUT_MS + " ms");
    }

    protected static void await(String what, BooleanSupplier condition) {
        await(what, condition, TIMEOUT_MS);
    }

    /**
     * Waits for a condition as {@link #await(String, BooleanSupplier)} does, for a step that a loaded machine makes
     * slow (a bundle update that re-creates a backend with a new configuration).
     *
     * @param what the condition, for the failure message
     * @param condition the condition
     * @param timeoutMs how long to wait
     */
    protected static void await(String what, BooleanSupplier condition, long timeoutMs) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        RuntimeException last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (condition.getAsBoolean()) {
                    return;
                }
                last = null;
            } catch (RuntimeException e) {
                last = e;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
        AssertionError error = new AssertionError(what + ": not reached after " + timeoutMs + " ms");
        if (last != null) {
            error.initCause(last);
        }
        throw error;
    }

    // ---- launches

    /**
     * @param name the guest name
     * @return the configuration of a one-vCPU SEV test guest
     */
    protected static GuestConfig sevGuest(String name) {
        return new GuestConfig(name, "sev", 1, VCPU_TYPE, GUEST_MEMORY);
    }

    /**
     * @param expectedDigest a precomputed digest to expect, or null to let the owner compute it from the built-in
     *            firmware
     * @return the owner's policy for the built-in firmware: NODBG, {@link #SECRET} to the launch-secret area
     */
    protected static OwnerPolicy sevOwnerPolicy(byte[] expectedDigest) {
        return new OwnerPolicy(POLICY_NODBG, null, null, null, null, expectedDigest, SECRET, -1);
    }

    /**
     * Creates and launches an SEV guest of the built-in firmware with an owner that expects it and releases
     * {@link #SECRET}.
     *
     * @param name the guest name
     * @return the launch result
     */
    protected LaunchResult launchSevGuest(String name) {
        Hypervisor hv = hypervisor();
        LaunchOwner owner = guestOwner("sev").prepare(sevOwnerPolicy(null));
        hv.create(sevGuest(name));
        return hv.launch(name, LaunchPlan.DEFAULT, owner);
    }

    /** @return the guest physical address of the built-in firmware's launch-secret area */
    protected static long launchSecretAddress() {
        return OvmfImage.parse(DefaultFirmware.image()).launchSecretArea()
                .orElseThrow(() -> new AssertionError("the built-in firmware has no launch-secret area"))
                .gpa();
    }

    /**
     * @param haystack bytes to search
     * @param needle bytes to find
     * @return the first index of needle in haystack, or -1
     */
    protected static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Fails if any run of {@code run} consecutive bytes of the secret appears in the data. */
    protected static void assertNoRunOf(byte[] secret, int run, byte[] data, String what) {
        for (int i = 0; i + run <= secret.length; i++) {
            byte[] window = java.util.Arrays.copyOfRange(secret, i, i + run);
            int at = indexOf(data, window);
            if (at >= 0) {
                fail(what + " holds secret bytes " + i + ".." + (i + run - 1) + " in plaintext at offset " + at);
            }
        }
    }
}
