package io.teebox.attestation.service.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * An appraisal policy with its reference values, read from a JSON file (config/attestation-policies/*.json):
 *
 * <pre>
 * {
 *   "id": "default",                          // [A-Za-z0-9._-]{1,64}, unique among the files
 *   "description": "what it is for",          // optional
 *   "formats": {                              // the evidence formats it applies to, each with its rules
 *     "sev-snp-report": {
 *       "reference_values": {                 // the verifier's names; a list means "any of these"
 *         "measurement": ["hex", "hex"], "id_key_digest": ["hex"], "host_data": "hex", "vmpl": 0 },
 *       "policy": {                           // the verifier's policies
 *         "allow_debug": false,
 *         "minimum_tcb": {"boot_loader": 3, "tee": 0, "snp": 8, "microcode": 115} }   // or 16 hex digits
 *     },
 *     "tdx-quote-v4": {
 *       "reference_values": {"mrtd": ["hex"], "rtmr0": "hex", ...},
 *       "policy": {"allow_debug": false, "min_tee_tcb_svn": "hex (16 bytes)", "allowed_tcb_status": "UpToDate"} },
 *     "nvidia-gpu-spdm-measurements": {       // the GPUs of composite evidence (gpu0, gpu1, ...)
 *       "reference_values": {"driver_version": "550.90.07", "vbios_version": ["96.00.9F.00.01", "96.00.74.00.1A"]},
 *       "claims": {"nvdec0_enabled": false} }  // the GPU verifier takes no policy
 *   }
 * }
 * </pre>
 *
 * A single value is handed to the verifier as its reference value or policy; a list of values is checked by the
 * service against the verifier's claim of the same name (one of them must equal it, compared as hex, zero-padded).
 * For the formats teebox's verifiers appraise the names are checked here, so a typo refuses the file; names for
 * other formats go to their verifier unchecked. {@code report_data} is the request's binding, never a policy's.
 * The GPU's {@code driver_version} and {@code vbios_version} are text, not hex; a list of them is compared as text
 * (without regard to case) by the service.
 * <p>
 * {@code claims} (any format) demands claims of the verifier's appraisal: each named claim must be present and equal,
 * as text without regard to case, to the value or to one of the list's values; a missing claim contraindicates, so a
 * policy can demand what a verifier may not yet give (a GPU's CC mode, say) and refuse evidence without it.
 *
 * @param id the policy's id, {@code ear.appraisal-policy-id} of the tokens it appraises
 * @param description what it is for
 * @param formats the rules per evidence format, in the file's order
 */
record AttestationPolicy(String id, String description, Map<String, Rules> formats) {

    /**
     * The rules for one format.
     *
     * @param referenceValues single reference values, handed to the verifier
     * @param anyOf reference values with several accepted values, checked against the verifier's claims
     * @param policy policies, handed to the verifier
     * @param claims claims the appraisal must carry with one of the values given (text), checked by the service
     */
    record Rules(Map<String, String> referenceValues, Map<String, List<String>> anyOf, Map<String, String> policy,
            Map<String, List<String>> claims) {
        Rules {
            referenceValues = Collections.unmodifiableMap(new LinkedHashMap<>(referenceValues));
            anyOf = Collections.unmodifiableMap(new LinkedHashMap<>(anyOf));
            policy = Collections.unmodifiableMap(new LinkedHashMap<>(policy));
            claims = Collections.unmodifiableMap(new LinkedHashMap<>(claims));
        }

        static final Rules NONE = new Rules(Map.of(), Map.of(), Map.of(), Map.of());
    }

    /** The policy in force when no file gives one: the verifiers' defaults (debug forbidden, no references). */
    static final AttestationPolicy BUILT_IN = new AttestationPolicy("teebox-built-in", "the verifiers' defaults",
            Map.of());

    /** The names teebox's verifiers know, by format: reference values, then policies. */
    private static final Map<String, List<Set<String>>> KNOWN = Map.of(
            "sev-snp-report", List.of(Set.of("measurement", "host_data", "id_key_digest", "author_key_digest",
                    "family_id", "image_id", "vmpl"), Set.of("allow_debug", "minimum_tcb", "require_crl", "product")),
            "tdx-quote-v4", List.of(Set.of("mrtd", "rtmr0", "rtmr1", "rtmr2", "rtmr3", "mrconfigid", "mrowner",
                    "mrownerconfig"), Set.of("allow_debug", "min_tee_tcb_svn", "allowed_tcb_status")),
            "sev-attestation", List.of(Set.of("measurement", "launch_digest"), Set.of("allow_debug")),
            Binding.GPU_FORMAT, List.of(Set.of("driver_version", "vbios_version"), Set.of()));

    /** Reference values that are text, not hex, by format. */
    private static final Map<String, Set<String>> TEXT = Map.of(Binding.GPU_FORMAT, Set.of("driver_version",
            "vbios_version"));

    AttestationPolicy {
        formats = Collections.unmodifiableMap(new LinkedHashMap<>(formats));
    }

    /** @return the rules for a format (none if the policy does not name it) */
    Rules rules(String format) {
        return formats.getOrDefault(format, Rules.NONE);
    }

    /** @return true if the policy names the format */
    boolean covers(String format) {
        return formats.containsKey(format);
    }

    /**
     * @param text a policy file's content
     * @return the policy
     * @throws IllegalArgumentException naming the field that is wrong and what is accepted
     */
    static AttestationPolicy parse(String text) {
        JsonElement root = StrictJson.parse(text);
        if (!(root instanceof JsonObject o)) {
            throw new IllegalArgumentException("the policy must be a JSON object");
        }
        for (String k : o.keySet()) {
            if (!Set.of("id", "description", "formats").contains(k)) {
                throw new IllegalArgumentException("unknown member '" + k + "'; accepted: id, description, formats");
            }
        }
        String id = string(o, "id", true);
        if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("id '" + id + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        String description = o.has("description") ? string(o, "description", false) : "";
        if (!(o.get("formats") instanceof JsonObject fs) || fs.isEmpty()) {
            throw new IllegalArgumentException("formats must be an object naming at least one evidence format, "
                    + "for example {\"sev-snp-report\": {...}}");
        }
        Map<String, Rules> formats = new LinkedHashMap<>();
        for (String format : fs.keySet()) {
            if (!(fs.get(format) instanceof JsonObject rules)) {
                throw new IllegalArgumentException("formats." + format + " must be an object with reference_values "
                        + "and/or policy");
            }
            formats.put(format, rules(format, rules));
        }
        return new AttestationPolicy(id, description, formats);
    }

    private static Rules rules(String format, JsonObject o) {
        String at = "formats." + format;
        for (String k : o.keySet()) {
            if (!k.equals("reference_values") && !k.equals("policy") && !k.equals("claims")) {
                throw new IllegalArgumentException(at + ": unknown member '" + k + "'; accepted: reference_values, "
                        + "policy, claims");
            }
        }
        List<Set<String>> known = KNOWN.get(format);
        Map<String, String> single = new LinkedHashMap<>();
        Map<String, List<String>> anyOf = new LinkedHashMap<>();
        Map<String, String> policy = new LinkedHashMap<>();
        Map<String, List<String>> claims = new LinkedHashMap<>();
        Set<String> text = TEXT.getOrDefault(format, Set.of());
        JsonObject refs = object(o, "reference_values", at);
        for (String name : refs.keySet()) {
            String where = at + ".reference_values." + name;
            if (name.equals("report_data") || name.equals("mnonce")) {
                throw new IllegalArgumentException(where + ": the report data is bound to each request's nonce and "
                        + "runtime data, not set by a policy");
            }
            checkName(known == null ? null : known.get(0), name, where);
            JsonElement v = refs.get(name);
            if (text.contains(name)) {
                List<String> values = texts(v, where);
                if (values.size() == 1 && !v.isJsonArray()) {
                    single.put(name, values.get(0));
                } else {
                    claims.put(name, values);
                }
            } else if (v.isJsonArray()) {
                List<String> values = new ArrayList<>();
                for (JsonElement e : v.getAsJsonArray()) {
                    values.add(hex(scalar(e, where), where));
                }
                if (values.isEmpty()) {
                    throw new IllegalArgumentException(where + " is an empty list: nothing could match");
                }
                anyOf.put(name, List.copyOf(values));
            } else {
                String s = scalar(v, where);
                single.put(name, name.equals("vmpl") ? s : hex(s, where));
            }
        }
        JsonObject pol = object(o, "policy", at);
        for (String name : pol.keySet()) {
            String where = at + ".policy." + name;
            checkName(known == null ? null : known.get(1), name, where);
            JsonElement v = pol.get(name);
            if (name.equals("minimum_tcb") && v instanceof JsonObject tcb && format.equals("sev-snp-report")) {
                policy.put(name, snpTcb(tcb, where));
            } else if (v.isJsonArray()) {
                List<String> values = new ArrayList<>();
                v.getAsJsonArray().forEach(e -> values.add(scalar(e, where)));
                policy.put(name, String.join(",", values));
            } else {
                policy.put(name, scalar(v, where));
            }
        }
        JsonObject demanded = object(o, "claims", at);
        for (String name : demanded.keySet()) {
            String where = at + ".claims." + name;
            if (claims.containsKey(name)) {
                throw new IllegalArgumentException(where + ": already given as a reference value");
            }
            claims.put(name, texts(demanded.get(name), where));
        }
        return new Rules(single, anyOf, policy, claims);
    }

    private static List<String> texts(JsonElement v, String where) {
        List<String> values = new ArrayList<>();
        if (v.isJsonArray()) {
            for (JsonElement e : v.getAsJsonArray()) {
                values.add(scalar(e, where).trim());
            }
            if (values.isEmpty()) {
                throw new IllegalArgumentException(where + " is an empty list: nothing could match");
            }
        } else {
            values.add(scalar(v, where).trim());
        }
        if (values.contains("")) {
            throw new IllegalArgumentException(where + " has an empty value");
        }
        return List.copyOf(values);
    }

    /**
     * An SNP minimum TCB by component, in the Milan and Genoa TCB_VERSION layout (byte 0 BOOT_LOADER, 1 TEE, 6 SNP,
     * 7 MICROCODE); Turin's layout differs, so give a Turin TCB as 16 hex digits.
     */
    private static String snpTcb(JsonObject tcb, String where) {
        Map<String, Integer> byteOf = Map.of("boot_loader", 0, "tee", 1, "snp", 6, "microcode", 7);
        long value = 0;
        for (String k : tcb.keySet()) {
            Integer b = byteOf.get(k.toLowerCase(Locale.ROOT));
            if (b == null) {
                throw new IllegalArgumentException(where + ": unknown component '" + k + "'; accepted: boot_loader, "
                        + "tee, snp, microcode (Milan/Genoa layout; give a Turin TCB as 16 hex digits)");
            }
            JsonElement v = tcb.get(k);
            int spl;
            try {
                spl = v.getAsJsonPrimitive().isNumber() ? v.getAsInt() : -1;
                if (!v.getAsJsonPrimitive().isNumber() || v.getAsBigDecimal().scale() > 0) {
                    spl = -1;
                }
            } catch (RuntimeException e) {
                spl = -1;
            }
            if (spl < 0 || spl > 255) {
                throw new IllegalArgumentException(where + "." + k + " is " + v + "; accepted: an SPL 0..255");
            }
            value |= (long) spl << (8 * b);
        }
        return String.format("%016X", value);
    }

    private static void checkName(Set<String> known, String name, String where) {
        if (known != null && !known.contains(name)) {
            throw new IllegalArgumentException(where + ": unknown name; known: " + new TreeSet<>(known));
        }
    }

    private static JsonObject object(JsonObject o, String name, String at) {
        JsonElement v = o.get(name);
        if (v == null) {
            return new JsonObject();
        }
        if (!(v instanceof JsonObject x)) {
            throw new IllegalArgumentException(at + "." + name + " must be an object");
        }
        return x;
    }

    private static String scalar(JsonElement v, String where) {
        if (v instanceof JsonPrimitive p) {
            return p.getAsString();
        }
        throw new IllegalArgumentException(where + " is " + Binding.kind(v) + "; accepted: a string, number, boolean "
                + "or a list of them");
    }

    private static String hex(String s, String where) {
        String h = s.trim().replaceFirst("^0[xX]", "");
        if (!h.matches("([0-9a-fA-F]{2})+")) {
            throw new IllegalArgumentException(where + " is '" + s + "'; accepted: hex, an even number of digits");
        }
        return h.toLowerCase(Locale.ROOT);
    }

    private static String string(JsonObject o, String name, boolean required) {
        JsonElement v = o.get(name);
        if (v == null) {
            throw new IllegalArgumentException(name + " is missing");
        }
        if (!(v instanceof JsonPrimitive p && p.isString())) {
            throw new IllegalArgumentException(name + " must be a string, got " + v);
        }
        if (required && p.getAsString().isEmpty()) {
            throw new IllegalArgumentException(name + " is empty");
        }
        return p.getAsString();
    }

    /** @return the policy as JSON, for the shell and {@code GET /policies} */
    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("id", id);
        o.addProperty("description", description);
        JsonObject fs = new JsonObject();
        formats.forEach((format, r) -> {
            JsonObject f = new JsonObject();
            JsonObject refs = new JsonObject();
            r.referenceValues().forEach(refs::addProperty);
            r.anyOf().forEach((k, v) -> {
                com.google.gson.JsonArray a = new com.google.gson.JsonArray();
                v.forEach(a::add);
                refs.add(k, a);
            });
            JsonObject pol = new JsonObject();
            r.policy().forEach(pol::addProperty);
            JsonObject claims = new JsonObject();
            r.claims().forEach((k, v) -> {
                com.google.gson.JsonArray a = new com.google.gson.JsonArray();
                v.forEach(a::add);
                (TEXT.getOrDefault(format, Set.of()).contains(k) ? refs : claims).add(k, a);
            });
            f.add("reference_values", refs);
            f.add("policy", pol);
            if (!claims.isEmpty()) {
                f.add("claims", claims);
            }
            fs.add(format, f);
        });
        o.add("formats", fs);
        return o;
    }
}
