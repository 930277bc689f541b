package io.teebox.console.internal;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.google.gson.JsonObject;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.Measurement;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.BackendDescriptor;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Guests: list, create, launch (firmware, kernel and initrd uploaded from the browser), pause, resume, destroy; per
 * guest its state, policy, key slot, measurement and launch log.
 */
@Component(service = Servlet.class, property = {ServletConstants.PLUGIN_LABEL + "=" + GuestsPanel.LABEL,
    ServletConstants.PLUGIN_TITLE + "=Guests", ServletConstants.PLUGIN_CATEGORY + "=teebox"})
public final class GuestsPanel extends Panel {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "teebox-guests";

    private final transient Hypervisor hypervisor;
    private final transient Map<String, GuestOwnerService> owners = new ConcurrentHashMap<>();

    /** @param hypervisor the platform's hypervisor */
    @Activate
    public GuestsPanel(@Reference Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindOwner(GuestOwnerService owner, Map<String, Object> props) {
        byTeeType(owners, owner, props, true);
    }

    void unbindOwner(GuestOwnerService owner, Map<String, Object> props) {
        byTeeType(owners, owner, props, false);
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    Object read(String what, HttpServletRequest request) {
        switch (what) {
            case "guests":
                List<Object> out = new ArrayList<>();
                for (GuestInfo g : hypervisor.guests()) {
                    out.add(summary(g));
                }
                return map("guests", out, "backends", hypervisor.backends().stream().filter(b -> b.kind()
                        == io.teebox.api.tee.TeeKind.CPU).map(b -> map("teeType", b.teeType(), "product",
                                b.product(), "policy", hex(b.defaults().policy()))).toList());
            case "guest":
                return detail(hypervisor, Panel.string(query(request), "guest"));
            default:
                throw new IllegalArgumentException("no data named '" + what + "' on " + LABEL
                        + " (guests, guest?guest=NAME)");
        }
    }

    static JsonObject query(HttpServletRequest request) {
        JsonObject q = new JsonObject();
        request.getParameterMap().forEach((k, v) -> q.addProperty(k, v.length == 0 ? "" : v[0]));
        return q;
    }

    /** @return every guest in summary, for a panel's guest chooser */
    static Map<String, Object> guestList(Hypervisor hypervisor) {
        return map("guests", hypervisor.guests().stream().map(GuestsPanel::summary).toList());
    }

    static Map<String, Object> summary(GuestInfo g) {
        GuestConfig c = g.config();
        return map("id", g.id(), "name", c.name(), "teeType", c.teeType(), "state", g.state().name(),
                "vcpus", c.vcpus(), "vcpuType", c.vcpuType(), "memory", c.memoryBytes(),
                "keySlot", g.keySlot() == null ? null : g.keySlot().toString(),
                "keySlotKind", g.keySlot() == null ? null : g.keySlot().kind(),
                "keySlotId", g.keySlot() == null ? null : g.keySlot().id(),
                "handle", g.handle(), "policy", hex(g.policy()), "residentPages", g.residentPages(),
                "note", g.note());
    }

    static Map<String, Object> detail(Hypervisor hypervisor, String guest) {
        GuestInfo g = hypervisor.guest(guest);
        Map<String, Object> m = summary(g);
        m.put("measurement", hypervisor.measurement(guest).map(GuestsPanel::measurement).orElse(null));
        m.put("log", log(hypervisor.launchLog(guest)));
        return m;
    }

    static Map<String, Object> measurement(Measurement x) {
        return map("format", x.format(), "value", HexFormat.of().formatHex(x.value()), "fields", x.fields());
    }

    static List<Object> log(List<LaunchLogEntry> log) {
        List<Object> out = new ArrayList<>();
        for (LaunchLogEntry e : log) {
            out.add(map("sequence", e.sequence(), "command", e.command(), "status", e.status().name(),
                    "vendor", e.status().vendor(), "code", hex(e.status().code()), "success", e.status().isSuccess(),
                    "detail", e.detail()));
        }
        return out;
    }

    @Override
    Object act(String action, JsonObject body) {
        switch (action) {
            case "create": {
                String tee = string(body, "teeType");
                int vcpus = integer(body, "vcpus", 1);
                if (vcpus < 1 || vcpus > GuestConfig.MAX_VCPUS) {
                    throw new IllegalArgumentException("vcpus must be 1.." + GuestConfig.MAX_VCPUS + ", got " + vcpus);
                }
                int mib = integer(body, "memoryMiB", 64);
                if (mib < 1 || mib > 65536) {
                    throw new IllegalArgumentException("memoryMiB must be 1..65536, got " + mib);
                }
                long memory = mib * 1024L * 1024;
                BackendDescriptor b = hypervisor.backends().stream().filter(d -> d.teeType().equals(tee)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no backend of type '" + tee
                                + "' is present (present: " + hypervisor.backends().stream()
                                        .map(BackendDescriptor::teeType).toList() + ")"));
                String model = optional(body, "vcpuType") == null ? b.defaults().vcpuModel()
                        : string(body, "vcpuType");
                long mem = memory;
                return summary(hypervisor.create(new GuestConfig(string(body, "name"), tee, vcpus, model, mem)));
            }
            case "launch":
                return launch(body);
            case "pause":
                hypervisor.pause(string(body, "guest"));
                return summary(hypervisor.guest(string(body, "guest")));
            case "resume":
                hypervisor.resume(string(body, "guest"));
                return summary(hypervisor.guest(string(body, "guest")));
            case "destroy":
                hypervisor.destroy(string(body, "guest"));
                return map("destroyed", string(body, "guest"));
            default:
                throw new IllegalArgumentException("no action named '" + action + "' on " + LABEL
                        + " (create, launch, pause, resume, destroy)");
        }
    }

    private Object launch(JsonObject body) {
        String guest = string(body, "guest");
        GuestInfo g = hypervisor.guest(guest);
        String tee = g.config().teeType();
        GuestOwnerService owner = owners.get(tee);
        if (owner == null) {
            throw new IllegalStateException("no guest owner for " + tee + " is present: its owner bundle is not "
                    + "running");
        }
        byte[] fw = base64(body, "firmware");
        byte[] kernel = base64(body, "kernel");
        byte[] initrd = base64(body, "initrd");
        String cmdline = optional(body, "cmdline");
        String policy = optional(body, "policy");
        long p = policy == null ? hypervisor.backends().stream().filter(d -> d.teeType().equals(tee)).findFirst()
                .map(d -> d.defaults().policy()).orElse(0L) : address("policy", policy);
        String secret = optional(body, "secret");
        OwnerPolicy op = new OwnerPolicy(p, fw, kernel, initrd, cmdline, null,
                secret == null ? null : secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), -1, false);
        LaunchResult r = hypervisor.launch(g.id(), new LaunchPlan(fw, kernel, initrd, cmdline), owner.prepare(op));
        Map<String, Object> m = summary(r.guest());
        m.put("measurement", r.measurement() == null ? null : measurement(r.measurement()));
        m.put("secretsInjected", r.secretsInjected());
        m.put("log", log(r.log()));
        return m;
    }

    static int integer(JsonObject body, String name, int absent) {
        String s = optional(body, name);
        if (s == null) {
            return absent;
        }
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " '" + s + "' is not a whole number");
        }
    }
}
