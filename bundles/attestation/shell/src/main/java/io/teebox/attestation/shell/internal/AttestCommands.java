package io.teebox.attestation.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.tee.Bytes;
import io.teebox.attestation.api.AttestationPolicies;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.kit.hex.Hex;

/**
 * The attestation service from the console, over the platform's own HTTP endpoint (so the commands see what any
 * client sees): its policies, a challenge, evidence submitted from a file or taken from a running guest, and tokens
 * decoded and checked against its JWKS.
 */
@Component(service = AttestCommands.class, immediate = true)
@GogoCommand(scope = "attest", function = {"policies", "policy", "load", "challenge", "submit", "guest",
    "decode"})
@Descriptor("The attestation service: policies, challenges, evidence to EAR tokens, tokens decoded")
public final class AttestCommands {

    private final ServiceClient service;
    private final Clock clock;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile Hypervisor hypervisor;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile AttestationPolicies policyStore;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile io.teebox.api.device.DeviceAssignment devices;
    /** The guest drivers' sides of device attestation, by the device backends' tee.type. */
    private final Map<String, io.teebox.api.device.DeviceAttester> attesters =
            new java.util.concurrent.ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindAttester(io.teebox.api.device.DeviceAttester a, Map<String, Object> props) {
        attesters.put(String.valueOf(props.get(io.teebox.api.tee.TeeType.PROPERTY)), a);
    }

    void unbindAttester(io.teebox.api.device.DeviceAttester a, Map<String, Object> props) {
        attesters.remove(String.valueOf(props.get(io.teebox.api.tee.TeeType.PROPERTY)), a);
    }

    /** @param endpoint where the platform's HTTP server, and so the attestation service, listens */
    @Activate
    public AttestCommands(@Reference HttpEndpoint endpoint) {
        this(new ServiceClient(endpoint.baseUrl()), Clock.systemUTC());
    }

    AttestCommands(ServiceClient service, Clock clock) {
        this.service = service;
        this.clock = clock;
    }

    /**
     * A policy file of the service's directory.
     *
     * @param id the policy's id, or null for a refused file
     * @param formats the evidence formats it covers
     * @param file its file name
     * @param state {@code in force} or {@code refused}
     * @param reason why the file was refused, or null
     */
    public record PolicyRow(String id, List<String> formats, String file, String state, String reason) {
        @Override
        public String toString() {
            return String.format("%-16s %-44s %-24s %s", id == null ? "-" : id,
                    formats.isEmpty() ? "-" : String.join(",", formats), file == null ? "-" : file,
                    reason == null ? state : state + ": " + reason);
        }
    }

    /**
     * A policy in full.
     *
     * @param id its id
     * @param description its description
     * @param file its file name
     * @param formats per format its reference values and verifier policy
     */
    public record PolicyView(String id, String description, String file, Map<String, Object> formats) {
        @Override
        public String toString() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("description", description);
            m.put("file", file);
            m.put("formats", formats);
            return Tokens.PRETTY.toJson(m);
        }
    }

    /**
     * A challenge.
     *
     * @param nonce the nonce
     * @param expires when it stops being accepted
     * @param reportData the report data that binds it without runtime data (SHA-384 of {@code {"nonce":N}},
     *            64 bytes; SEV takes the first 16)
     * @param gpuNonce the 32-byte SPDM nonce a GPU's evidence must answer to be submitted with the CPU's: the first
     *            32 bytes of the report data
     */
    public record Challenge(String nonce, Instant expires, String reportData, String gpuNonce) {
        @Override
        public String toString() {
            return "nonce: " + nonce + "\nexpires: " + expires + "\nreport data: " + reportData
                    + "\ngpu nonce: " + gpuNonce
                    + "\n(evidence: guest:attest -o FILE " + reportData + " GUEST; then attest:submit"
                    + " --nonce " + nonce + " FORMAT FILE [--gpu GPUFILE.json])";
        }
    }

    /** @return the policies in force and the files refused */
    @Descriptor("List the service's policies: id, evidence formats, file, in force or refused (with the reason)")
    public List<PolicyRow> policies() {
        JsonObject p = service.policies();
        List<PolicyRow> out = new ArrayList<>();
        for (JsonElement e : p.getAsJsonArray("policies")) {
            JsonObject o = e.getAsJsonObject();
            out.add(new PolicyRow(o.get("id").getAsString(), new ArrayList<>(o.getAsJsonObject("formats").keySet()),
                    o.has("file") ? o.get("file").getAsString() : null, "in force", null));
        }
        if (p.get("refused") instanceof JsonObject refused) {
            refused.entrySet().forEach(r -> out.add(new PolicyRow(null, List.of(), r.getKey(), "refused",
                    r.getValue().getAsString())));
        }
        return out;
    }

    /** @return the policy */
    /** @return what was loaded */
    @Descriptor("Load a policy file into the attestation service: checked as the policy directory checks its files, "
            + "written there under its id and in force at once; a bad file is refused with the reason and the policy "
            + "in force stays")
    public String load(@Descriptor("policy file (JSON, the service's grammar)") String file) {
        AttestationPolicies store = policyStore;
        if (store == null) {
            throw new IllegalStateException("the attestation service is not running here (bundle "
                    + "attestation-service), so no policy can be loaded");
        }
        String json;
        try {
            json = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("file: cannot read " + file + ": " + e.getMessage());
        }
        String id;
        try {
            JsonElement root = JsonParser.parseString(json);
            id = root instanceof JsonObject o && o.get("id") instanceof JsonPrimitive p && p.isString()
                    ? p.getAsString() : null;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(file + " is not JSON: " + e.getMessage());
        }
        if (id == null) {
            throw new IllegalArgumentException(file + " has no \"id\" string: a policy names itself");
        }
        try {
            store.setPolicy(id, json);
        } catch (AttestationRefused e) {
            throw new IllegalArgumentException(file + " refused: " + e.getMessage());
        }
        return "policy " + id + " loaded from " + file + " and in force";
    }

    @Descriptor("Show a policy in full: per evidence format its reference values and verifier policy")
    public PolicyView policy(@Descriptor("policy id (attest:policies lists them)") String id) {
        JsonObject p = service.policies();
        List<String> ids = new ArrayList<>();
        for (JsonElement e : p.getAsJsonArray("policies")) {
            JsonObject o = e.getAsJsonObject();
            String pid = o.get("id").getAsString();
            if (pid.equals(id)) {
                return new PolicyView(pid, o.has("description") && !o.get("description").isJsonNull()
                        ? o.get("description").getAsString() : null,
                        o.has("file") ? o.get("file").getAsString() : null, Tokens.map(o.getAsJsonObject("formats")));
            }
            ids.add(pid);
        }
        throw new IllegalArgumentException("policy '" + id + "' is not in force; the policies are " + ids
                + (p.get("refused") instanceof JsonObject r && !r.isEmpty() ? " (refused files: " + r.keySet()
                        + ", see attest:policies)" : ""));
    }

    /** @return the challenge */
    @Descriptor("Ask the service for a challenge: a single-use nonce and the report data that binds it")
    public Challenge challenge() {
        JsonObject c = service.challenge();
        String nonce = c.get("nonce").getAsString();
        byte[] rd = reportData(nonce, null, 64);
        return new Challenge(nonce, Instant.parse(c.get("expires").getAsString()), Hex.encode(rd),
                Hex.encode(Arrays.copyOf(rd, GPU_NONCE)));
    }

    /** @return what the token says, and the token */
    @Descriptor("Submit an evidence file (as guest:attest -o FILE writes it, the chain in FILE.certs.pem) for a "
            + "token, with the evidence of GPUs assigned to the guest if any (one token, submods cpu0, gpu0, ...); "
            + "the evidence must bind the nonce (attest:challenge gives one, its report data and the GPU nonce)")
    public Tokens.Attested submit(
            @Descriptor("the challenge nonce the evidence binds (or the nonce member of --runtime-data)")
            @Parameter(names = {"-n", "--nonce"}, absentValue = "") String nonce,
            @Descriptor("runtime data bound by the evidence: a JSON object with the nonce, or @FILE")
            @Parameter(names = {"-r", "--runtime-data"}, absentValue = "") String runtimeData,
            @Descriptor("the policy to appraise with (default: the service's choice)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("GPU evidence files, NVIDIA's JSON carrier {arch, nonce?, evidence (base64 report), "
                    + "certificate (base64 PEM chain)}, comma-separated: gpu0, gpu1, ... in order; each GPU's SPDM "
                    + "nonce must be the first 32 bytes of the CPU evidence's report data")
            @Parameter(names = {"-g", "--gpu"}, absentValue = "") String gpus,
            @Descriptor("evidence format: sev-snp-report, tdx-quote-v4, sev-attestation") String format,
            @Descriptor("the evidence file") String file) {
        JsonObject rd = runtimeData.isEmpty() ? null : runtimeData(runtimeData);
        String n = nonce.isEmpty() ? null : nonce;
        if (n == null && rd != null && rd.get("nonce") instanceof JsonPrimitive p && p.isString()) {
            n = p.getAsString();
        }
        if (n == null) {
            throw new IllegalArgumentException("--nonce is missing: evidence in a file binds the nonce it was made "
                    + "for; give that one (attest:challenge, then guest:attest -o FILE <its report data> GUEST), or "
                    + "let attest:guest GUEST do all of it");
        }
        Path f = Path.of(file);
        byte[] report = read("evidence file", f);
        Path certs = Path.of(file + ".certs.pem");
        String pem = Files.isRegularFile(certs) ? new String(read("certificate file", certs),
                StandardCharsets.US_ASCII) : null;
        JsonObject request = request(format, report, pem, n, rd, policy);
        JsonObject additional = new JsonObject();
        if (!gpus.isBlank()) {
            String[] files = gpus.split(",");
            for (int i = 0; i < files.length; i++) {
                String name = "gpu" + i;
                additional.add(name, gpuEvidence(name, files[i].strip()));
            }
        }
        return Tokens.attested(service.attest(withAdditional(request, additional)), format);
    }

    /** The format of NVIDIA's GPU evidence (io.teebox.nvidia.abi.AttestationReport's; this bundle does not use it). */
    static final String GPU_FORMAT = "nvidia-gpu-spdm-measurements";
    /** The bytes of a GPU's SPDM nonce. */
    static final int GPU_NONCE = 32;

    /**
     * The evidence of one GPU, read from NVIDIA's JSON carrier (as the attestation SDK's evidence list and teebox's
     * GPU export hold it: {@code {"arch": "HOPPER", "nonce": hex?, "evidence": base64(report), "certificate":
     * base64(PEM chain)}}), as a part of the service's {@code additional_evidence}.
     *
     * @param name the component name, {@code gpu0}
     * @param file the carrier's file
     * @return {@code {format, evidence, certificates}}
     * @throws IllegalArgumentException naming the option, the file and the field that is wrong
     */
    static JsonObject gpuEvidence(String name, String file) {
        String where = "--gpu " + file + " (" + name + ")";
        if (file.isEmpty()) {
            throw new IllegalArgumentException("--gpu: an empty file name for " + name + " (give FILE[,FILE...])");
        }
        String json = new String(read("GPU evidence file", Path.of(file)), StandardCharsets.UTF_8);
        JsonObject o;
        try {
            if (!(JsonParser.parseString(json) instanceof JsonObject x)) {
                throw new IllegalArgumentException(where + " is not a JSON object {arch, nonce, evidence, "
                        + "certificate}");
            }
            o = x;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException(where + " is not JSON: " + e.getMessage());
        }
        String arch = carrierString(o, "arch", where);
        byte[] report = carrierBase64(o, "evidence", where);
        String pem = new String(carrierBase64(o, "certificate", where), StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalArgumentException(where + ": field certificate is base64 but not of a PEM chain "
                    + "(no -----BEGIN CERTIFICATE-----)");
        }
        if (o.has("nonce") && !o.get("nonce").isJsonNull()) {
            String nonce = carrierString(o, "nonce", where);
            if (!nonce.matches("(?i)[0-9a-f]{" + 2 * GPU_NONCE + "}")) {
                throw new IllegalArgumentException(where + ": field nonce is '" + abbreviate(nonce) + "', expected "
                        + GPU_NONCE + " bytes of hex");
            }
        }
        if (arch.isBlank()) {
            throw new IllegalArgumentException(where + ": field arch is empty (HOPPER)");
        }
        return part(GPU_FORMAT, report, pem);
    }

    private static String carrierString(JsonObject o, String field, String where) {
        if (!(o.get(field) instanceof JsonPrimitive p && p.isString())) {
            throw new IllegalArgumentException(where + ": field " + field + " is " + (o.has(field) ? "not a string"
                    : "missing"));
        }
        return p.getAsString();
    }

    private static byte[] carrierBase64(JsonObject o, String field, String where) {
        String text = carrierString(o, field, where);
        try {
            byte[] b = Base64.getDecoder().decode(text.replaceAll("\\s+", ""));
            if (b.length == 0) {
                throw new IllegalArgumentException("it is empty");
            }
            return b;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": field " + field + " is not base64: " + e.getMessage());
        }
    }

    /**
     * @param request an attest request
     * @param additional further parts by component name ({@code gpu0}), possibly none
     * @return the request with {@code additional_evidence} (unchanged without parts): the extension point for
     *         attest:guest with the GPUs assigned to the guest
     */
    static JsonObject withAdditional(JsonObject request, JsonObject additional) {
        if (!additional.isEmpty()) {
            request.add("additional_evidence", additional);
        }
        return request;
    }

    /**
     * @param nonce a challenge nonce
     * @param runtimeData the runtime data, or null for {@code {"nonce": N}}
     * @return the SPDM nonce a GPU's evidence must answer: the first 32 bytes of the CPU's report data
     */
    static byte[] gpuNonce(String nonce, JsonObject runtimeData) {
        return reportData(nonce, runtimeData, GPU_NONCE);
    }

    /** @return what the token says, and the token */
    @Descriptor("Attest a running guest: get a challenge, have the guest's TEE sign evidence binding it, submit "
            + "the evidence and show the token")
    public Tokens.Attested guest(
            @Descriptor("runtime data to bind besides the nonce: a JSON object (its nonce member is set to the "
                    + "challenge's), or @FILE")
            @Parameter(names = {"-r", "--runtime-data"}, absentValue = "") String runtimeData,
            @Descriptor("the policy to appraise with (default: the service's choice)")
            @Parameter(names = {"-p", "--policy"}, absentValue = "") String policy,
            @Descriptor("devices the guest holds whose evidence goes with the CPU's, e.g. gpu0 or gpu0,gpu1: each "
                    + "binds the same nonce and runtime data (a GPU's SPDM nonce is the first 32 bytes of the report "
                    + "data); one token with a submod per part")
            @Parameter(names = {"-d", "--device"}, absentValue = "") String device,
            @Descriptor("guest id or name") String guest) {
        Hypervisor hv = hypervisor;
        if (hv == null) {
            throw new IllegalStateException("no hypervisor: attest:guest needs the core feature");
        }
        JsonObject rd = runtimeData.isEmpty() ? null : runtimeData(runtimeData);
        String tee = hv.guest(guest).config().teeType();
        String nonce = service.challenge().get("nonce").getAsString();
        if (rd != null) {
            if (rd.has("nonce") && !(rd.get("nonce") instanceof JsonPrimitive p && p.isString()
                    && p.getAsString().equals(nonce))) {
                throw new IllegalArgumentException("--runtime-data: leave out its nonce member; attest:guest sets it "
                        + "to the challenge's");
            }
            rd.addProperty("nonce", nonce);
        }
        int field = tee.equals("sev") || tee.equals("sev-es") ? 16 : 64;
        Evidence e = hv.context(guest).evidence(Bytes.of(reportData(nonce, rd, field)));
        JsonObject additional = new JsonObject();
        for (String d : device.isEmpty() ? new String[0] : device.split(",")) {
            Evidence de = deviceEvidence(guest, d.strip(), nonce, rd);
            additional.add(d.strip(), part(de.format(), de.report(), de.certificates()));
        }
        return Tokens.attested(service.attest(withAdditional(request(e.format(), e.report(), e.certificates(), nonce,
                rd, policy), additional)), e.format());
    }

    /** A device's evidence, from the guest's driver, binding the nonce and runtime data as the CPU's does. */
    private Evidence deviceEvidence(String guest, String device, String nonce, JsonObject rd) {
        io.teebox.api.device.DeviceAssignment da = devices;
        if (da == null) {
            throw new IllegalStateException("--device: no device assignment is present (the core feature)");
        }
        if (!device.matches("[a-z]{2,16}[0-9]{1,3}")) {
            throw new IllegalArgumentException("--device: '" + device + "' is not a device id like gpu0");
        }
        String type = da.devices().stream().filter(i -> i.id().equals(device)).map(i -> i.teeType()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--device: no device '" + device + "'; devices: "
                        + da.devices().stream().map(i -> i.id()).toList()));
        io.teebox.api.device.DeviceAttester a = attesters.get(type);
        if (a == null) {
            throw new IllegalStateException("--device: no guest driver of " + type + " devices gives evidence (is "
                    + "its bundle started?)");
        }
        return a.evidence(guest, device, Bytes.of(reportData(nonce, rd, a.nonceLength())));
    }

    /** @return the token decoded */
    @Descriptor("Decode an EAR token: header and claims, whether its signature verifies with the service's JWKS, "
            + "its expiry")
    public Tokens.Decoded decode(@Descriptor("the token, or a file holding it (or the service's {\"token\": ...} "
            + "answer)") String tokenOrFile) {
        String token = tokenOrFile.strip();
        Path f = token.length() < 4096 && token.chars().filter(c -> c == '.').count() != 2 ? Path.of(token) : null;
        if (f != null) {
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("token: '" + abbreviate(token) + "' is neither a token "
                        + "(header.payload.signature) nor a file");
            }
            token = new String(read("token file", f), StandardCharsets.UTF_8).strip();
            if (token.startsWith("{")) {
                try {
                    token = JsonParser.parseString(token).getAsJsonObject().get("token").getAsString();
                } catch (RuntimeException e) {
                    throw new IllegalArgumentException("token file " + f + " is JSON without a token member");
                }
            }
        }
        String jwks;
        String source = service.jwksUrl();
        try {
            jwks = service.jwks();
        } catch (IllegalStateException e) {
            jwks = null;
            source = "the JWKS is unavailable (" + e.getMessage() + ")";
        }
        return Tokens.decode(token, jwks, source, clock.instant());
    }

    // ---- helpers

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static byte[] read(String what, Path f) {
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException(what + " " + f + " does not exist");
        }
        try {
            byte[] b = Files.readAllBytes(f);
            if (b.length == 0) {
                throw new IllegalArgumentException(what + " " + f + " is empty");
            }
            return b;
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " " + f + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** @return the runtime data option's JSON object (given inline or as {@code @FILE}) */
    static JsonObject runtimeData(String text) {
        String json = text.startsWith("@") ? new String(read("runtime data file", Path.of(text.substring(1))),
                StandardCharsets.UTF_8) : text;
        try {
            JsonElement e = JsonParser.parseString(json);
            if (!(e instanceof JsonObject o)) {
                throw new IllegalArgumentException("--runtime-data is not a JSON object: " + abbreviate(json.strip()));
            }
            return o;
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("--runtime-data is not JSON: " + e.getMessage());
        }
    }

    /**
     * The report data binding a nonce, as the service computes it: SHA-384 of the RFC 8785 form of the runtime data
     * ({@code {"nonce":N}} without any), truncated or zero-padded to the field.
     */
    static byte[] reportData(String nonce, JsonObject runtimeData, int field) {
        JsonObject rd = runtimeData;
        if (rd == null) {
            rd = new JsonObject();
            rd.addProperty("nonce", nonce);
        }
        String canonical;
        try {
            canonical = io.teebox.attestation.api.CanonicalJson.write(rd);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--runtime-data: " + e.getMessage());
        }
        try {
            return Arrays.copyOf(MessageDigest.getInstance("SHA-384").digest(canonical.getBytes(
                    StandardCharsets.UTF_8)), field);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject request(String format, byte[] report, Object certificates, String nonce, JsonObject runtime,
            String policy) {
        JsonObject o = new JsonObject();
        o.add("evidence", part(format, report, certificates));
        o.addProperty("nonce", nonce);
        if (runtime != null) {
            o.add("runtime_data", runtime);
        }
        if (policy != null && !policy.isEmpty()) {
            o.addProperty("policy_id", policy);
        }
        return o;
    }

    /**
     * @param format the evidence format
     * @param report the evidence bytes
     * @param certificates a PEM text, a list of DER certificates, or null
     * @return the evidence as the service takes it, {@code {format, evidence, certificates?}}: {@code evidence} or
     *         a part of {@code additional_evidence} (a GPU's evidence from the guest's driver, for attest:guest)
     */
    static JsonObject part(String format, byte[] report, Object certificates) {
        JsonObject ev = new JsonObject();
        ev.addProperty("format", format);
        ev.addProperty("evidence", Base64.getEncoder().encodeToString(report));
        if (certificates instanceof String pem) {
            ev.addProperty("certificates", pem);
        } else if (certificates instanceof List<?> list && !list.isEmpty()) {
            com.google.gson.JsonArray a = new com.google.gson.JsonArray();
            list.forEach(c -> a.add(Base64.getEncoder().encodeToString((byte[]) c)));
            ev.add("certificates", a);
        }
        return ev;
    }
}
