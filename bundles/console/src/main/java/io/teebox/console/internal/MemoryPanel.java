package io.teebox.console.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.apache.felix.webconsole.servlet.ServletConstants;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonObject;

import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestPage;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.memory.HostAccessOutcome;

import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServletRequest;

/**
 * The memory map: a guest's resident pages as a grid coloured by the key slot that encrypts them (ASID, HKID),
 * shared pages apart, each with the firmware's own state for it (RMP entry, Secure-EPT state) where the TEE keeps
 * one; one page as the host reads it (ciphertext) and as the guest does (plaintext); and the host's attacks on a page
 * (a write, a remap) with the outcome the TEE gives them.
 */
@Component(service = Servlet.class, property = {ServletConstants.PLUGIN_LABEL + "=" + MemoryPanel.LABEL,
    ServletConstants.PLUGIN_TITLE + "=Memory map", ServletConstants.PLUGIN_CATEGORY + "=teebox"})
public final class MemoryPanel extends Panel {

    private static final long serialVersionUID = 1L;
    static final String LABEL = "teebox-memory";
    static final int PAGE = 4096;

    private final transient Hypervisor hypervisor;

    /** @param hypervisor the platform's hypervisor */
    @Activate
    public MemoryPanel(@Reference Hypervisor hypervisor) {
        this.hypervisor = hypervisor;
    }

    @Override
    String label() {
        return LABEL;
    }

    @Override
    Object read(String what, HttpServletRequest request) {
        JsonObject q = GuestsPanel.query(request);
        switch (what) {
            case "guests":
                return GuestsPanel.guestList(hypervisor);
            case "pages":
                return pages(string(q, "guest"));
            case "host":
                return host();
            case "page":
                return page(string(q, "guest"), address("gpa", string(q, "gpa")), string(q, "view"));
            default:
                throw new IllegalArgumentException("no data named '" + what + "' on " + LABEL
                        + " (guests, pages?guest=, host, page?guest=&gpa=&view=host|guest)");
        }
    }

    private Map<String, Object> pages(String guest) {
        GuestInfo g = hypervisor.guest(guest);
        List<Object> out = new ArrayList<>();
        for (GuestPage p : hypervisor.pages(guest)) {
            out.add(map("gpa", hex(p.gpa()), "hpa", hex(p.hpa()), "encrypted", p.encrypted(), "shared",
                    p.shared(), "firmwareState", p.firmwareState()));
        }
        return map("guest", GuestsPanel.summary(g), "pages", out);
    }

    /** Every guest's resident pages by host address: whose key encrypts which host page. */
    private Map<String, Object> host() {
        List<Object> out = new ArrayList<>();
        for (GuestInfo g : hypervisor.guests()) {
            if (g.state() == GuestState.TERMINATED || g.state() == GuestState.CREATED) {
                continue;
            }
            for (GuestPage p : hypervisor.pages(g.id())) {
                out.add(map("hpa", hex(p.hpa()), "guest", g.config().name(), "keySlot", p.encrypted()
                        && g.keySlot() != null ? g.keySlot().toString() : null, "shared", p.shared()));
            }
        }
        return map("pages", out);
    }

    private Map<String, Object> page(String guest, long gpa, String view) {
        if ((gpa & (PAGE - 1)) != 0) {
            throw new IllegalArgumentException(String.format("guest physical address 0x%X is not 4 KiB aligned",
                    gpa));
        }
        byte[] b = switch (view) {
            case "host" -> hypervisor.hostRead(guest, gpa, PAGE);
            case "guest" -> hypervisor.context(guest).read(gpa, PAGE);
            default -> throw new IllegalArgumentException("view must be host or guest, got '" + view + "'");
        };
        return map("guest", guest, "gpa", hex(gpa), "view", view, "hex", HexFormat.of().formatHex(b),
                "text", printable(b));
    }

    static String printable(byte[] b) {
        StringBuilder s = new StringBuilder(b.length);
        for (byte x : b) {
            s.append(x >= 0x20 && x < 0x7F ? (char) x : '.');
        }
        return s.toString();
    }

    static byte[] data(String text) {
        if (text.startsWith("hex:")) {
            try {
                return HexFormat.of().parseHex(text.substring(4).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data '" + text + "' is not hex after 'hex:'");
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    Object act(String action, JsonObject body) {
        String guest = string(body, "guest");
        long gpa = address("gpa", string(body, "gpa"));
        switch (action) {
            case "write": {
                HostAccessOutcome o = hypervisor.hostWrite(guest, gpa, data(string(body, "data")));
                return map("effect", o.effect().name(), "explanation", o.explanation(), "state",
                        hypervisor.guest(guest).state().name());
            }
            case "remap": {
                HostAccessOutcome o = hypervisor.hostRemap(guest, gpa, address("other", string(body, "other")));
                return map("effect", o.effect().name(), "explanation", o.explanation(), "state",
                        hypervisor.guest(guest).state().name());
            }
            case "share": {
                boolean shared = !"false".equals(optional(body, "shared"));
                hypervisor.context(guest).share(gpa, shared);
                return map("gpa", hex(gpa), "shared", shared);
            }
            default:
                throw new IllegalArgumentException("no action named '" + action + "' on " + LABEL
                        + " (write, remap, share)");
        }
    }
}
