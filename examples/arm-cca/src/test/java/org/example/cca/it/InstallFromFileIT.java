package org.example.cca.it;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeBackend;
import io.teebox.tck.OsgiSubject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * What a user does: a running teebox without CCA; {@code felix:install -s file:...} of the one bundle this build
 * made, in Gogo; {@code tee:backends} lists {@code cca}; a realm launches; its attestation token passes the
 * backend's verifier with the platform's CPAK as the root, and a tampered one does not. No teebox bundle is
 * reinstalled, updated or restarted on the way.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class InstallFromFileIT {

    @Inject
    private BundleContext context;

    /** @return the core alone: the backend is installed by the test */
    @Configuration
    public Option[] configuration() {
        return CcaPlatform.withoutBackend();
    }

    @Test
    public void theBundleInstalledFromAFileIntoARunningTeeboxLaunchesARealmWhoseTokenVerifies() throws Exception {
        Hypervisor hv = service(Hypervisor.class, null);
        assertTrue("no cca backend before the install", hv.backends().stream().noneMatch(d -> d.teeType()
                .equals("cca")));
        Map<Long, String> before = teeboxBundles();
        assertFalse("the core's bundles run", before.isEmpty());

        // Gogo's felix:install (org.apache.felix.gogo.command 1.1) installs; felix:start starts (the old Felix
        // shell's "install -s" is not among its options)
        Object installed = gogo("felix:install " + CcaPlatform.backendJar().toURI());
        assertTrue("felix:install names the bundle: " + installed, String.valueOf(installed).startsWith("Bundle ID: "));
        long id = Long.parseLong(String.valueOf(installed).substring("Bundle ID: ".length()).trim());
        assertEquals("the installed bundle", "org.example.cca", context.getBundle(id).getSymbolicName());
        gogo("felix:start " + id);
        try {
            OsgiSubject.await("the hypervisor binds the cca backend", () -> hv.backends().stream().anyMatch(d -> d
                    .teeType().equals("cca")));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; " + Diagnostics.describe(context), e);
        }
        Object listed = gogo("tee:backends");
        assertTrue("tee:backends lists cca: " + listed, listed instanceof List<?> l && l.stream().anyMatch(d -> d
                instanceof BackendDescriptor bd && bd.teeType().equals("cca") && bd.architecture().equals(
                        "aarch64")));
        assertEquals("no teebox bundle was reinstalled, updated or restarted", before, teeboxBundles());

        String realm = "realm-from-file";
        GuestOwnerService owner = service(GuestOwnerService.class, "(tee.type=cca)");
        OwnerPolicy policy = new OwnerPolicy(0, null, null, null, null, null, null, -1);
        hv.create(new GuestConfig(realm, "cca", 2, "neoverse-n2", 64L << 20));
        LaunchResult launched = hv.launch(realm, LaunchPlan.DEFAULT, owner.prepare(policy));
        assertEquals(GuestState.RUNNING, hv.guest(realm).state());
        byte[] rim = owner.expectedDigest(policy, 2, "neoverse-n2");
        assertArrayEquals("the RIM the RMM measured is the one the owner recomputes", rim, launched.measurement()
                .value());
        assertTrue("the launch log names RMI commands: " + launched.log(), launched.log().stream().anyMatch(e -> e
                .command().equals("RMI_REALM_ACTIVATE")));

        byte[] challenge = new byte[64];
        new SecureRandom().nextBytes(challenge);
        Evidence token = hv.context(realm).evidence(Bytes.of(challenge));
        assertEquals("cca-token", token.format());
        EvidenceVerifier verifier = service(EvidenceVerifier.class, "(evidence.format=cca-token)");
        byte[] cpak = service(TeeBackend.class, "(tee.type=cca)").platformCertificates().get("cpak");
        Map<String, String> refs = new LinkedHashMap<>();
        refs.put("report_data", HexFormat.of().formatHex(challenge));
        refs.put("measurement", HexFormat.of().formatHex(rim));
        Appraisal a = verifier.verify(token, new VerificationOptions(Clock.systemUTC(), List.of(cpak), refs,
                Map.of()));
        assertTrue("the token verifies: " + a.failures(), a.accepted());
        assertArrayEquals("it binds the challenge", challenge, a.nonce().orElseThrow().value());

        byte[] tampered = token.report();
        tampered[tampered.length - 10] ^= 1;
        Appraisal bad = verifier.verify(new Evidence(token.format(), tampered, List.of(), Map.of()),
                new VerificationOptions(Clock.systemUTC(), List.of(cpak), refs, Map.of()));
        assertFalse("a tampered token does not", bad.accepted());
        hv.destroy(realm);

        // a SHA-512 realm (policy bit 8): 64-byte RIM and REMs; an extended REM shows in the next token
        String wide = "realm-sha512";
        OwnerPolicy sha512 = new OwnerPolicy(0x100, null, null, null, null, null, null, -1);
        hv.create(new GuestConfig(wide, "cca", 1, "neoverse-n2", 64L << 20));
        byte[] rim512 = hv.launch(wide, LaunchPlan.DEFAULT, owner.prepare(sha512)).measurement().value();
        assertEquals("a SHA-512 RIM", 64, rim512.length);
        assertArrayEquals(owner.expectedDigest(sha512, 1, "neoverse-n2"), rim512);
        byte[] event = new byte[64];
        event[0] = 0x42;
        byte[] rem0 = hv.context(wide).measurements().extend(0, Bytes.of(event), null).value();
        Appraisal wa = verifier.verify(hv.context(wide).evidence(Bytes.of(challenge)), new VerificationOptions(
                Clock.systemUTC(), List.of(cpak), Map.of("report_data", HexFormat.of().formatHex(challenge),
                        "measurement", HexFormat.of().formatHex(rim512)), Map.of()));
        assertTrue("the SHA-512 realm's token verifies: " + wa.failures(), wa.accepted());
        assertEquals("sha-512", wa.claim("hash_algo"));
        assertEquals("REM 0 as extended", Bytes.of(rem0).toString(), wa.claim("rem0"));

        // uninstalled and installed again (the arm-cca feature removed and returned): the realm pauses and resumes,
        // the platform keeps its CPAK, and the token still verifies with it
        context.getBundle(id).uninstall();
        context.getBundle(0).adapt(org.osgi.framework.wiring.FrameworkWiring.class).refreshBundles(null);
        OsgiSubject.await("the realm paused", () -> hv.guest(wide).state() == GuestState.PAUSED);
        Object again = gogo("felix:install " + CcaPlatform.backendJar().toURI());
        long id2 = Long.parseLong(String.valueOf(again).substring("Bundle ID: ".length()).trim());
        gogo("felix:start " + id2);
        OsgiSubject.await("the realm resumed", () -> hv.guest(wide).state() == GuestState.RUNNING);
        assertArrayEquals("the CPAK is the platform's, not a new one", cpak, service(TeeBackend.class,
                "(tee.type=cca)").platformCertificates().get("cpak"));
        Appraisal after = verifier(hv).verify(hv.context(wide).evidence(Bytes.of(challenge)), new VerificationOptions(
                Clock.systemUTC(), List.of(cpak), Map.of("report_data", HexFormat.of().formatHex(challenge),
                        "measurement", HexFormat.of().formatHex(rim512)), Map.of()));
        assertTrue("the resumed realm's token verifies with the same CPAK: " + after.failures(), after.accepted());
        assertEquals("REM 0 kept", Bytes.of(rem0).toString(), after.claim("rem0"));
        hv.destroy(wide);
    }

    /** @return the verifier of the bundle now installed (a new install registers a new one) */
    private EvidenceVerifier verifier(Hypervisor hv) throws Exception {
        return service(EvidenceVerifier.class, "(evidence.format=cca-token)");
    }

    /** @return the teebox bundles by id, with their state and last modification */
    private Map<Long, String> teeboxBundles() {
        Map<Long, String> out = new LinkedHashMap<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("io.teebox.")) {
                out.put(b.getBundleId(), b.getSymbolicName() + " state=" + b.getState() + " modified="
                        + b.getLastModified());
            }
        }
        return out;
    }

    private Object gogo(String command) throws Exception {
        CommandProcessor processor = service(CommandProcessor.class, null);
        OsgiSubject.await("the tee: and felix: commands", () -> {
            try {
                return context.getServiceReferences((String) null, "(osgi.command.scope=tee)") != null
                        && context.getServiceReferences((String) null, "(osgi.command.scope=felix)") != null;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        try (CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]), print, print)) {
            return s.execute(command);
        }
    }

    private <T> T service(Class<T> type, String filter) throws Exception {
        long end = System.currentTimeMillis() + OsgiSubject.TIMEOUT_MS;
        while (System.currentTimeMillis() < end) {
            java.util.Collection<ServiceReference<T>> refs = context.getServiceReferences(type, filter);
            if (!refs.isEmpty()) {
                return context.getService(refs.iterator().next());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type.getName() + " " + filter);
    }
}
