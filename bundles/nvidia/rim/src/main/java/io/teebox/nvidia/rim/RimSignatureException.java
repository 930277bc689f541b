package io.teebox.nvidia.rim;

import java.security.GeneralSecurityException;

/** A RIM's signature or its signer's certificate chain does not verify; the message says why, in one line. */
public final class RimSignatureException extends GeneralSecurityException {

    private static final long serialVersionUID = 1L;

    /** @param reason what failed */
    public RimSignatureException(String reason) {
        super(reason);
    }
}
