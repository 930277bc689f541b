package org.example.cca.token;

/**
 * A CCA token (or an input to the signer) is malformed. The message is one line and names the field, e.g.
 * {@code "realm claim 10 (challenge): expected 64 bytes, got 32"}.
 */
public final class CcaTokenException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CcaTokenException(String message) {
        super(message);
    }

    public CcaTokenException(String message, Throwable cause) {
        super(message, cause);
    }
}
