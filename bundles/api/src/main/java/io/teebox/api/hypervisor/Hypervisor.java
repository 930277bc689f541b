package io.teebox.api.hypervisor;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.attestation.Evidence;
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
     * Reads guest memory as the guest does, through its key.
     *
     * @param guest id or name of a running guest
     * @param guestPhysicalAddress start address
     * @param length bytes, at most 1 MiB
     * @return the plaintext
     */
    byte[] guestRead(String guest, long guestPhysicalAddress, int length);

    /**
     * Writes guest memory as the guest does, through its key.
     *
     * @param guest id or name of a running guest
     * @param guestPhysicalAddress start address
     * @param data bytes, at most 1 MiB
     */
    void guestWrite(String guest, long guestPhysicalAddress, byte[] data);

    /**
     * Converts a guest page between private (encrypted under the guest key) and shared (plaintext the host may read
     * and write, as for a GHCB or an I/O bounce buffer), as the guest does by changing its page tables (the C-bit on
     * AMD, the shared GPA bit on TDX). The stored bytes are not changed: a page made shared shows the guest its old
     * ciphertext, a page made private decrypts whatever the host left there, so a guest clears a page after
     * converting it.
     *
     * @param guest id or name of a running guest
     * @param guestPhysicalAddress a page-aligned address
     * @param shared true to share the page with the host, false to make it private again
     */
    void setPageShared(String guest, long guestPhysicalAddress, boolean shared);

    /**
     * The guest validates (accepts) or rescinds a private page: SNP PVALIDATE, TDX TDG.MEM.PAGE.ACCEPT. A page the
     * guest has never used is first handed to it by the host (SNP RMPUPDATE).
     *
     * @param guest id or name of a running guest
     * @param guestPhysicalAddress a page-aligned address
     * @param accept true to validate, false to rescind
     * @return the instruction's return code (0 success)
     */
    int acceptPage(String guest, long guestPhysicalAddress, boolean accept);

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
     * Reads guest memory as the host sees it: the stored bytes, ciphertext for private pages.
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
     * @param guest id or name
     * @param vcpu the vCPU index
     * @return the vCPU's save area as the host sees it
     */
    VcpuView hostVcpu(String guest, int vcpu);

    /**
     * The guest executes an instruction the hypervisor intercepts (CPUID, IN/OUT, RDMSR/WRMSR, MMIO). On a TEE
     * without register encryption the exit is automatic and the host reads the whole save area; with register
     * encryption the guest takes #VC and hands the host only what the exit needs through its GHCB, registering a
     * GHCB page with the GHCB MSR protocol first if it has none.
     *
     * @param guest id or name of a running guest
     * @param vcpu the vCPU index
     * @param instruction the instruction
     * @return the trace of the exit: what the host saw, what the guest got
     * @throws IllegalArgumentException for a malformed instruction (unknown size, bad port)
     */
    ExitTrace execute(String guest, int vcpu, GuestInstruction instruction);

    /**
     * The guest writes the GHCB MSR (0xC001_0130) and executes VMGEXIT: the GHCB MSR protocol (SEV information,
     * CPUID, GHCB GPA registration, hypervisor features, termination).
     *
     * @param guest id or name of a running guest with register encryption
     * @param vcpu the vCPU index
     * @param request the value written to the MSR
     * @return the value the hypervisor leaves in the MSR
     */
    long ghcbMsr(String guest, int vcpu, long request);

    /**
     * The guest executes VMGEXIT with whatever its registered GHCB page holds, as a #VC handler does after filling
     * it. A malformed GHCB is answered with an error in SW_EXITINFO1/2 and the guest keeps running.
     *
     * @param guest id or name of a running guest with register encryption
     * @param vcpu the vCPU index
     * @return the trace of the exit
     */
    ExitTrace vmgexit(String guest, int vcpu);

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

    /**
     * Asks the guest's TEE for evidence with the given report data.
     *
     * @param guest id or name of a running guest
     * @param reportData the data to bind
     * @return the evidence
     * @throws TeeException if the backend has no attestation or refuses
     */
    Evidence attest(String guest, byte[] reportData);
}
