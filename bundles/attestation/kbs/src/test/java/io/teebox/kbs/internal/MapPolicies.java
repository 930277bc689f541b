package io.teebox.kbs.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.teebox.attestation.api.AttestationPolicies;
import io.teebox.attestation.api.AttestationRefused;

/**
 * The attestation service's policies as the broker's tests need them: held in memory, refusing what the real service
 * refuses in the cases the tests use (a policy that is not JSON with its id, a name {@code bad}); the real store is
 * tested in the service's module and end to end in KeyBrokerIT.
 */
final class MapPolicies implements AttestationPolicies {

    final Map<String, String> policies = new LinkedHashMap<>();
    final Map<String, Map<String, Map<String, List<String>>>> refs = new LinkedHashMap<>();

    MapPolicies() {
        policies.put("default", "{\"id\":\"default\",\"formats\":{\"sev-snp-report\":{}}}");
        refs.put("default", new LinkedHashMap<>());
    }

    @Override
    public List<String> ids() {
        return new ArrayList<>(policies.keySet());
    }

    @Override
    public Optional<String> policy(String id) {
        return Optional.ofNullable(policies.get(id));
    }

    @Override
    public void setPolicy(String id, String json) {
        if (!json.startsWith("{") || !json.contains("\"id\":\"" + id + "\"")) {
            throw new AttestationRefused(400, "InvalidPolicy", "policy " + id + ": not a policy with id " + id);
        }
        policies.put(id, json);
        refs.putIfAbsent(id, new LinkedHashMap<>());
    }

    @Override
    public Map<String, Map<String, List<String>>> referenceValues(String id) {
        Map<String, Map<String, List<String>>> r = refs.get(id);
        if (r == null) {
            throw new AttestationRefused(404, "UnknownPolicy", "no attestation policy '" + id + "'");
        }
        return r;
    }

    @Override
    public void setReferenceValues(String id, String format, String name, List<String> values) {
        if (name.equals("bad")) {
            throw new AttestationRefused(400, "InvalidPolicy", "policy " + id + ": formats." + format
                    + ".reference_values.bad: unknown");
        }
        referenceValues(id).computeIfAbsent(format, f -> new LinkedHashMap<>()).put(name, List.copyOf(values));
    }
}
