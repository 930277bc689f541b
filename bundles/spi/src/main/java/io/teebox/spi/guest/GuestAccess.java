package io.teebox.spi.guest;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.memory.KeySlot;

/**
 * The hypervisor's handle on one launched guest, handed to backend code that acts for the guest (exit protocols,
 * vendor guest interfaces). It is valid only during the call it is passed to, which the hypervisor makes with the
 * guest's monitor held and only while the guest runs (host-side calls, such as host extensions and page states: while
 * it is launched and not terminated, paused included).
 */
@ProviderType
public interface GuestAccess {

    /** @return the guest's name */
    String name();

    /** @return what the guest was created with */
    GuestConfig config();

    /** @return the firmware's handle for the guest */
    long handle();

    /** @return the key slot its memory is encrypted under */
    KeySlot keySlot();

    /** @return the host pages and save areas as the firmware reaches them */
    GuestMemory memory();

    /**
     * The pages backed by host memory now, as the host's nested page tables map them; unlike
     * {@link GuestMemory#hostPhysicalAddress(long)} it assigns no page.
     *
     * @return page-aligned guest physical address to the host physical address backing it, in address order
     */
    java.util.SortedMap<Long, Long> residentPages();

    /**
     * @param guestPhysicalAddress start
     * @param length bytes
     * @return the bytes as the guest reads them (through its key for private pages)
     */
    byte[] read(long guestPhysicalAddress, int length);

    /**
     * @param guestPhysicalAddress start
     * @param data bytes the guest writes (through its key for private pages)
     */
    void write(long guestPhysicalAddress, byte[] data);

    /**
     * @param guestPhysicalAddress a page address
     * @param shared true to make the page shared with the host, false private
     */
    void share(long guestPhysicalAddress, boolean shared);

    /**
     * The host carries out a page-state change the guest asked for through its TEE's protocol: the page is handed
     * to the guest's private memory (SNP RMPUPDATE to guest-owned) or taken back as shared.
     *
     * @param guestPhysicalAddress a page address
     * @param toPrivate true to make the page private, false shared
     */
    void convert(long guestPhysicalAddress, boolean toPrivate);

    /**
     * @param guestPhysicalAddress a page address
     * @return whether the guest mapped the page shared
     */
    boolean isShared(long guestPhysicalAddress);

    /**
     * @param guestPhysicalAddress start
     * @param length bytes
     * @return the stored bytes as the host reads them (plaintext only for shared pages)
     */
    byte[] hostRead(long guestPhysicalAddress, int length);

    /**
     * The host writes a shared page (a GHCB's answer, a bounce buffer).
     *
     * @param guestPhysicalAddress start, in a shared page
     * @param data bytes
     * @throws IllegalStateException if a page in the range is private
     */
    void hostWrite(long guestPhysicalAddress, byte[] data);

    /**
     * @param vcpu a vCPU index
     * @return its save area as stored
     */
    byte[] saveArea(int vcpu);

    /**
     * @param vcpu a vCPU index
     * @return whether its save area is encrypted
     */
    boolean saveAreaEncrypted(int vcpu);

    /**
     * @param vcpu a vCPU index
     * @param saveArea the new save area
     */
    void saveArea(int vcpu, byte[] saveArea);

    /**
     * Per-vCPU state an exit protocol keeps for the guest (for example the GPA of a registered GHCB), kept with the
     * guest across backend swaps.
     *
     * @param vcpu a vCPU index
     * @return the mutable state map of that vCPU
     */
    Map<String, Long> protocolState(int vcpu);

    /**
     * The host VMM's device model answers an intercepted instruction: CPUID through the backend's exit protocol,
     * I/O ports (a serial port at 0x3F8), MSRs and MMIO registers it emulates.
     *
     * @param instruction the decoded instruction
     * @return the registers the host sets (rax, rbx, rcx, rdx), or {@code data} for an MMIO read
     */
    Map<String, Long> emulate(GuestInstruction instruction);

    /**
     * Records an exit in the guest's exit log.
     *
     * @param vcpu the vCPU
     * @param instruction the instruction, or null for a protocol message that carries none
     * @param path how it crossed, for example {@code "#VE -> TDG.VP.VMCALL"}
     * @param exitCode the exit code in the protocol's numbering
     * @param hostSaw what the host could read
     * @param result what the guest got back
     * @return the trace
     */
    ExitTrace record(int vcpu, GuestInstruction instruction, String path, long exitCode, Map<String, Long> hostSaw,
            Map<String, Long> result);

    /**
     * The guest (or its TEE on its behalf) ends the guest.
     *
     * @param reason why, shown as the guest's note
     */
    void terminate(String reason);
}
