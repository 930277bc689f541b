package io.teebox.hypervisor.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.EventRecord;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;
import io.teebox.spi.guest.GuestServices;

/**
 * A guest's context: every call takes the guest's monitor, checks that the guest runs and that its backend is
 * present, and only then reaches the backend, so no vendor command acts on a guest that is paused, terminated or
 * whose backend is away. Vendor guest interfaces are proxies that do the same on every call and ask the backend
 * present at that moment (after an update, the new revision) for the implementation.
 */
final class GuestContextImpl implements GuestContext {

    private final Guest g;
    private final HypervisorImpl hv;

    GuestContextImpl(Guest g, HypervisorImpl hv) {
        this.g = g;
        this.hv = hv;
    }

    /** Runs an action as the running guest: the state check and the action under the guest's monitor. */
    <R> R asGuest(String action, Function<GuestSide, R> body) {
        synchronized (g) {
            if (g.state != GuestState.RUNNING) {
                throw new TeeException(FirmwareStatus.INVALID_GUEST_STATE, "guest " + g.config.name() + " is "
                        + g.state + "; it cannot " + action + " until it runs" + (g.note.isEmpty() ? "" : " ("
                        + g.note + ")"));
            }
            return body.apply(new GuestSide(g, hv.backend(g.config.teeType())));
        }
    }

    @Override
    public String guest() {
        return g.config.name();
    }

    @Override
    public byte[] read(long gpa, int length) {
        return asGuest("read its memory", s -> s.read(gpa, length));
    }

    @Override
    public void write(long gpa, byte[] data) {
        Objects.requireNonNull(data, "data");
        asGuest("write its memory", s -> {
            s.write(gpa, data);
            return null;
        });
    }

    @Override
    public long accept(long gpa, boolean accept) {
        return asGuest("validate pages", s -> s.accept(gpa, accept));
    }

    @Override
    public void share(long gpa, boolean shared) {
        asGuest("convert its pages", s -> {
            s.share(gpa, shared);
            return null;
        });
    }

    @Override
    public ExitTrace execute(int vcpu, GuestInstruction instruction) {
        Objects.requireNonNull(instruction, "instruction");
        HostDevices.check(instruction);
        return asGuest("execute instructions", s -> {
            s.vcpu(vcpu);
            return s.b.exits().execute(s, vcpu, instruction);
        });
    }

    @Override
    public RuntimeMeasurements measurements() {
        String kind = asGuest("read its measurement registers", s -> services(s).measurements(s).kind());
        int count = asGuest("read its measurement registers", s -> services(s).measurements(s).count());
        return new RuntimeMeasurements() {
            @Override
            public String kind() {
                return kind;
            }

            @Override
            public int count() {
                return count;
            }

            @Override
            public Bytes read(int index) {
                return asGuest("read its measurement registers", s -> services(s).measurements(s).read(index));
            }

            @Override
            public Bytes extend(int index, Bytes digest, EventRecord event) {
                return asGuest("extend its measurement registers", s -> services(s).measurements(s).extend(index,
                        digest, event));
            }

            @Override
            public List<EventRecord> log() {
                return asGuest("read its event log", s -> services(s).measurements(s).log());
            }
        };
    }

    private static GuestServices services(GuestSide s) {
        GuestServices services = s.b.services();
        return services != null ? services : new GuestServices() {
        };
    }

    @Override
    public Evidence evidence(Bytes reportData) {
        Objects.requireNonNull(reportData, "reportData");
        return asGuest("request evidence", s -> {
            AttestationService a = s.b.attestation();
            if (a == null) {
                throw new IllegalStateException("backend " + s.b.type() + " offers no attestation service");
            }
            return a.attest(g.handle, g.firmwareView, reportData.value());
        });
    }

    @Override
    public <T> Optional<T> extension(Class<T> type) {
        Objects.requireNonNull(type, "type");
        boolean present = asGuest("use " + type.getSimpleName(), s -> services(s).extension(type, s).isPresent());
        if (!present) {
            return Optional.empty();
        }
        return Optional.of(proxy(type, "use " + type.getSimpleName(), s -> services(s).extension(type, s)
                .orElseThrow(() -> new IllegalStateException("backend " + s.b.type() + " no longer offers "
                        + type.getName()))));
    }

    /** A proxy that, on each call, runs as the guest and calls the implementation the backend gives then. */
    @SuppressWarnings("unchecked")
    private <T> T proxy(Class<T> type, String action, Function<GuestSide, T> implementation) {
        if (!type.isInterface()) {
            throw new IllegalArgumentException(type.getName() + " is not an interface");
        }
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "toString" -> type.getSimpleName() + " of guest " + g.config.name();
                    case "hashCode" -> System.identityHashCode(p);
                    case "equals" -> p == args[0];
                    default -> throw new UnsupportedOperationException(m.getName());
                };
            }
            return asGuest(action, s -> invoke(implementation.apply(s), m, args));
        });
    }

    static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
