package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.teebox.api.platform.HttpEndpoint;

/**
 * scenario:gcp on a real Felix over loopback HTTP: the positive run gets the user's disk key, the debug TD and the
 * tampered image are refused by the key service's condition with the failing sub-condition and the claim's value,
 * and the endpoint's well-known documents are served.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GcpScenarioIT extends TeeboxTestSupport {

    /** What a command printed and returned, or the failure it threw. */
    private record Run(String printed, String returned, Throwable failure) {
    }

    private Run shell(String command) throws Exception {
        CommandProcessor processor = service(CommandProcessor.class, null);
        guestOwner("tdx");
        await("the TDX backend", () -> hypervisor().backends().stream().anyMatch(b -> b.teeType().equals("tdx")));
        await("the scenario:gcp command", () -> {
            try {
                return context.getServiceReferences((String) null, "(&(osgi.command.scope=scenario)"
                        + "(osgi.command.function=gcp))") != null;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        });
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession s = processor.createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(out, true,
                        StandardCharsets.UTF_8))) {
            try {
                Object r = s.execute(command);
                return new Run(out.toString(StandardCharsets.UTF_8), String.valueOf(r), null);
            } catch (Exception e) {
                return new Run(out.toString(StandardCharsets.UTF_8), null, e);
            }
        }
    }

    private static List<String> steps(String timeline) {
        List<String> steps = new ArrayList<>();
        for (String line : timeline.split("\n")) {
            if (line.matches("\\s*\\d+ .*")) {
                steps.add(line.trim().replaceAll("\\s+", " "));
            }
        }
        return steps;
    }

    private static void assertStep(List<String> steps, String fromTo, String text) {
        for (String s : steps) {
            if (s.contains(fromTo) && s.contains(text)) {
                return;
            }
        }
        fail("no step '" + fromTo + "' with '" + text + "' in " + String.join("\n", steps));
    }

    @Test
    public void theGenuineTdGetsItsDiskKey() throws Exception {
        Run r = shell("scenario:gcp");
        if (r.failure() != null) {
            throw new AssertionError("scenario:gcp failed: " + r.failure() + "\n" + r.printed(), r.failure());
        }
        String t = r.returned();
        assertTrue(t, t.startsWith("GCP: TDX Confidential VM"));
        assertTrue(t, t.contains("parties: user, control plane, host, TDX module, CVM, attestation service, key "
                + "service"));
        List<String> steps = steps(t);
        assertStep(steps, "user -> key service", ":encrypt {plaintext: the disk key sha256:");
        assertStep(steps, "user -> control plane", "instances.insert gcp-cvm");
        assertStep(steps, "host -> TDX module", "TDH.MR.FINALIZE");
        assertStep(steps, "CVM -> attestation service", "/challenges");
        assertStep(steps, "CVM -> TDX module", "TDG.MR.REPORT");
        assertStep(steps, "host -> CVM", "a DCAP quote v4 of");
        assertStep(steps, "CVM -> attestation service", ":verifyAttestation {tdCcel: {tdQuote");
        assertStep(steps, "attestation service -> CVM", "hwmodel GCP_INTEL_TDX, swname GCE, dbgstat "
                + "disabled-since-boot");
        assertStep(steps, "CVM -> key service", ":decrypt {ciphertext}, Authorization: Bearer");
        assertStep(steps, "key service -> CVM", "200 {plaintext: the disk key sha256:");
        String key = t.replaceAll("(?s).*:encrypt \\{plaintext: the disk key (sha256:[0-9a-f]{16}).*", "$1");
        assertTrue(t, t.contains("RESULT: the CVM got the disk key " + key + " (the user's)"));

        Run json = shell("scenario:gcp --json");
        JsonObject o = JsonParser.parseString(json.returned()).getAsJsonObject();
        assertEquals(7, o.getAsJsonArray("parties").size());
        assertTrue(o.has("result"));
        assertFalse(o.has("refused"));
        boolean decrypt = false;
        for (JsonElement e : o.getAsJsonArray("steps")) {
            JsonObject s = e.getAsJsonObject();
            decrypt |= "key service".equals(s.get("from").getAsString()) && s.has("to") && "CVM".equals(s.get("to")
                    .getAsString()) && s.get("text").getAsString().startsWith("200 {plaintext");
        }
        assertTrue(json.returned(), decrypt);
        assertTrue("the scenario tears its TDs down", hypervisor().guests().stream().noneMatch(g -> g.config().name()
                .startsWith("gcp-cvm")));
    }

    @Test
    public void aDebugTdIsRefusedOnDbgstat() throws Exception {
        Run r = shell("scenario:gcp --negative debug");
        assertTrue("the command fails so that ./teebox -c exits 1", r.failure() != null);
        String reason = "assertion.dbgstat == 'disabled-since-boot' is false: assertion.dbgstat is 'enabled'";
        assertTrue(String.valueOf(r.failure().getMessage()), r.failure().getMessage().startsWith("REFUSED: 403 "
                + "PERMISSION_DENIED") && r.failure().getMessage().endsWith(reason));
        List<String> steps = steps(r.printed());
        assertStep(steps, "user -> control plane", "a debug TD: ATTRIBUTES.DEBUG");
        assertStep(steps, "attestation service -> CVM", "dbgstat enabled");
        assertStep(steps, "key service -> CVM", "403 PERMISSION_DENIED");
        assertTrue(r.printed(), r.printed().contains("REFUSED: 403 PERMISSION_DENIED"));
        assertFalse("no key is released: " + r.printed(), r.printed().contains("200 {plaintext"));
    }

    @Test
    public void aTamperedImageIsRefusedOnItsMrtd() throws Exception {
        Run r = shell("scenario:gcp --negative tampered");
        assertTrue("the command fails", r.failure() != null);
        String m = r.failure().getMessage();
        assertTrue(m, m.matches("REFUSED: 403 PERMISSION_DENIED: .* assertion\\.submods\\.tdx\\.mrtd == '[0-9a-f]{96}'"
                + " is false: assertion\\.submods\\.tdx\\.mrtd is '[0-9a-f]{96}'"));
        List<String> steps = steps(r.printed());
        assertStep(steps, "user -> control plane", "an image with byte 0x2000 altered");
        assertStep(steps, "TDX module -> host", "(not the genuine image's");
        assertStep(steps, "attestation service -> CVM", "dbgstat disabled-since-boot");
        assertStep(steps, "key service -> CVM", "403 PERMISSION_DENIED");
    }

    @Test
    public void theWellKnownDocumentsAreServed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String base = service(HttpEndpoint.class, null).baseUrl() + "/gcp/.well-known/";
        await("the GCP endpoint answers", () -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(base + "jwks")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        JsonObject d = JsonParser.parseString(http.send(HttpRequest.newBuilder(URI.create(base
                + "openid-configuration")).build(), HttpResponse.BodyHandlers.ofString()).body()).getAsJsonObject();
        assertEquals("https://confidentialcomputing.googleapis.com", d.get("issuer").getAsString());
        assertEquals(base + "jwks", d.get("jwks_uri").getAsString());
        HttpResponse<String> root = http.send(HttpRequest.newBuilder(URI.create(base + "attestation-pki-root"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, root.statusCode());
        assertTrue(root.body(), root.body().startsWith("-----BEGIN CERTIFICATE-----"));
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(service(HttpEndpoint.class, null)
                .baseUrl() + "/kms/v1/projects/teebox-project/locations/global/keyRings/r/cryptoKeys/k:decrypt"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, none.statusCode());
        assertEquals("NOT_FOUND", JsonParser.parseString(none.body()).getAsJsonObject().getAsJsonObject("error")
                .get("status").getAsString());
    }
}
