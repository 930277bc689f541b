package io.teebox.kbs.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.teebox.attestation.api.AttestationPolicies;
import io.teebox.attestation.api.AttestationRefused;

/**
 * The admin API's attestation side, as Trustee's {@code POST /attestation-policy} and {@code /reference-value}: the
 * attestation service's policies and reference values, set through {@link AttestationPolicies} (checked, stored as
 * the service's policy files, in force when the call returns).
 * <ul>
 * <li>{@code POST /attestation-policy} {@code {"type": "json", "policy_id", "policy": <base64 of the policy>}}
 * (Trustee's request; the policy is the attestation service's JSON grammar, not Rego) → the policy;
 * {@code GET /attestation-policy} → {@code {"policies": [ids]}}; {@code GET /attestation-policy/<id>} → it;</li>
 * <li>{@code POST /reference-value} {@code {"policy_id", "format", "name", "values": [hex, ...]}} → the policy's
 * reference values; {@code GET /reference-value} → {@code {<policy>: {<format>: {<name>: [values]}}}}.</li>
 * </ul>
 */
final class PolicyAdmin {

    private final AttestationPolicies policies;

    PolicyAdmin(AttestationPolicies policies) {
        this.policies = policies;
    }

    /** @return {@code {"policies": [ids]}} */
    JsonObject list() {
        JsonObject o = new JsonObject();
        JsonArray a = new JsonArray();
        policies.ids().forEach(a::add);
        o.add("policies", a);
        return o;
    }

    /** @return the policy's JSON text */
    String get(String id) {
        return policies.policy(id).orElseThrow(() -> KbsProblem.invalid("no attestation policy '" + id
                + "'; in force: " + policies.ids()));
    }

    /**
     * @param body Trustee's {@code {type, policy_id, policy}}
     * @return the policy's id
     */
    String set(String body) {
        JsonObject o = Broker.object(body, "the attestation policy request");
        for (String k : o.keySet()) {
            if (!List.of("type", "policy_id", "policy").contains(k)) {
                throw KbsProblem.invalid("unknown member '" + k + "'; accepted: type, policy_id, policy");
            }
        }
        String type = string(o, "type");
        if (!type.equals("json")) {
            throw KbsProblem.invalid("type '" + type + "' is not served: this attestation service's policies are "
                    + "JSON in its own grammar (type \"json\"), not " + (type.equals("rego") ? "OPA Rego" : type));
        }
        String id = string(o, "policy_id");
        String json = Broker.utf8(Broker.base64(string(o, "policy"), "policy"));
        call(() -> policies.setPolicy(id, json));
        return id;
    }

    /** @return every policy's reference values */
    JsonObject referenceValues() {
        JsonObject all = new JsonObject();
        for (String id : policies.ids()) {
            all.add(id, json(call(() -> policies.referenceValues(id))));
        }
        return all;
    }

    /**
     * @param body {@code {policy_id, format, name, values}}
     * @return the policy's reference values after the change
     */
    JsonObject setReferenceValue(String body) {
        JsonObject o = Broker.object(body, "the reference value request");
        for (String k : o.keySet()) {
            if (!List.of("policy_id", "format", "name", "values").contains(k)) {
                throw KbsProblem.invalid("unknown member '" + k + "'; accepted: policy_id, format, name, values");
            }
        }
        String id = string(o, "policy_id");
        String format = string(o, "format");
        String name = string(o, "name");
        if (!(o.get("values") instanceof JsonArray a)) {
            throw KbsProblem.invalid("values is missing or not a list of hex strings");
        }
        List<String> values = new ArrayList<>();
        for (JsonElement e : a) {
            if (!(e instanceof JsonPrimitive p && p.isString())) {
                throw KbsProblem.invalid("values holds " + e + ", not a hex string");
            }
            values.add(p.getAsString());
        }
        setReferenceValue(id, format, name, values);
        return json(call(() -> policies.referenceValues(id)));
    }

    /** The same from the shell. */
    void setReferenceValue(String id, String format, String name, List<String> values) {
        call(() -> policies.setReferenceValues(id, format, name, values));
    }

    /** @return a policy's reference values as JSON */
    JsonObject referenceValues(String id) {
        return json(call(() -> policies.referenceValues(id)));
    }

    private static JsonObject json(Map<String, Map<String, List<String>>> refs) {
        JsonObject o = new JsonObject();
        refs.forEach((format, names) -> {
            JsonObject f = new JsonObject();
            names.forEach((n, vs) -> {
                JsonArray a = new JsonArray();
                vs.forEach(a::add);
                f.add(n, a);
            });
            o.add(format, f);
        });
        return o;
    }

    private static String string(JsonObject o, String name) {
        if (!(o.get(name) instanceof JsonPrimitive p && p.isString()) || p.getAsString().isEmpty()) {
            throw KbsProblem.invalid(name + " is missing or not a non-empty string");
        }
        return p.getAsString();
    }

    private static void call(Runnable r) {
        call(() -> {
            r.run();
            return null;
        });
    }

    private static <T> T call(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (AttestationRefused e) {
            throw e.status() >= 500 ? new KbsProblem(500, e.problem(), e.getMessage())
                    : KbsProblem.invalid(e.getMessage());
        }
    }
}
