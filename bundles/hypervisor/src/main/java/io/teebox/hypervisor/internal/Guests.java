package io.teebox.hypervisor.internal;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInfo;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.tee.LaunchDefaults;

/**
 * The guests and their lifecycle: created, launching, running, paused (by the operator, or while their backend is
 * away), terminated; destroying one frees its firmware context, key slot and host pages.
 */
final class Guests implements BackendRegistry.Listener {

    private final Map<String, Guest> guests = new LinkedHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final HostMemory host;
    private final BackendRegistry backends;
    private volatile int maxGuests;

    Guests(HostMemory host, int maxGuests) {
        this.host = host;
        this.maxGuests = maxGuests;
        this.backends = new BackendRegistry(this);
    }

    /** @return the backends the guests run on */
    BackendRegistry backends() {
        return backends;
    }

    void setMaxGuests(int max) {
        this.maxGuests = max;
    }

    synchronized List<Guest> snapshot() {
        return new ArrayList<>(guests.values());
    }

    /**
     * @param ref a guest's id or name
     * @return the guest
     * @throws IllegalArgumentException if there is none, listing those there are
     */
    synchronized Guest find(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("no guest named: give a guest id or name");
        }
        Guest g = guests.get(ref);
        if (g != null) {
            return g;
        }
        for (Guest candidate : guests.values()) {
            if (candidate.matches(ref)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("no guest '" + ref + "'; guests: "
                + guests.values().stream().map(x -> x.id + "/" + x.config.name()).toList());
    }

    GuestInfo create(GuestConfig config) {
        backends.await(config.teeType());
        Backend b = backends.require(config.teeType());
        LaunchDefaults defaults = b.tee().descriptor().defaults();
        if (!defaults.allows(config.vcpuType())) {
            throw new IllegalArgumentException("vCPU model '" + config.vcpuType() + "' is not one the "
                    + config.teeType() + " backend runs; it runs: " + String.join(", ", defaults.vcpuModels()));
        }
        synchronized (this) {
            for (Guest g : guests.values()) {
                if (g.config.name().equals(config.name())) {
                    throw new IllegalArgumentException("a guest named '" + config.name() + "' exists already ("
                            + g.id + ", " + g.state + ")");
                }
            }
            if (guests.size() >= maxGuests) {
                throw new IllegalStateException("guest limit reached: " + maxGuests
                        + " guests exist; destroy one or raise maxGuests in io.teebox.hypervisor");
            }
            String id = "g" + nextId.getAndIncrement();
            Guest g = new Guest(id, config, host);
            guests.put(id, g);
            return g.info();
        }
    }

    GuestStatus firmwareStatus(String ref) {
        Guest g = find(ref);
        synchronized (g) {
            if (g.handle == 0) {
                throw new IllegalStateException("guest " + g.config.name() + " has no firmware context (state "
                        + g.state + ")");
            }
            return backends.require(g.config.teeType()).launch().status(g.handle);
        }
    }

    void pause(String ref) {
        Guest g = find(ref);
        synchronized (g) {
            require(g, GuestState.RUNNING, "paused");
            g.state = GuestState.PAUSED;
            g.note = "paused by the operator";
        }
    }

    void resume(String ref) {
        Guest g = find(ref);
        synchronized (g) {
            require(g, GuestState.PAUSED, "resumed");
            backends.require(g.config.teeType()).launch().status(g.handle);
            g.state = GuestState.RUNNING;
            g.awaitingBackend = false;
            g.note = "";
        }
    }

    void destroy(String ref) {
        Guest g = find(ref);
        synchronized (g) {
            if (g.state == GuestState.LAUNCHING) {
                throw new IllegalStateException("guest " + g.config.name() + " is LAUNCHING; destroy it after the "
                        + "launch returns");
            }
            // Also for a guest the TEE terminated (a TD killed by a MAC failure, a guest that asked to terminate):
            // its firmware context still holds a key slot until it is decommissioned.
            teardown(g);
            g.state = GuestState.TERMINATED;
        }
        synchronized (this) {
            guests.remove(g.id);
        }
    }

    /** Frees the guest's firmware context (now, or when its backend is back) and its memory. */
    void teardown(Guest g) {
        if (g.handle != 0) {
            backends.decommission(g.config.teeType(), g.handle);
        }
        g.handle = 0;
        g.slot = null;
        releaseMemory(g);
    }

    private static void releaseMemory(Guest g) {
        g.memory.releaseAll();
        for (Vcpu v : g.vcpus) {
            v.saveArea = new byte[GuestPages.PAGE_SIZE];
            v.encrypted = false;
        }
    }

    private static void require(Guest g, GuestState wanted, String verb) {
        if (g.state != wanted) {
            throw new IllegalStateException("guest " + g.config.name() + " is " + g.state + "; only a " + wanted
                    + " guest can be " + verb);
        }
    }

    @Override
    public void lost(String type) {
        for (Guest g : snapshot()) {
            synchronized (g) {
                if (g.config.teeType().equals(type)
                        && (g.state == GuestState.RUNNING || g.state == GuestState.PAUSED)) {
                    if (g.state == GuestState.RUNNING) {
                        g.state = GuestState.PAUSED;
                        g.awaitingBackend = true;
                    }
                    g.note = "backend " + type + " went away (stopped or being updated); encrypted state kept";
                }
            }
        }
    }

    @Override
    public void back(Backend b) {
        for (Guest g : snapshot()) {
            synchronized (g) {
                if (!g.config.teeType().equals(b.type()) || g.state != GuestState.PAUSED) {
                    continue;
                }
                try {
                    // the state alone: a status would gather details (SNP: RMP entries) for every guest
                    String state = b.launch().state(g.handle);
                    // a dated event, not a state: the firmware can change again later (a configuration update)
                    String fw = b.tee().descriptor().firmware() + " at "
                            + Instant.now().truncatedTo(ChronoUnit.SECONDS);
                    if (g.awaitingBackend) {
                        g.state = GuestState.RUNNING;
                        g.awaitingBackend = false;
                        g.note = "resumed on " + b.type() + " firmware " + fw + " (firmware state " + state
                                + ")";
                    } else {
                        g.note = "paused by the operator; backend " + b.type() + " firmware " + fw + " is back";
                    }
                } catch (RuntimeException e) {
                    g.state = GuestState.TERMINATED;
                    g.awaitingBackend = false;
                    g.note = "backend " + b.type() + " returned without this guest's context: " + e.getMessage();
                    g.handle = 0;
                    g.slot = null;
                    releaseMemory(g);
                }
            }
        }
    }
}
