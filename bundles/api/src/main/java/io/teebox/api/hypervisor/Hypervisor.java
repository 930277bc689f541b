package io.teebox.api.hypervisor;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.guest.GuestContext;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.Measurement;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.TeeException;

/**
 * The untrusted host. It owns guests and their memory, stored only as the ciphertext their backend produced, and
 * binds whichever TEE backends are present. When a backend goes away its guests pause with their encrypted state
 * kept; when a backend of the same type returns they resume.
 *
 * <p>Methods taking a guest accept its id or its name. Bad arguments throw {@link IllegalArgumentException} naming
 * the argument; firmware refusals throw {@link TeeException}; the wrong lifecycle state throws
 * {@link IllegalStateException}.
 */
@ProviderType
public interface Hypervisor {

    /** @return the descriptors of the backends present now, ordered by type */
    List<BackendDescriptor> backends();

    /**
     * @param config the guest's configuration
     * @return the new guest, in state {@link GuestState#CREATED}
     * @throws IllegalArgumentException if the name is taken or no backend of that type is present
     */
    GuestInfo create(GuestConfig config);

    /**
     * Launches a created guest: loads the firmware (and kernel hashes), drives the backend's launch with the
     * owner's parameters, hands the measurement to the owner and injects the secrets it releases.
     *
     * @param guest id or name
     * @param plan what to load
     * @param owner the guest owner's side of the launch
     * @return the result
     * @throws TeeException if the firmware refuses a command; the guest is then terminated
     * @throws LaunchRejectedException if the owner rejects the measurement; the guest is then terminated
     */
    LaunchResult launch(String guest, LaunchPlan plan, LaunchOwner owner);

    /** @return all guests, oldest first */
    List<GuestInfo> guests();

    /**
     * @param guest id or name
     * @return the guest
     * @throws IllegalArgumentException if there is no such guest
     */
    GuestInfo guest(String guest);

    /**
     * @param guest id or name
     * @return the firmware's view of the guest context
     */
    GuestStatus firmwareStatus(String guest);

    /** @param guest id or name of a running guest */
    void pause(String guest);

    /** @param guest id or name of a paused guest whose backend is present */
    void resume(String guest);

    /**
     * Destroys a guest: decommissions its firmware context and frees its memory.
     *
     * @param guest id or name
     */
    void destroy(String guest);

    /**
     * The guest's side: how the guest acts (its memory, page acceptance and sharing, intercepted instructions,
     * runtime measurements, evidence, vendor guest calls). Every call on the returned context checks that the guest
     * runs.
     *
     * @param guest id or name
     * @return the guest's context
     * @throws IllegalArgumentException if there is no such guest
     */
    GuestContext context(String guest);

    /**
     * A vendor host interface for a launched guest (host-side commands no vendor-neutral call covers, such as TDX's
     * TDH.MEM.PAGE.AUG), callable while the guest is launched, not terminated and its backend present.
     *
     * @param guest id or name
     * @param type the vendor's interface
     * @param <T> the interface
     * @return the interface, or empty if the guest's backend offers none of that type
     */
    <T> Optional<T> hostExtension(String guest, Class<T> type);

    /**
     * The host swaps the host pages (and their contents) behind two guest pages, as a malicious hypervisor would
     * remap guest memory; what the guest sees next depends on the TEE.
     *
     * @param guest id or name
     * @param firstGpa a page-aligned address
     * @param secondGpa another page-aligned address
     * @return the TEE's rule for such a remap
     */
    HostAccessOutcome hostRemap(String guest, long firstGpa, long secondGpa);

    /**
     * Reads guest memory as the host's software sees it: the stored bytes, with private pages as the guest's TEE
     * declares for {@link io.teebox.api.memory.HostAccess#READ}: their ciphertext (SEV, SNP) or fixed data (TDX
     * returns zeros to a read without the TD-owner bit).
     *
     * @param guest id or name
     * @param guestPhysicalAddress start address
     * @param length bytes, at most 1 MiB
     * @return the raw bytes
     */
    byte[] hostRead(String guest, long guestPhysicalAddress, int length);

    /**
     * Writes guest memory from the host, with the outcome the TEE gives such a write.
     *
     * @param guest id or name
     * @param guestPhysicalAddress start address
     * @param data bytes, at most 1 MiB
     * @return what the write did
     */
    HostAccessOutcome hostWrite(String guest, long guestPhysicalAddress, byte[] data);

    /**
     * The guest's resident pages as the host maps them, for a memory map: each with its host page, whether it is
     * private (encrypted under the guest's key slot) or shared, and the firmware's per-page state where the TEE keeps
     * such a table (the SEV-SNP RMP, the TDX Secure EPT). Works for launched, running and paused guests; the firmware
     * state is empty for a guest not launched or terminated, or whose backend is away.
     *
     * @param guest id or name
     * @return the resident pages (the firmware flash window included), in guest physical address order
     * @throws IllegalArgumentException if there is no such guest
     */
    List<GuestPage> pages(String guest);

    /**
     * @param guest id or name
     * @param vcpu the vCPU index
     * @return the vCPU's save area as the host sees it
     */
    VcpuView hostVcpu(String guest, int vcpu);

    /**
     * @param guest id or name
     * @return the intercepted exits of the guest, oldest first (at most the last 1000)
     */
    List<ExitTrace> exits(String guest);

    /**
     * @param guest id or name
     * @return the firmware commands of the guest's launch
     */
    List<LaunchLogEntry> launchLog(String guest);

    /**
     * @param guest id or name
     * @return the launch measurement, once measured
     */
    Optional<Measurement> measurement(String guest);
}
