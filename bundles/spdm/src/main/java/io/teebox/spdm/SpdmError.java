package io.teebox.spdm;

import java.util.Optional;

/** The ERROR response's ErrorCode values of DSP0274 1.1 (Table "Error code and error data"). */
public enum SpdmError {
    /** One or more request fields are invalid. */
    INVALID_REQUEST(0x01),
    /** The record layer's session is not valid (1.1 only; reserved in 1.2). */
    INVALID_SESSION(0x02),
    /** The responder cannot answer now; retry. */
    BUSY(0x03),
    /** The request is valid but not expected in the current state. */
    UNEXPECTED_REQUEST(0x04),
    /** Unspecified error. */
    UNSPECIFIED(0x05),
    /** A secured message or the FINISH RequesterVerifyData did not authenticate. */
    DECRYPT_ERROR(0x06),
    /** The request code is not supported. */
    UNSUPPORTED_REQUEST(0x07),
    /** A request of this kind is already being processed. */
    REQUEST_IN_FLIGHT(0x08),
    /** The requester received an unexpected response code (requester-side use). */
    INVALID_RESPONSE_CODE(0x09),
    /** No more sessions can be opened. */
    SESSION_LIMIT_EXCEEDED(0x0A),
    /** The requested SPDM version is not supported or differs from the negotiated one. */
    VERSION_MISMATCH(0x41),
    /** The response is not ready; ask again with RESPOND_IF_READY. */
    RESPONSE_NOT_READY(0x42),
    /** The responder wants the connection re-established (GET_VERSION). */
    REQUEST_RESYNCH(0x43),
    /** Vendor- or standards-defined error. */
    VENDOR_DEFINED(0xFF);

    private final int code;

    SpdmError(int code) {
        this.code = code;
    }

    /** @return the ErrorCode byte */
    public int code() {
        return code;
    }

    /**
     * The error with a code.
     *
     * @param code the ErrorCode byte
     * @return the error, or empty for a reserved code
     */
    public static Optional<SpdmError> of(int code) {
        for (SpdmError e : values()) {
            if (e.code == code) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
