package io.teebox.console.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonObject;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.BackendDescriptor;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The launch timeline: a guest's launch log as a sequence diagram (guest owner, hypervisor, the TEE's firmware,
 * the memory controller; numbered arrows with the commands and the statuses they returned), and the attestation
 * flows the console ran for it the same way.
 */
@Component(service = Servlet.class, property = {ServletConstants.PLUGIN_LABEL + "=" + TimelinePanel.LABEL,
    ServletConstants.PLUGIN_TITLE + "=Launch timeline", ServletConstants.PLUGIN_CATEGORY + "=teebox"})
public final class TimelinePanel extends Panel {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "teebox-timeline";

    private final transient Hypervisor hypervisor;
    private final transient Flows flows;

    /**
     * @param hypervisor the platform's hypervisor
     * @param flows the attestation flows the console ran
     */
    @Activate
    public TimelinePanel(@Reference Hypervisor hypervisor, @Reference Flows flows) {
        this.hypervisor = hypervisor;
        this.flows = flows;
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    Object read(String what, HttpServletRequest request) {
        switch (what) {
            case "guests":
                return GuestsPanel.guestList(hypervisor);
            case "timeline": {
                String guest = string(GuestsPanel.query(request), "guest");
                GuestInfo g = hypervisor.guest(guest);
                String firmware = hypervisor.backends().stream().filter(b -> b.teeType().equals(g.config()
                        .teeType())).findFirst().map(BackendDescriptor::product).orElse(g.config().teeType()
                                + " firmware");
                List<Object> attest = new ArrayList<>();
                for (List<Flows.Step> flow : flows.attestations(g.config().name())) {
                    attest.add(flow.stream().map(s -> map("from", s.from(), "to", s.to(), "label", s.label(),
                            "status", s.status())).toList());
                }
                Map<String, Object> m = GuestsPanel.summary(g);
                m.put("firmware", firmware);
                m.put("log", GuestsPanel.log(hypervisor.launchLog(guest)));
                m.put("attestations", attest);
                return m;
            }
            default:
                throw new IllegalArgumentException("no data named '" + what + "' on " + LABEL
                        + " (guests, timeline?guest=NAME)");
        }
    }

    @Override
    Object act(String action, JsonObject body) {
        throw new IllegalArgumentException("the timeline has no actions (it draws what the guests' launches did)");
    }
}
