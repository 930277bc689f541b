package io.teebox.api.memory;

import java.util.Objects;

/**
 * What a host access to guest private memory yields on a TEE, so that each TEE's real strengths and weaknesses
 * show: SEV lets a host write through and the guest decrypts garbage, SNP faults it through the RMP, TDX poisons
 * the line and terminates the TD on its next read.
 *
 * @param effect the effect
 * @param explanation a sentence naming the mechanism, for example {@code "RMP #NPF: page is guest-owned"}
 */
public record HostAccessOutcome(Effect effect, String explanation) {

    /** Creates an outcome. */
    public HostAccessOutcome {
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(explanation, "explanation");
    }

    /** The effect of a host access. */
    public enum Effect {
        /** The host sees the ciphertext of the page. */
        CIPHERTEXT,
        /** The host sees fixed data (zeros), not even ciphertext. */
        FIXED_DATA,
        /** The access lands and nothing detects it: the guest later decrypts garbage or stale data. */
        UNDETECTED,
        /** The access is refused with a fault in the host (for example RMP #NPF); the page is unchanged. */
        HOST_FAULT,
        /** The access lands but the guest gets an exception on its next access (for example #VC or #VE). */
        GUEST_EXCEPTION,
        /** The access lands, integrity fails on the guest's next read and the guest is terminated. */
        GUEST_TERMINATED
    }
}
