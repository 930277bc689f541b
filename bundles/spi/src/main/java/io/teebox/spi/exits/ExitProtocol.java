package io.teebox.spi.exits;

import java.util.Map;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.spi.guest.GuestAccess;

/**
 * A TEE's guest-host exit protocol, registered by its backend with the {@code tee.type} service property. The
 * hypervisor calls it with the guest's monitor held.
 */
@ConsumerType
public interface ExitProtocol {

    /** @return the protocol's name, for example {@code "GHCB"} or {@code "GHCI"} */
    String name();

    /**
     * The guest executes an intercepted instruction: the protocol carries it from the guest to the host (reading
     * and writing only what this TEE lets each side see), has the host emulate it ({@link GuestAccess#emulate}) and
     * carries the answer back, recording the exit ({@link GuestAccess#record}).
     *
     * @param guest the running guest
     * @param vcpu the vCPU index, already checked
     * @param instruction the instruction, already checked for well-formed operands
     * @return the exit's trace
     */
    ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction instruction);

    /**
     * CPUID as the host's vCPU model for a guest of this TEE answers it: the vendor string, the signature of the
     * model, the TEE's own leaves.
     *
     * @param guest the guest
     * @param leaf EAX
     * @param subleaf ECX
     * @return EAX, EBX, ECX, EDX
     */
    long[] cpuid(GuestAccess guest, long leaf, long subleaf);

    /**
     * What the host can read of a vCPU.
     *
     * @param saveArea the stored save area
     * @param encrypted whether it is encrypted
     * @return registers by name; empty when the host sees only ciphertext
     */
    Map<String, Long> registers(byte[] saveArea, boolean encrypted);
}
