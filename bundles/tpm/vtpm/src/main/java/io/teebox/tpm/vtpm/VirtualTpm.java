package io.teebox.tpm.vtpm;

import java.time.Clock;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.tpm.vtpm.internal.TpmEngine;

/**
 * A TPM 2.0 command processor. It starts powered on and uninitialized, like a TPM after _TPM_Init: the first command
 * must be TPM2_Startup. Its primary seeds, and so its endorsement key and every primary key, follow from the seed it
 * is created with; the same seed and the same template give the same key.
 */
@ProviderType
public interface VirtualTpm {

    /**
     * Executes one command. Failures are answered as a TPM does, with a response header carrying the TPM_RC; this
     * method throws for nothing the command bytes can contain.
     *
     * @param command a whole TPM 2.0 command (header, handles, authorization area, parameters)
     * @return the whole response
     */
    byte[] execute(byte[] command);

    /**
     * Exports the TPM's state: primary seeds, PCR banks, NV indices, clock and counters, loaded objects. Sessions are
     * not kept. Keep it confidential: it holds every secret of the TPM.
     *
     * @return the state bytes, for {@link #restore}
     */
    byte[] exportState();

    /**
     * _TPM_Init: the TPM forgets its sessions and transient objects and waits for TPM2_Startup.
     */
    void reset();

    /**
     * Creates a TPM whose primary seeds are derived from a seed.
     *
     * @param seed at least 32 bytes; keep them secret, they are the TPM's identity
     * @param clock the time source of TPMS_CLOCK_INFO.clock
     * @return the TPM, waiting for TPM2_Startup
     * @throws IllegalArgumentException if the seed is shorter than 32 bytes
     */
    static VirtualTpm create(byte[] seed, Clock clock) {
        return new TpmEngine(seed, clock);
    }

    /**
     * Creates a TPM from state exported by {@link #exportState}.
     *
     * @param state the state bytes
     * @param clock the time source of TPMS_CLOCK_INFO.clock
     * @return the TPM in the state it was exported in (started if it was)
     * @throws IllegalArgumentException if the bytes are not a state export
     */
    static VirtualTpm restore(byte[] state, Clock clock) {
        return TpmEngine.restore(state, clock);
    }
}
