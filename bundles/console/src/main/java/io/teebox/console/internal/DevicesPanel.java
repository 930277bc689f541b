package io.teebox.console.internal;

import java.util.ArrayList;
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

import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Devices: the device TEEs present (an H100 in confidential-computing mode, ...) with their mode, the guest each is
 * attached to and what the device reports about itself; attach to a running guest, detach, change the mode. A later
 * backend's devices appear here through the same services, with no change to this panel.
 */
@Component(service = Servlet.class, property = {ServletConstants.PLUGIN_LABEL + "=" + DevicesPanel.LABEL,
    ServletConstants.PLUGIN_TITLE + "=Devices", ServletConstants.PLUGIN_CATEGORY + "=teebox"})
public final class DevicesPanel extends Panel {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "teebox-devices";

    private final transient Hypervisor hypervisor;
    private final transient DeviceAssignment assignment;
    private final transient Map<String, DeviceTee> tees = new ConcurrentHashMap<>();

    /**
     * @param hypervisor the platform's hypervisor
     * @param assignment the hypervisor's device assignment
     */
    @Activate
    public DevicesPanel(@Reference Hypervisor hypervisor, @Reference DeviceAssignment assignment) {
        this.hypervisor = hypervisor;
        this.assignment = assignment;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    void bindTee(DeviceTee tee, Map<String, Object> props) {
        byTeeType(tees, tee, props, true);
    }

    void unbindTee(DeviceTee tee, Map<String, Object> props) {
        byTeeType(tees, tee, props, false);
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    Object read(String what, HttpServletRequest request) {
        if (!what.equals("devices")) {
            throw new IllegalArgumentException("no data named '" + what + "' on " + LABEL + " (devices)");
        }
        List<Object> out = new ArrayList<>();
        for (DeviceInfo d : assignment.devices()) {
            out.add(map("id", d.id(), "teeType", d.teeType(), "mode", d.mode(), "modes", d.modes(), "confidential",
                    d.confidential(), "guest", d.guest().orElse(null), "properties", d.properties()));
        }
        return map("devices", out, "guests", hypervisor.guests().stream().filter(g -> g.state()
                == GuestState.RUNNING).map(g -> g.config().name()).toList());
    }

    @Override
    Object act(String action, JsonObject body) {
        String device = string(body, "device");
        switch (action) {
            case "attach" -> assignment.attach(string(body, "guest"), device);
            case "detach" -> assignment.detach(string(body, "guest"), device);
            case "mode" -> {
                DeviceInfo d = assignment.devices().stream().filter(x -> x.id().equals(device)).findFirst()
                        .orElseThrow(() -> new IllegalArgumentException("no device '" + device + "'"));
                DeviceTee tee = tees.get(d.teeType());
                if (tee == null) {
                    throw new IllegalStateException("the " + d.teeType() + " backend of " + device + " is away");
                }
                tee.setMode(device, string(body, "mode"));
            }
            default -> throw new IllegalArgumentException("no action named '" + action + "' on " + LABEL
                    + " (attach, detach, mode)");
        }
        return read("devices", null);
    }
}
