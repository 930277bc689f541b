package io.teebox.tck;

import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeBackend;

/**
 * The backend under contract and the platform around it, as the contract reaches them. Every accessor answers with
 * the service present now (a backend's services change when its bundle restarts), waiting a bounded time for it.
 * {@link OsgiSubject} implements all of it but {@link #trustedRoots()} from a framework.
 */
@ConsumerType
public interface ContractSubject {

    /** @return the backend's {@code tee.type}, for example {@code "sev-snp"} */
    String teeType();

    /** @return the hypervisor the backend's guests run on */
    Hypervisor hypervisor();

    /** @return the backend */
    TeeBackend backend();

    /** @return the backend's memory encryption engine */
    MemoryEncryption memoryEncryption();

    /** @return the backend's launch service */
    LaunchService launchService();

    /** @return the guest owner for the backend's guests */
    GuestOwnerService owner();

    /**
     * @param format an evidence format
     * @return the verifier for it, if one is present
     */
    Optional<EvidenceVerifier> verifier(String format);

    /**
     * @return what a relying party trusts for this backend's evidence (for example AMD's ARK, Intel's SGX Root CA),
     *         as the backend's verifier takes roots; empty for a backend without evidence
     */
    List<byte[]> trustedRoots();

    /**
     * The reference values a relying party appraises a fresh piece of evidence with; the contract's challenge is
     * always among them.
     *
     * @param reportData the challenge the evidence was asked for
     * @return reference values by the verifier's names
     */
    default Map<String, String> referenceValues(Bytes reportData) {
        return Map.of("report_data", HexFormat.of().formatHex(reportData.value()));
    }

    /**
     * The reference value that pins a guest's launch measurement, in the verifier's names.
     *
     * @param digest the launch digest the guest owner recomputed
     * @return reference values, by default {@code measurement}
     */
    default Map<String, String> measurementReference(byte[] digest) {
        return Map.of("measurement", HexFormat.of().formatHex(digest));
    }

    /** Stops the backend (its bundle), as a firmware update in progress does, and waits until it is gone. */
    void stopBackend();

    /** Starts the backend again and waits until the hypervisor has bound it. */
    void startBackend();

    /** Updates the backend's bundle in place (new firmware) and waits until the hypervisor has bound it again. */
    void updateBackend();

    /** @return the memory of the contract's guests; enough for the backend's built-in firmware */
    default long guestMemoryBytes() {
        return 64L << 20;
    }

    /**
     * @return a page-aligned guest physical address inside guest memory that the built-in firmware leaves alone, for
     *         the contract's private data (it accepts the page first)
     */
    default long scratchAddress() {
        return 32L << 20;
    }
}
