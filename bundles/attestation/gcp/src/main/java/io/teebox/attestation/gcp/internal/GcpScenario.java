package io.teebox.attestation.gcp.internal;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.Bytes;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.attestation.api.Timeline;
import io.teebox.kit.firmware.DefaultFirmware;

/**
 * The GCP flow of the seeds, run for real: the user seals a disk key with the key service, the control plane launches
 * a TD, the TD gets a challenge, has the TDX module and the quoting enclave make a quote binding it, trades the quote
 * for a token with Google's claims and presents the token to the key service, whose condition pins a production TD
 * (no DEBUG) of the genuine image (its MRTD). Each HTTP step crosses the platform's HTTP server on loopback.
 */
final class GcpScenario {

    /** The parties, in the order of the seed's sequence diagram. */
    static final List<String> PARTIES = List.of("user", "control plane", "host", "TDX module", "CVM",
            "attestation service", "key service");

    /** What the run changes to be refused. */
    enum Negative {
        NONE, DEBUG, TAMPERED;

        static Negative of(String s) {
            return switch (s == null ? "" : s.trim()) {
                case "", "none" -> NONE;
                case "debug" -> DEBUG;
                case "tampered" -> TAMPERED;
                default -> throw new IllegalArgumentException("--negative must be debug or tampered, got '" + s + "'");
            };
        }
    }

    /** The byte of the firmware image a tampered run flips: the first byte of the measured boot firmware volume. */
    static final int TAMPERED_OFFSET = 0x2000;

    private final Hypervisor hypervisor;
    private final GuestOwnerService owner;
    private final AttestationTokens binding;
    private final GcpServices services;
    private final HttpClient http;
    private final String base;

    GcpScenario(Hypervisor hypervisor, GuestOwnerService owner, AttestationTokens binding, GcpServices services,
            HttpClient http, String baseUrl) {
        this.hypervisor = hypervisor;
        this.owner = owner;
        this.binding = binding;
        this.services = services;
        this.http = http;
        this.base = baseUrl;
    }

    /** The condition the scenario's key carries: Google's pattern, and the genuine image's MRTD. */
    static String condition(String mrtd) {
        return "assertion.hwmodel == 'GCP_INTEL_TDX' && assertion.swname == 'GCE' && assertion.dbgstat == "
                + "'disabled-since-boot' && 'tdx' in assertion.submods && assertion.submods.tdx.mrtd == '" + mrtd + "'";
    }

    /**
     * Runs the flow.
     *
     * @param negative what to change
     * @return the timeline, refused or not
     */
    Timeline run(Negative negative) {
        String title = "GCP: TDX Confidential VM, Confidential Computing attestation, Cloud KMS key release"
                + (negative == Negative.NONE ? "" : " (negative: " + negative.name().toLowerCase() + ")");
        Timeline t = new Timeline(title, PARTIES);
        Project p = services.attestation().project();
        Kms kms = services.kms();

        String genuine = HexFormat.of().formatHex(owner.expectedDigest(new OwnerPolicy(0, null, null, null, null,
                null, null, -1), 1, null));
        String keyName = "projects/" + p.id() + "/locations/global/keyRings/teebox-scenario/cryptoKeys/disk-key";
        kms.store().put(keyName, condition(genuine));
        t.step("user", "key service", "cryptoKeys.create " + keyName + " with the IAM condition \"" + condition(
                genuine.substring(0, 16) + "...") + "\" (in-process, as the project owner)");

        byte[] diskKey = new byte[32];
        new SecureRandom().nextBytes(diskKey);
        JsonObject enc = new JsonObject();
        enc.addProperty("plaintext", Base64.getEncoder().encodeToString(diskKey));
        t.step("user", "key service", "POST /kms/v1/" + keyName + ":encrypt {plaintext: the disk key "
                + fingerprint(diskKey) + "}");
        JsonObject sealed = post("encrypt", "/kms/v1/" + keyName + ":encrypt", null, enc);
        String ciphertext = sealed.get("ciphertext").getAsString();
        t.step("key service", "user", "200 {ciphertext: " + Base64.getDecoder().decode(ciphertext).length
                + " bytes (AES-256-GCM)}; the user stores it beside the disk");

        String name = freeName();
        long attributes = negative == Negative.DEBUG ? 1L : 0L;
        byte[] firmware = null;
        String image = "the genuine image (MRTD " + genuine.substring(0, 16) + "...)";
        if (negative == Negative.TAMPERED) {
            firmware = DefaultFirmware.image();
            firmware[TAMPERED_OFFSET] ^= 0x01;
            image = "an image with byte 0x" + Integer.toHexString(TAMPERED_OFFSET) + " altered";
        }
        t.step("user", "control plane", "instances.insert " + name + " (confidentialInstanceType TDX, "
                + image + (negative == Negative.DEBUG ? ", a debug TD: ATTRIBUTES.DEBUG" : "") + ")");
        try {
            t.step("control plane", "host", "create TD " + name + " (1 vCPU, 64 MiB) and launch it with TD ATTRIBUTES "
                    + String.format("0x%016X", attributes));
            String model = hypervisor.backends().stream().filter(b -> b.teeType().equals("tdx")).findFirst()
                    .map(b -> b.defaults().vcpuModel()).orElseThrow(() -> new IllegalStateException("no TDX backend "
                            + "is present: the scenario needs the intel feature"));
            hypervisor.create(new GuestConfig(name, "tdx", 1, model, 64L << 20));
            hypervisor.launch(name, new LaunchPlan(firmware, null, null, null), owner.prepare(new OwnerPolicy(
                    attributes, firmware, null, null, null, null, null, -1)));
            t.step("host", "TDX module", commands(hypervisor.launchLog(name)));
            String mrtd = hypervisor.measurement(name).map(m -> HexFormat.of().formatHex(m.value())).orElse("?");
            t.step("TDX module", "host", "TDH.MR.FINALIZE: MRTD " + mrtd.substring(0, Math.min(16, mrtd.length()))
                    + "..." + (mrtd.equals(genuine) ? " (the genuine image's)" : " (not the genuine image's "
                    + genuine.substring(0, 16) + "...)"));
            t.note("CVM", "boots in the TD");
            return attest(t, name, keyName, ciphertext, diskKey);
        } finally {
            try {
                hypervisor.destroy(name);
            } catch (RuntimeException ignored) {
                // the TD never came up: nothing to tear down
            }
        }
    }

    private Timeline attest(Timeline t, String name, String keyName, String ciphertext, byte[] diskKey) {
        Project p = services.attestation().project();
        String parent = "projects/" + p.id() + "/locations/" + p.zone().substring(0, p.zone().lastIndexOf('-'));
        t.step("CVM", "attestation service", "POST /gcp/v1/" + parent + "/challenges");
        JsonObject challenge = post("challenges.create", "/gcp/v1/" + parent + "/challenges", null, new JsonObject());
        String challengeName = challenge.get("name").getAsString();
        String nonce = challenge.get("tpmNonce").getAsString();
        t.step("attestation service", "CVM", "200 challenge " + challengeName.substring(challengeName.lastIndexOf('/')
                + 1) + ", tpmNonce " + nonce + ", expires " + challenge.get("expireTime").getAsString());

        byte[] reportData = binding.reportData("tdx-quote-v4", nonce, ConfidentialComputing.runtimeData(nonce, name));
        GuestContext guest = hypervisor.context(name);
        t.step("CVM", "TDX module", "TDG.MR.REPORT with REPORTDATA = SHA-384 of {nonce, instance} = "
                + HexFormat.of().formatHex(reportData, 0, 8) + "...");
        Evidence e = guest.evidence(Bytes.of(reportData));
        t.step("CVM", "host", "TDG.VP.VMCALL<GetQuote>: the quoting enclave signs the TD report");
        t.step("host", "CVM", "a DCAP quote v4 of " + e.report().length + " bytes (the PCK chain in its certification "
                + "data)");

        JsonObject ccel = new JsonObject();
        ccel.addProperty("tdQuote", Base64.getEncoder().encodeToString(e.report()));
        byte[] log = e.attachment("event_log");
        if (log != null) {
            ccel.addProperty("ccelData", Base64.getEncoder().encodeToString(log));
        }
        JsonObject options = new JsonObject();
        options.addProperty("audience", services.kms().audience());
        JsonArray nonces = new JsonArray();
        nonces.add("teebox-scenario-" + Long.toHexString(new SecureRandom().nextLong()));
        options.add("nonce", nonces);
        options.addProperty("tokenType", "TOKEN_TYPE_OIDC");
        JsonObject req = new JsonObject();
        req.add("tdCcel", ccel);
        req.add("tokenOptions", options);
        JsonObject ext = new JsonObject();
        ext.addProperty("instance", name);
        req.add("teebox", ext);
        t.step("CVM", "attestation service", "POST /gcp/v1/.../challenges/" + challengeName.substring(challengeName
                .lastIndexOf('/') + 1) + ":verifyAttestation {tdCcel: {tdQuote"
                + (log != null ? ", ccelData" : "") + "}, tokenOptions: {audience, nonce, TOKEN_TYPE_OIDC}}");
        JsonObject answer = post("verifyAttestation", "/gcp/v1/" + challengeName + ":verifyAttestation", null, req);
        String token = answer.get("oidcClaimsToken").getAsString();
        Map<String, Object> claims = claims(token);
        Map<String, Object> tdx = ConfidentialComputing.map(ConfidentialComputing.map(claims.get("submods"))
                .get("tdx"));
        t.note("attestation service", "appraised the quote (teebox's attestation service: ear.status "
                + tdx.get("ear_status") + "), signed RS256 kid " + services.attestation().signer().keyId()
                .substring(0, 12) + "...");
        t.step("attestation service", "CVM", "200 oidcClaimsToken: hwmodel " + claims.get("hwmodel") + ", swname "
                + claims.get("swname") + ", dbgstat " + claims.get("dbgstat") + ", submods.gce.instance_id "
                + ConfidentialComputing.map(ConfidentialComputing.map(claims.get("submods")).get("gce"))
                .get("instance_id") + ", submods.tdx.mrtd " + String.valueOf(tdx.get("mrtd")).substring(0, 16) + "...");

        JsonObject dec = new JsonObject();
        dec.addProperty("ciphertext", ciphertext);
        t.step("CVM", "key service", "POST /kms/v1/" + keyName + ":decrypt {ciphertext}, Authorization: Bearer "
                + "<the token>");
        HttpResponse<String> r = send("/kms/v1/" + keyName + ":decrypt", "Bearer " + token, dec);
        if (r.statusCode() != 200) {
            String reason = error(r);
            t.note("key service", "token verified (RS256, iss, aud, exp); the condition does not hold");
            t.step("key service", "CVM", reason);
            return t.refused(reason);
        }
        byte[] plaintext = Base64.getDecoder().decode(json("decrypt", r).get("plaintext").getAsString());
        t.note("key service", "token verified (RS256, iss, aud, exp); the condition holds");
        boolean same = MessageDigest.isEqual(plaintext, diskKey);
        t.step("key service", "CVM", "200 {plaintext: the disk key " + fingerprint(plaintext) + "}");
        if (!same) {
            return t.refused("the key service answered a key other than the user's (" + fingerprint(plaintext)
                    + " vs " + fingerprint(diskKey) + ")");
        }
        t.note("CVM", "unlocks its disk with the key");
        return t.succeeded("the CVM got the disk key " + fingerprint(plaintext) + " (the user's)");
    }

    private String freeName() {
        for (int i = 1;; i++) {
            String n = i == 1 ? "gcp-cvm" : "gcp-cvm-" + i;
            if (hypervisor.guests().stream().noneMatch(g -> g.config().name().equals(n))) {
                return n;
            }
        }
    }

    private static String commands(List<LaunchLogEntry> log) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        log.forEach(e -> counts.merge(e.command(), 1, Integer::sum));
        List<String> parts = new ArrayList<>();
        counts.forEach((c, n) -> parts.add(n == 1 ? c : c + " x" + n));
        return parts.stream().collect(Collectors.joining(", "));
    }

    static String fingerprint(byte[] key) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> claims(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().toJSONObject();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("the attestation service answered a token that does not parse: "
                    + e.getMessage(), e);
        }
    }

    private JsonObject post(String step, String path, String auth, JsonObject body) {
        HttpResponse<String> r = send(path, auth, body);
        if (r.statusCode() != 200) {
            throw new IllegalStateException(step + " refused: " + error(r));
        }
        return json(step, r);
    }

    private HttpResponse<String> send(String path, String auth, JsonObject body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(path + ": the platform's HTTP server at " + base + " cannot be reached: "
                    + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(path + ": interrupted", e);
        }
    }

    /** @return "HTTP 403 PERMISSION_DENIED: message" from Google's error body */
    static String error(HttpResponse<String> r) {
        try {
            JsonObject e = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonObject("error");
            return r.statusCode() + " " + e.get("status").getAsString() + ": " + e.get("message").getAsString();
        } catch (RuntimeException x) {
            return "HTTP " + r.statusCode() + " " + r.body().trim();
        }
    }

    private static JsonObject json(String step, HttpResponse<String> r) {
        try {
            return JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalStateException(step + ": the answer is not a JSON object: " + r.body());
        }
    }
}
