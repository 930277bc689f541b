package io.teebox.hypervisor.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestPage;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.hypervisor.VcpuView;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * The untrusted host's side of a guest: what it reads and writes of guest memory and vCPU state, the remaps it
 * makes, with the outcome each TEE gives them; and the vendor host extensions, checked for the guest's state.
 */
final class HostView {

    private final Guests guests;

    HostView(Guests guests) {
        this.guests = guests;
    }

    <T> Optional<T> hostExtension(String ref, Class<T> type) {
        Objects.requireNonNull(type, "type");
        Guest g = guests.find(ref);
        Function<GuestSide, Optional<T>> lookup = s -> s.b.services() == null ? Optional.empty()
                : s.b.services().hostExtension(type, s);
        if (asHost(g, "use " + type.getSimpleName(), lookup).isEmpty()) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        T proxy = (T) java.lang.reflect.Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> {
                    if (m.getDeclaringClass() == Object.class) {
                        return m.getName().equals("toString") ? type.getSimpleName() + " of guest " + g.config.name()
                                : m.getName().equals("hashCode") ? System.identityHashCode(p) : p == args[0];
                    }
                    return asHost(g, "use " + type.getSimpleName(), s -> GuestContextImpl.invoke(lookup.apply(s)
                            .orElseThrow(() -> new IllegalStateException("backend " + s.b.type()
                                    + " no longer offers " + type.getName())), m, args));
                });
        return Optional.of(proxy);
    }

    /** Runs a host-side vendor action: the guest must be launched, not terminated, and its backend present. */
    private <R> R asHost(Guest g, String action, Function<GuestSide, R> body) {
        synchronized (g) {
            if (g.handle == 0 || g.state == GuestState.TERMINATED || g.state == GuestState.LAUNCHING) {
                throw new TeeException(FirmwareStatus.INVALID_GUEST_STATE, "guest " + g.config.name() + " is "
                        + g.state + (g.handle == 0 ? " with no firmware context" : "") + "; the host cannot "
                        + action + " on it");
            }
            return body.apply(new GuestSide(g, guests.backends().require(g.config.teeType())));
        }
    }

    /**
     * The resident pages with the firmware's state of each: asked of the backend while the guest is launched, not
     * terminated and its backend present (running or paused: the firmware's table outlives a pause); otherwise the
     * states are empty.
     */
    List<GuestPage> pages(String ref) {
        Guest g = guests.find(ref);
        synchronized (g) {
            Map<Long, String> states = Map.of();
            Backend b = guests.backends().present(g.config.teeType());
            // a guest paused while its backend was away waits to be resumed by the returning backend: until then
            // that backend may not know its handle
            boolean launched = g.handle != 0 && (g.state == GuestState.RUNNING || g.state == GuestState.PAUSED)
                    && !g.awaitingBackend;
            if (launched && b != null && b.services() != null) {
                states = b.services().pageStates(new GuestSide(g, b));
            }
            List<GuestPage> out = new ArrayList<>(g.memory.residentPages());
            for (Map.Entry<Long, GuestPages.Page> e : g.memory.view().entrySet()) {
                GuestPages.Page p = e.getValue();
                String state = states.get(e.getKey());
                out.add(new GuestPage(e.getKey(), p.hpa, p.priv, p.shared, state == null ? "" : state));
            }
            return out;
        }
    }

    HostAccessOutcome remap(String ref, long first, long second) {
        Guest g = guests.find(ref);
        synchronized (g) {
            g.memory.checkPageAligned(first);
            g.memory.checkPageAligned(second);
            if (first == second) {
                throw new IllegalArgumentException("remap needs two different pages");
            }
            if (g.state == GuestState.CREATED || g.state == GuestState.TERMINATED) {
                throw new IllegalStateException("guest " + g.config.name() + " is " + g.state);
            }
            HostAccessOutcome outcome = guests.backends().require(g.config.teeType()).memory()
                    .hostAccess(HostAccess.REMAP);
            if (outcome.effect() != HostAccessOutcome.Effect.HOST_FAULT) {
                g.memory.swap(first, second);
            }
            return outcome;
        }
    }

    byte[] read(String ref, long gpa, int length) {
        GuestSide.checkLength(length);
        Guest g = guests.find(ref);
        synchronized (g) {
            g.memory.checkRange(gpa, length);
            boolean fixed = g.state != GuestState.CREATED && readRule(g) == HostAccessOutcome.Effect.FIXED_DATA;
            byte[] out = new byte[length];
            GuestSide.forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
                GuestPages.Page p = g.memory.peek(pageGpa);
                if (p != null && !(fixed && p.priv)) {
                    System.arraycopy(p.raw, inPage, out, off, n);
                }
            });
            return out;
        }
    }

    HostAccessOutcome write(String ref, long gpa, byte[] data) {
        GuestSide.checkLength(data.length);
        Guest g = guests.find(ref);
        synchronized (g) {
            g.memory.checkRange(gpa, data.length);
            if (g.state == GuestState.TERMINATED) {
                throw new IllegalStateException("guest " + g.config.name() + " is TERMINATED; its memory is gone");
            }
            HostAccessOutcome privateOutcome = null;
            if (g.state != GuestState.CREATED && touchesPrivate(g, gpa, data.length)) {
                privateOutcome = guests.backends().require(g.config.teeType()).memory().hostAccess(HostAccess.WRITE);
                if (privateOutcome.effect() == HostAccessOutcome.Effect.HOST_FAULT) {
                    return privateOutcome;
                }
            }
            GuestSide.forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
                GuestPages.Page p = g.memory.page(pageGpa);
                System.arraycopy(data, off, p.raw, inPage, n);
            });
            if (privateOutcome != null) {
                return privateOutcome;
            }
            return new HostAccessOutcome(HostAccessOutcome.Effect.UNDETECTED, g.state == GuestState.CREATED
                    ? "the guest is not launched: the host writes plaintext that a launch would measure"
                    : "the page is not private to the guest: host writes are allowed");
        }
    }

    /**
     * What a host read of the guest's private pages yields, as the backend declares it; the memory controller keeps
     * its rule while the backend's bundle is away, so the last declared rule is kept with the guest.
     */
    private HostAccessOutcome.Effect readRule(Guest g) {
        Backend b = guests.backends().present(g.config.teeType());
        if (b != null) {
            g.hostReadRule = b.memory().hostAccess(HostAccess.READ).effect();
        }
        return g.hostReadRule;
    }

    private static boolean touchesPrivate(Guest g, long gpa, int length) {
        boolean[] any = new boolean[1];
        GuestSide.forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
            GuestPages.Page p = g.memory.peek(pageGpa);
            any[0] |= p != null && p.priv;
        });
        return any[0];
    }

    VcpuView vcpu(String ref, int vcpu) {
        Guest g = guests.find(ref);
        synchronized (g) {
            if (vcpu < 0 || vcpu >= g.vcpus.length) {
                throw new IllegalArgumentException("vCPU " + vcpu + " does not exist; guest " + g.config.name()
                        + " has vCPUs 0.." + (g.vcpus.length - 1));
            }
            Vcpu v = g.vcpus[vcpu];
            Backend b = guests.backends().present(g.config.teeType());
            Map<String, Long> registers = b == null || g.handle == 0 && !hasSaveArea(v) ? Map.of()
                    : b.exits().registers(v.saveArea.clone(), v.encrypted);
            return new VcpuView(vcpu, v.encrypted, v.saveArea, registers);
        }
    }

    private static boolean hasSaveArea(Vcpu v) {
        for (byte x : v.saveArea) {
            if (x != 0) {
                return true;
            }
        }
        return false;
    }

    List<ExitTrace> exits(String ref) {
        Guest g = guests.find(ref);
        synchronized (g) {
            return List.copyOf(g.exits);
        }
    }
}
