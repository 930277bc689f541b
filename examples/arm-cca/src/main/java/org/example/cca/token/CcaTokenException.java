package org.example.cca.token;

/** A token that is not a well-formed CCA attestation token; the message names the field. */
public class CcaTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message one line naming the field and what was wrong */
    public CcaTokenException(String message) {
        super(message);
    }
}
