package io.teebox.api.guest;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeException;

/**
 * How a guest acts, whatever its TEE, obtained from {@link io.teebox.api.hypervisor.Hypervisor#context(String)}.
 * Every method first checks that the guest runs and otherwise throws a {@link TeeException} with
 * {@link io.teebox.api.tee.FirmwareStatus#INVALID_GUEST_STATE} naming the state; vendor guest calls obtained through
 * {@link #extension(Class)} are checked the same way on every call. Calls on one guest are serialized, as one vCPU
 * at a time would make them.
 */
@ProviderType
public interface GuestContext {

    /** @return the guest's name */
    String guest();

    /**
     * Reads guest memory as the guest does, through its key (shared pages as plaintext).
     *
     * @param guestPhysicalAddress start address
     * @param length bytes, at most 1 MiB
     * @return the plaintext
     * @throws TeeException the TEE's answer to the access (SNP #VC, TDX #VE, a TD killed on a MAC failure)
     * @throws IllegalArgumentException for a range outside guest memory
     */
    byte[] read(long guestPhysicalAddress, int length);

    /**
     * Writes guest memory as the guest does, through its key.
     *
     * @param guestPhysicalAddress start address
     * @param data bytes, at most 1 MiB
     */
    void write(long guestPhysicalAddress, byte[] data);

    /**
     * Validates (accepts) or rescinds a private page: SNP PVALIDATE, TDX TDG.MEM.PAGE.ACCEPT.
     *
     * @param guestPhysicalAddress a page-aligned address
     * @param accept true to validate, false to rescind
     * @return the instruction's return code (0 success; the backend names others)
     */
    long accept(long guestPhysicalAddress, boolean accept);

    /**
     * Converts a page between private and shared (the C-bit on AMD, the shared GPA bit on TDX); the stored bytes
     * are not changed.
     *
     * @param guestPhysicalAddress a page-aligned address
     * @param shared true to share it with the host
     */
    void share(long guestPhysicalAddress, boolean shared);

    /**
     * Executes an instruction the host intercepts; the TEE's exit protocol carries it to the host and back.
     *
     * @param vcpu the vCPU index
     * @param instruction the instruction
     * @return what the host saw and what the guest got
     */
    ExitTrace execute(int vcpu, GuestInstruction instruction);

    /** @return the guest's runtime measurement registers (TDX RTMRs, ...); none on TEEs that have none */
    RuntimeMeasurements measurements();

    /**
     * Asks the guest's TEE for evidence binding the given report data.
     *
     * @param reportData the data to bind; its length is the vendor's (SEV MNONCE 16 bytes, SNP and TDX up to 64)
     * @return the evidence in the vendor's format
     * @throws TeeException if the TEE has no attestation or refuses
     */
    Evidence evidence(Bytes reportData);

    /**
     * A vendor's guest interface bound to this guest, for what no vendor-neutral call covers (a vendor's guest
     * instructions and firmware requests). The returned object checks the guest's state on every call.
     *
     * @param type the vendor's interface, exported by its bundle
     * @param <T> the interface
     * @return the interface, or empty if the guest's backend offers none of that type
     */
    <T> Optional<T> extension(Class<T> type);
}
