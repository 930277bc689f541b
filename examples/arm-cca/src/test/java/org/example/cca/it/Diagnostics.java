package org.example.cca.it;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** What a failing test says about the backend's bundle and components. */
final class Diagnostics {

    private Diagnostics() {
    }

    static String describe(BundleContext context) {
        StringBuilder b = new StringBuilder();
        for (Bundle x : context.getBundles()) {
            if ("org.example.cca".equals(x.getSymbolicName())) {
                b.append("bundle ").append(x.getBundleId()).append(" state ").append(x.getState()).append("; ");

            }
        }
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        if (ref != null) {
            ServiceComponentRuntime scr = context.getService(ref);
            for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                if (d.name.startsWith("org.example")) {
                    for (ComponentConfigurationDTO c : scr.getComponentConfigurationDTOs(d)) {
                        b.append(d.name).append(" state ").append(c.state).append(c.failure == null ? ""
                                : " failure " + c.failure.lines().limit(6).reduce("", (x, y) -> x + " | " + y))
                                .append("; ");
                    }
                }
            }
        }
        return b.toString();
    }
}
