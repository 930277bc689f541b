package io.teebox.amd.guest;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.launch.LaunchSession;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.GuestImageLoader;
import io.teebox.spi.loader.LaunchStaging;

/**
 * Everything an AMD backend tells the hypervisor about its guests, in one service object: its OVMF loader, its exit
 * protocol and its guest services (vendor guest interfaces). Each backend bundle registers a subclass as a DS
 * component with its {@code tee.type} and the three service interfaces.
 */
public abstract class AmdGuestInterface implements GuestImageLoader, ExitProtocol, GuestServices {

    private final GuestImageLoader loader;
    private final ExitProtocol exits;
    private final Map<Class<?>, Function<GuestAccess, ?>> extensions = new LinkedHashMap<>();

    /**
     * @param loader the image loader
     * @param exits the exit protocol
     */
    protected AmdGuestInterface(GuestImageLoader loader, ExitProtocol exits) {
        this.loader = loader;
        this.exits = exits;
        if (exits instanceof GhcbExits ghcb) {
            extension(GhcbGuest.class, ghcb::guestInterface);
        }
    }

    /**
     * Offers a vendor guest interface.
     *
     * @param type the interface
     * @param binding binds an implementation to a guest for the length of one call
     * @param <T> the interface
     */
    protected final <T> void extension(Class<T> type, Function<GuestAccess, ? extends T> binding) {
        extensions.put(type, binding);
    }

    @Override
    public final void check(GuestImage image, GuestConfig config) {
        loader.check(image, config);
    }

    @Override
    public final void load(GuestImage image, LaunchSession session, LaunchStaging staging) {
        loader.load(image, session, staging);
    }

    @Override
    public final Map<String, String> describe(byte[] firmware) {
        return loader.describe(firmware);
    }

    @Override
    public final String name() {
        return exits.name();
    }

    @Override
    public final ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction instruction) {
        return exits.execute(guest, vcpu, instruction);
    }

    @Override
    public final long[] cpuid(GuestAccess guest, long leaf, long subleaf) {
        return exits.cpuid(guest, leaf, subleaf);
    }

    @Override
    public final Map<String, Long> registers(byte[] saveArea, boolean encrypted) {
        return exits.registers(saveArea, encrypted);
    }

    @Override
    public RuntimeMeasurements measurements(GuestAccess guest) {
        return RuntimeMeasurements.NONE;
    }

    @Override
    public final <T> Optional<T> extension(Class<T> type, GuestAccess guest) {
        Function<GuestAccess, ?> binding = extensions.get(type);
        return binding == null ? Optional.empty() : Optional.of(type.cast(binding.apply(guest)));
    }
}
