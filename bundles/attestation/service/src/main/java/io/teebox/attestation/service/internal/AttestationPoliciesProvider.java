package io.teebox.attestation.service.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

import io.teebox.attestation.api.AttestationPolicies;
import io.teebox.attestation.api.AttestationRefused;
import jakarta.servlet.Servlet;

/**
 * The service's policy directory for operators' tools: the same {@link PolicyDirectory} the appraisals use (of the
 * servlet component, as {@link AttestationTokensProvider}), written through its checked, atomic store.
 */
@Component(service = AttestationPolicies.class)
public final class AttestationPoliciesProvider implements AttestationPolicies {

    private final PolicyDirectory policies;

    /** @param servlet the attestation service's servlet component of this bundle */
    @Activate
    public AttestationPoliciesProvider(@Reference(target = "(component.name=io.teebox.attestation.service.internal."
            + "AttestationServlet)") Servlet servlet) {
        this(((AttestationServlet) servlet).engine().policies());
    }

    AttestationPoliciesProvider(PolicyDirectory policies) {
        this.policies = policies;
    }

    @Override
    public List<String> ids() {
        return List.copyOf(policies.policies().keySet());
    }

    @Override
    public Optional<String> policy(String id) {
        return Optional.ofNullable(policies.text(id));
    }

    @Override
    public void setPolicy(String id, String json) {
        AttestationPolicy parsed;
        try {
            parsed = AttestationPolicy.parse(json == null ? "" : json);
        } catch (IllegalArgumentException e) {
            throw new AttestationRefused(400, "InvalidPolicy", "policy " + id + ": " + e.getMessage());
        }
        if (!parsed.id().equals(id)) {
            throw new AttestationRefused(400, "InvalidPolicy", "the policy's id is '" + parsed.id() + "', not '" + id
                    + "'");
        }
        store(json);
    }

    @Override
    public Map<String, Map<String, List<String>>> referenceValues(String id) {
        AttestationPolicy p = existing(id);
        Map<String, Map<String, List<String>>> out = new LinkedHashMap<>();
        p.formats().forEach((format, rules) -> {
            Map<String, List<String>> m = new LinkedHashMap<>();
            rules.referenceValues().forEach((n, v) -> m.put(n, List.of(v)));
            m.putAll(rules.anyOf());
            out.put(format, m);
        });
        return out;
    }

    @Override
    public void setReferenceValues(String id, String format, String name, List<String> values) {
        existing(id);
        if (values == null || values.isEmpty()) {
            throw new AttestationRefused(400, "InvalidPolicy", "reference value " + format + "." + name + " of "
                    + id + ": give at least one value");
        }
        JsonObject o = StrictJson.parse(policies.text(id)).getAsJsonObject();
        JsonObject formats = o.getAsJsonObject("formats");
        JsonObject rules = formats.get(format) instanceof JsonObject r ? r : new JsonObject();
        formats.add(format, rules);
        JsonObject refs = rules.get("reference_values") instanceof JsonObject r ? r : new JsonObject();
        rules.add("reference_values", refs);
        JsonElement v;
        if (values.size() == 1) {
            v = new JsonPrimitive(values.get(0));
        } else {
            JsonArray a = new JsonArray();
            values.forEach(a::add);
            v = a;
        }
        refs.add(name, v);
        String json = new com.google.gson.GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o);
        try {
            AttestationPolicy.parse(json);
        } catch (IllegalArgumentException e) {
            throw new AttestationRefused(400, "InvalidPolicy", "policy " + id + ": " + e.getMessage());
        }
        store(json);
    }

    private AttestationPolicy existing(String id) {
        AttestationPolicy p = policies.policies().get(id);
        if (p == null) {
            throw new AttestationRefused(404, "UnknownPolicy", "no attestation policy '" + id + "'; in force: "
                    + new ArrayList<>(policies.policies().keySet()));
        }
        return p;
    }

    private void store(String json) {
        try {
            policies.store(json);
        } catch (IllegalArgumentException e) {
            throw new AttestationRefused(400, "InvalidPolicy", e.getMessage());
        } catch (IllegalStateException e) {
            throw new AttestationRefused(500, "PolicyNotStored", e.getMessage());
        }
    }
}
