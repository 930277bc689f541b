package io.teebox.console.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;

/**
 * The attestation flows the console ran, per guest, for the timeline: who sent what to whom, in order. The launch
 * flow needs no record here: it is the guest's launch log.
 */
@Component(service = Flows.class)
public final class Flows {

    /** One arrow of a flow. */
    record Step(String from, String to, String label, String status) {
    }

    private final Map<String, List<List<Step>>> attestations = new ConcurrentHashMap<>();

    void attested(String guest, List<Step> steps) {
        List<List<Step>> l = attestations.computeIfAbsent(guest, g -> new ArrayList<>());
        synchronized (l) {
            l.add(List.copyOf(steps));
            if (l.size() > 8) {
                l.remove(0);
            }
        }
    }

    List<List<Step>> attestations(String guest) {
        List<List<Step>> l = attestations.get(guest);
        if (l == null) {
            return List.of();
        }
        synchronized (l) {
            return List.copyOf(l);
        }
    }
}
