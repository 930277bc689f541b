package io.teebox.spi.guest;

import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.guest.RuntimeMeasurements;

/**
 * What a backend offers a running guest beyond memory and exits, registered with the {@code tee.type} service
 * property. The hypervisor calls it only while the guest runs (host extensions and page states: while it is
 * launched and not terminated) and wraps what it returns so that later calls are checked the same way.
 */
@ConsumerType
public interface GuestServices {

    /**
     * @param guest the guest
     * @return its runtime measurement registers; {@link RuntimeMeasurements#NONE} if the TEE has none
     */
    default RuntimeMeasurements measurements(GuestAccess guest) {
        return RuntimeMeasurements.NONE;
    }

    /**
     * A vendor guest interface bound to the guest.
     *
     * @param type the vendor's interface
     * @param guest the guest
     * @param <T> the interface
     * @return an implementation, or empty if this backend has none of that type
     */
    default <T> Optional<T> extension(Class<T> type, GuestAccess guest) {
        return Optional.empty();
    }

    /**
     * A vendor host interface for the guest (host-side commands such as TDX's TDH.MEM.PAGE.AUG), callable while
     * the guest is launched and not terminated.
     *
     * @param type the vendor's interface
     * @param guest the guest (its memory and save areas as the host holds them)
     * @param <T> the interface
     * @return an implementation, or empty
     */
    default <T> Optional<T> hostExtension(Class<T> type, GuestAccess guest) {
        return Optional.empty();
    }

    /**
     * The firmware's per-page state of the guest, for the host's memory map: one line per page its TEE keeps a
     * per-page table for (the SEV-SNP RMP entry of the host page behind the address, the TDX Secure-EPT state). The
     * hypervisor calls it for a launched guest that is not terminated while this backend is present, whether the
     * guest runs or is paused.
     *
     * @param guest the guest (its resident pages as the host maps them: {@link GuestAccess#residentPages()})
     * @return one-line states keyed by page-aligned guest physical address; empty if the TEE keeps no per-page table
     */
    default java.util.Map<Long, String> pageStates(GuestAccess guest) {
        return java.util.Map.of();
    }
}
