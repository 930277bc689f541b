package io.teebox.spdm;

import java.util.Optional;

/**
 * An SPDM exchange failed: the peer answered with ERROR, a message did not authenticate, or the requester refused
 * what the responder sent (bad signature, verify data, certificate chain).
 */
public class SpdmException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The SPDM error code, or null when the failure is not one (a verification the requester did itself). */
    private final SpdmError error;

    /**
     * Creates the exception.
     *
     * @param error the SPDM error code, or null if the failure has none
     * @param message what failed
     */
    public SpdmException(SpdmError error, String message) {
        super(message);
        this.error = error;
    }

    /**
     * The SPDM error.
     *
     * @return the error code the responder returned (or that the requester detected, DecryptError), empty if the
     *         failure is a verification failure without an SPDM code
     */
    public Optional<SpdmError> error() {
        return Optional.ofNullable(error);
    }
}
