package io.teebox.nvidia.shell.internal;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceAttester;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeType;
import io.teebox.nvidia.h100.GpuDriver;
import io.teebox.nvidia.rim.NvidiaServices;

/**
 * The GPU drivers inside the guests: one per guest and GPU it holds, opened on first use and connected (the SPDM
 * session) when first needed, as a CVM's NVIDIA driver does at load. A driver whose GPU was reset (detached and
 * attached again, or its bundle updated) reconnects. Between each driver and its GPU stands the host's
 * {@link HostRelay}, which relays every message and submission and can tamper with or replay them.
 * <p>
 * Also the guests' side of GPU attestation for attestation tools ({@link DeviceAttester}, {@code tee.type=h100}).
 */
@Component(service = {GuestDrivers.class, DeviceAttester.class}, property = TeeType.PROPERTY + "=h100")
public final class GuestDrivers implements DeviceAttester {

    /** Pages of each guest's bounce buffer, at the top of its RAM. */
    static final int BOUNCE_PAGES = 64;

    private record Key(String guest, String device) {
    }

    /** A driver and the host's relay it talks through. */
    record Open(GpuDriver driver, HostRelay relay, long bounceGpa) {
    }

    private final Hypervisor hypervisor;
    private final DeviceAssignment assignment;
    private final NvidiaServices nvidia;
    private final Map<Key, Open> open = new HashMap<>();

    /**
     * @param hypervisor the guests
     * @param assignment the devices they hold
     * @param nvidia NVIDIA's services, for the device root the driver authenticates the GPU with
     */
    @Activate
    public GuestDrivers(@Reference Hypervisor hypervisor, @Reference DeviceAssignment assignment,
            @Reference NvidiaServices nvidia) {
        this.hypervisor = hypervisor;
        this.assignment = assignment;
        this.nvidia = nvidia;
    }

    @Deactivate
    synchronized void deactivate() {
        open.values().forEach(o -> o.driver().close());
        open.clear();
    }

    /**
     * @param guest a guest
     * @param device a GPU it holds
     * @return its driver, connected
     */
    synchronized Open connected(String guest, String device) {
        Open o = opened(guest, device);
        if (!o.driver().connected()) {
            o.driver().connect();
        }
        return o;
    }

    /**
     * Runs a driver call on a connected driver; if the GPU was reset since the driver connected (detached and
     * attached again, its firmware updated), the driver connects again, as a guest's driver does after a GPU reset,
     * and the call runs once more.
     *
     * @param guest a guest
     * @param device a GPU it holds
     * @param call the call
     * @param <T> what it returns
     * @return what it returned, whether the driver had to connect again, and the driver
     */
    synchronized <T> Result<T> withSession(String guest, String device, java.util.function.Function<Open, T> call) {
        Open o = connected(guest, device);
        try {
            return new Result<>(call.apply(o), false, o);
        } catch (GpuDriver.GpuReset e) {
            o.driver().connect();
            return new Result<>(call.apply(o), true, o);
        }
    }

    /**
     * @param value what a driver call returned
     * @param reconnected whether the driver established a new session first (the GPU had been reset)
     * @param driver the driver and the host's relay it talks through
     * @param <T> the value's type
     */
    record Result<T>(T value, boolean reconnected, Open driver) {
    }

    /**
     * @param guest a guest
     * @param device a GPU it holds
     * @return its driver, opened (not necessarily connected)
     */
    synchronized Open opened(String guest, String device) {
        String name = hypervisor.guest(guest).config().name();
        Key k = new Key(name, device);
        Open o = open.get(k);
        GuestDevice gpu = assignment.device(name, device);
        if (o != null) {
            // the hypervisor's relay finds the device's backend at each call, so a driver survives the GPU's reset
            // (its bundle updated): its next call fails and it connects again
            return o;
        }
        long memory = hypervisor.guest(name).config().memoryBytes();
        long bounce = memory - (long) BOUNCE_PAGES * 4096;
        HostRelay relay = new HostRelay(hypervisor, gpu);
        GpuDriver d = GpuDriver.open(hypervisor.context(name), relay, nvidia.deviceRoot(), bounce, BOUNCE_PAGES);
        o = new Open(d, relay, bounce);
        open.put(k, o);
        return o;
    }

    /** Forgets a guest's driver of a device (after a detach). */
    synchronized void closed(String guest, String device) {
        Open o = open.remove(new Key(hypervisor.guest(guest).config().name(), device));
        if (o != null) {
            o.driver().close();
        }
    }

    @Override
    public int nonceLength() {
        return 32;
    }

    @Override
    public Evidence evidence(String guest, String device, Bytes nonce) {
        Objects.requireNonNull(nonce, "nonce");
        if (nonce.length() != 32) {
            throw new IllegalArgumentException("the GPU's SPDM nonce is 32 bytes, got " + nonce.length());
        }
        return withSession(guest, device, o -> o.driver().evidence(nonce.value())).value();
    }
}
