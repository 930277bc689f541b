package io.teebox.attestation.gcp.internal;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.teebox.api.attestation.Evidence;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.AttestationTokens;

/**
 * Google's Confidential Computing API as teebox emulates it for TDX: {@code projects.locations.challenges.create}
 * gives a challenge whose {@code tpmNonce} is a nonce of teebox's attestation service; {@code challenges
 * .verifyAttestation} takes {@code tdCcel} {@code {tdQuote, ccelAcpiTable?, ccelData?, canonicalEventLog?}} and
 * {@code tokenOptions} {@code {audience, nonce[], tokenType}}, has the attestation service appraise the quote and
 * answers an RS256 token with Google's Confidential VM claims.
 * <p>
 * The binding (teebox's, since Google binds TDX quotes through its own launcher): the quote's REPORTDATA is the
 * attestation service's binding of the challenge nonce and the runtime data {@code {"nonce": tpmNonce, "instance":
 * <instance name>}} (SHA-384 of its RFC 8785 form), and the request names the instance in {@code teebox.instance}
 * (Google takes the instance from the AK certificate of {@code gceShieldedIdentity}, which a TD in teebox does not
 * have). The instance must be one of the control plane's guests.
 */
final class ConfidentialComputing {

    /** Google's issuer. */
    static final String ISSUER = "https://confidentialcomputing.googleapis.com";
    /** The hardware model of a TDX Confidential VM. */
    static final String HWMODEL = "GCP_INTEL_TDX";
    /** The profile teebox names (Google's Confidential VM example token carries none). */
    static final String EAT_PROFILE = "https://cloud.google.com/confidential-computing/confidential-vm/docs/token-claims";
    /** Google's OEM id (its IANA Private Enterprise Number). */
    static final int OEMID = 11129;
    /** The audience when the request names none (Google's default, the STS of Workload Identity Federation). */
    static final String DEFAULT_AUDIENCE = "https://sts.googleapis.com";
    /** Limits on {@code tokenOptions.nonce}, as Google documents them. */
    static final int MAX_NONCES = 6;
    static final int MIN_NONCE_BYTES = 8;
    static final int MAX_NONCE_BYTES = 88;
    static final int MAX_AUDIENCE_BYTES = 512;
    private static final int MAX_CHALLENGES = 10_000;

    /** A guest as the control plane knows it. */
    record Instance(String name, String id) {
    }

    /** The control plane's inventory. */
    interface Instances {
        /** @return the instance of that name, if the control plane has one */
        Optional<Instance> find(String name);
    }

    private record Pending(String nonce, Instant created, Instant expires, AtomicBoolean used) {
    }

    private final AttestationTokens tokens;
    private final GcpSigner signer;
    private final Project project;
    private final Instances instances;
    private final Clock clock;
    private final Map<String, Pending> challenges = new ConcurrentHashMap<>();

    ConfidentialComputing(AttestationTokens tokens, GcpSigner signer, Project project, Instances instances,
            Clock clock) {
        this.tokens = tokens;
        this.signer = signer;
        this.project = project;
        this.instances = instances;
        this.clock = clock;
    }

    GcpSigner signer() {
        return signer;
    }

    Project project() {
        return project;
    }

    /**
     * {@code POST /v1/projects/<p>/locations/<l>/challenges}.
     *
     * @return Google's Challenge {@code {name, createTime, expireTime, used, tpmNonce}}
     * @throws GcpError for another project or a malformed location
     */
    JsonObject createChallenge(String projectId, String location) {
        checkParent(projectId, location);
        Instant now = clock.instant();
        challenges.values().removeIf(p -> !now.isBefore(p.expires()));
        if (challenges.size() >= MAX_CHALLENGES) {
            Iterator<String> it = challenges.keySet().iterator();
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        io.teebox.attestation.api.Challenge c = tokens.challenge();
        String name = "projects/" + projectId + "/locations/" + location + "/challenges/" + UUID.randomUUID();
        challenges.put(name, new Pending(c.nonce(), now, c.expires(), new AtomicBoolean()));
        JsonObject o = new JsonObject();
        o.addProperty("name", name);
        o.addProperty("createTime", now.toString());
        o.addProperty("expireTime", c.expires().toString());
        o.addProperty("used", false);
        o.addProperty("tpmNonce", c.nonce());
        return o;
    }

    /** The runtime data a TD binds in its quote's REPORTDATA for a challenge nonce. */
    static String runtimeData(String nonce, String instance) {
        JsonObject o = new JsonObject();
        o.addProperty("nonce", nonce);
        o.addProperty("instance", instance);
        return o.toString();
    }

    /**
     * {@code POST /v1/<challenge>:verifyAttestation}.
     *
     * @param challengeName the challenge's name
     * @param request the VerifyAttestationRequest
     * @return the signed token
     * @throws GcpError for a malformed request (INVALID_ARGUMENT), an unknown challenge (NOT_FOUND), a used or
     *         expired one or a quote that does not verify (FAILED_PRECONDITION)
     */
    String verifyAttestation(String challengeName, JsonObject request) {
        if (request.has("challenge") && !challengeName.equals(string(request, "challenge"))) {
            throw GcpError.invalid("challenge '" + string(request, "challenge") + "' in the body is not the path's "
                    + challengeName);
        }
        for (String other : List.of("sevSnpAttestation", "sev_snp_attestation", "tpmAttestation", "tpm_attestation")) {
            if (request.has(other)) {
                throw GcpError.invalid(other + ": teebox's endpoint appraises TDX quotes only; send tdCcel");
            }
        }
        JsonObject ccel = object(request, "tdCcel", "td_ccel");
        if (ccel == null) {
            throw GcpError.invalid("tdCcel is missing: send {\"tdCcel\": {\"tdQuote\": <base64 TD quote>}}");
        }
        byte[] quote = bytes(ccel, "tdCcel.tdQuote", "tdQuote", "td_quote");
        if (quote == null) {
            throw GcpError.invalid("tdCcel.tdQuote is missing: the TD quote, base64");
        }
        byte[] acpi = bytes(ccel, "tdCcel.ccelAcpiTable", "ccelAcpiTable", "ccel_acpi_table");
        if (acpi != null && (acpi.length < 36 || !new String(acpi, 0, 4, StandardCharsets.US_ASCII).equals("CCEL"))) {
            throw GcpError.invalid("tdCcel.ccelAcpiTable is not a CCEL ACPI table (36+ bytes, signature 'CCEL')");
        }
        byte[] eventLog = bytes(ccel, "tdCcel.ccelData", "ccelData", "ccel_data");
        bytes(ccel, "tdCcel.canonicalEventLog", "canonicalEventLog", "canonical_event_log");
        TokenOptions options = TokenOptions.of(object(request, "tokenOptions", "token_options"));
        JsonObject ext = object(request, "teebox", "teebox");
        String instanceName = ext == null ? null : string(ext, "instance");
        if (instanceName == null || instanceName.isBlank()) {
            throw GcpError.invalid("teebox.instance is missing: the name of the instance whose quote this is (bound "
                    + "in its report data)");
        }
        Instance instance = instances.find(instanceName).orElseThrow(() -> GcpError.invalid("teebox.instance: no "
                + "instance named '" + instanceName + "' in project " + project.id() + " zone " + project.zone()));

        Pending p = challenges.get(challengeName);
        if (p == null) {
            throw GcpError.notFound("challenge " + challengeName + " does not exist (or was used and forgotten)");
        }
        if (!clock.instant().isBefore(p.expires())) {
            throw GcpError.precondition("challenge " + challengeName + " expired at " + p.expires());
        }
        if (!p.used().compareAndSet(false, true)) {
            throw GcpError.precondition("challenge " + challengeName + " was already used");
        }

        Map<String, byte[]> attachments = eventLog == null ? Map.of() : Map.of("event_log", eventLog);
        String ear;
        try {
            ear = tokens.attest(new Evidence("tdx-quote-v4", quote, List.of(), attachments), p.nonce(),
                    runtimeData(p.nonce(), instance.name()));
        } catch (AttestationRefused r) {
            throw switch (r.status()) {
                case 400 -> GcpError.invalid("tdCcel.tdQuote: " + r.getMessage());
                case 403 -> GcpError.precondition("the quote does not bind challenge " + challengeName
                        + " and instance " + instance.name() + ": " + r.getMessage());
                case 401 -> GcpError.precondition("challenge " + challengeName + ": " + r.getMessage());
                default -> new GcpError(500, "INTERNAL", "the quote cannot be appraised: " + r.getMessage());
            };
        }
        Map<String, Object> appraisal = tokens.verify(ear);
        return signer.sign(claims(appraisal, instance, options), options.pki());
    }

    /**
     * The token's claims from the attestation service's appraisal, in the order of Google's example token.
     */
    Map<String, Object> claims(Map<String, Object> ear, Instance instance, TokenOptions options) {
        Map<String, Object> cpu0 = map(map(ear.get("submods")).get("cpu0"));
        Map<String, Object> annotated = map(cpu0.get("ear.veraison.annotated-evidence"));
        Map<String, Object> td = map(annotated.get("tdx"));
        Map<String, Object> vector = map(cpu0.get("ear.trustworthiness-vector"));
        Object identity = vector.get("instance-identity");
        if (identity instanceof Number n && Math.abs(n.intValue()) > 31) {
            throw GcpError.precondition("the TD quote does not verify: " + reasons(cpu0, "instance-identity"));
        }
        long attributes = parseAttributes(td.get("td_attributes"));
        Instant now = clock.instant();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("aud", options.audience());
        c.put("exp", now.plus(project.tokenLifetime()).getEpochSecond());
        c.put("iat", now.getEpochSecond());
        c.put("iss", ISSUER);
        c.put("nbf", now.getEpochSecond());
        c.put("sub", project.selfLink(instance.name()));
        c.put("eat_profile", EAT_PROFILE);
        if (!options.nonces().isEmpty()) {
            c.put("eat_nonce", options.nonces().size() == 1 ? options.nonces().get(0) : options.nonces());
        }
        c.put("secboot", false);
        c.put("oemid", OEMID);
        c.put("hwmodel", HWMODEL);
        c.put("swname", "GCE");
        c.put("swversion", List.of(project.swversion()));
        c.put("dbgstat", (attributes & 1L) != 0 ? "enabled" : "disabled-since-boot");
        c.put("attester_tcb", List.of("INTEL"));
        Map<String, Object> gce = new LinkedHashMap<>();
        gce.put("zone", project.zone());
        gce.put("project_id", project.id());
        gce.put("project_number", project.number());
        gce.put("instance_name", instance.name());
        gce.put("instance_id", instance.id());
        Map<String, Object> tdx = new LinkedHashMap<>();
        for (String f : List.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrseam", "mrsignerseam", "mrconfigid",
                "mrowner", "mrownerconfig", "xfam", "tee_tcb_svn", "tcb_status")) {
            if (td.get(f) != null) {
                tdx.put(f, String.valueOf(td.get(f)).toLowerCase(Locale.ROOT));
            }
        }
        tdx.put("td_attributes", String.format("%016x", attributes));
        tdx.put("ear_status", String.valueOf(cpu0.get("ear.status")));
        Map<String, Object> submods = new LinkedHashMap<>();
        submods.put("gce", gce);
        submods.put("tdx", tdx);
        c.put("submods", submods);
        return c;
    }

    private static String reasons(Map<String, Object> cpu0, String claim) {
        List<String> out = new ArrayList<>();
        if (cpu0.get("teebox.reasons") instanceof List<?> l) {
            for (Object o : l) {
                Map<String, Object> r = map(o);
                if (claim.equals(r.get("claim"))) {
                    out.add(r.get("check") + ": " + r.get("reason"));
                }
            }
        }
        return out.isEmpty() ? "instance-identity is not affirming" : String.join("; ", out);
    }

    /** The TD ATTRIBUTES from the verifier's {@code td_attributes} claim, "0x0000000000000001 (DEBUG)". */
    static long parseAttributes(Object v) {
        if (!(v instanceof String s) || !s.startsWith("0x")) {
            throw new GcpError(500, "INTERNAL", "the appraisal carries no td_attributes (got " + v + ")");
        }
        String hex = s.substring(2).split("[^0-9A-Fa-f]", 2)[0];
        if (hex.isEmpty() || hex.length() > 16) {
            throw new GcpError(500, "INTERNAL", "the appraisal's td_attributes '" + s + "' is not a 64-bit hex word");
        }
        return Long.parseUnsignedLong(hex, 16);
    }

    private void checkParent(String projectId, String location) {
        if (!project.id().equals(projectId) && !project.number().equals(projectId)) {
            throw GcpError.denied("project '" + projectId + "' is not this teebox's project " + project.id()
                    + " (" + project.number() + ")");
        }
        if (location == null || !location.matches("[a-z][a-z0-9-]{0,62}")) {
            throw GcpError.invalid("location '" + location + "' is not a location id such as us-central1");
        }
    }

    /** {@code tokenOptions}, checked. */
    record TokenOptions(String audience, List<String> nonces, boolean pki) {

        static TokenOptions of(JsonObject o) {
            if (o == null) {
                return new TokenOptions(DEFAULT_AUDIENCE, List.of(), false);
            }
            String aud = string(o, "audience");
            if (aud == null || aud.isEmpty()) {
                aud = DEFAULT_AUDIENCE;
            }
            if (aud.getBytes(StandardCharsets.UTF_8).length > MAX_AUDIENCE_BYTES) {
                throw GcpError.invalid("tokenOptions.audience is " + aud.getBytes(StandardCharsets.UTF_8).length
                        + " bytes, at most " + MAX_AUDIENCE_BYTES);
            }
            List<String> nonces = new ArrayList<>();
            JsonElement n = o.get("nonce");
            if (n != null && !n.isJsonNull()) {
                if (!n.isJsonArray()) {
                    throw GcpError.invalid("tokenOptions.nonce must be an array of strings");
                }
                if (n.getAsJsonArray().size() > MAX_NONCES) {
                    throw GcpError.invalid("tokenOptions.nonce has " + n.getAsJsonArray().size() + " nonces, at most "
                            + MAX_NONCES);
                }
                int i = 0;
                for (JsonElement e : n.getAsJsonArray()) {
                    if (!(e instanceof JsonPrimitive p && p.isString())) {
                        throw GcpError.invalid("tokenOptions.nonce[" + i + "] is not a string");
                    }
                    int len = p.getAsString().getBytes(StandardCharsets.UTF_8).length;
                    if (len < MIN_NONCE_BYTES || len > MAX_NONCE_BYTES) {
                        throw GcpError.invalid("tokenOptions.nonce[" + i + "] is " + len + " bytes; each nonce must "
                                + "be " + MIN_NONCE_BYTES + " to " + MAX_NONCE_BYTES + " bytes");
                    }
                    nonces.add(p.getAsString());
                    i++;
                }
            }
            String type = string(o, "tokenType");
            if (type == null) {
                type = string(o, "token_type");
            }
            boolean pki = switch (type == null ? "TOKEN_TYPE_OIDC" : type) {
                case "TOKEN_TYPE_OIDC", "TOKEN_TYPE_UNSPECIFIED" -> false;
                case "TOKEN_TYPE_PKI" -> true;
                default -> throw GcpError.invalid("tokenOptions.tokenType '" + type + "' is not served; use "
                        + "TOKEN_TYPE_OIDC or TOKEN_TYPE_PKI");
            };
            return new TokenOptions(aud, List.copyOf(nonces), pki);
        }
    }

    // ---- JSON helpers ------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!(e instanceof JsonPrimitive p && p.isString())) {
            throw GcpError.invalid(name + " must be a string");
        }
        return p.getAsString();
    }

    private static JsonObject object(JsonObject o, String camel, String snake) {
        JsonElement e = o.has(camel) ? o.get(camel) : o.get(snake);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonObject()) {
            throw GcpError.invalid(camel + " must be an object");
        }
        return e.getAsJsonObject();
    }

    /** A proto bytes field: standard or URL-safe base64, as Google's JSON mapping accepts. */
    static byte[] bytes(JsonObject o, String label, String camel, String snake) {
        String s = o.has(camel) ? string(o, camel) : string(o, snake);
        if (s == null) {
            return null;
        }
        try {
            return s.indexOf('-') >= 0 || s.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(s)
                    : Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw GcpError.invalid(label + " is not base64: " + e.getMessage());
        }
    }
}
