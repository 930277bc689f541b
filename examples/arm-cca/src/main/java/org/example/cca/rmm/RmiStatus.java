package org.example.cca.rmm;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * RMI and RSI status codes (DEN0137 1.0, B2.x RmiStatusCode, B5.x RsiCommandReturnCode) as TF-RMM returns them
 * ({@code include/smc-rmi.h}, {@code include/smc-rsi.h}).
 */
public enum RmiStatus {
    /** RMI_SUCCESS. */
    RMI_SUCCESS(0),
    /** RMI_ERROR_INPUT: an argument had the wrong value. */
    RMI_ERROR_INPUT(1),
    /** RMI_ERROR_REALM: the realm (RD) is in the wrong state. */
    RMI_ERROR_REALM(2),
    /** RMI_ERROR_REC: the REC is in the wrong state. */
    RMI_ERROR_REC(3),
    /** RMI_ERROR_RTT: an RTT walk ended at the wrong level or entry state. */
    RMI_ERROR_RTT(4),
    /** RSI_SUCCESS. */
    RSI_SUCCESS(0),
    /** RSI_ERROR_INPUT. */
    RSI_ERROR_INPUT(1),
    /** RSI_ERROR_STATE. */
    RSI_ERROR_STATE(2),
    /** RSI_INCOMPLETE: the token is not complete, call ATTESTATION_TOKEN_CONTINUE again. */
    RSI_INCOMPLETE(3);

    private final int code;

    RmiStatus(int code) {
        this.code = code;
    }

    /** @return the code the RMM returns in X0 */
    public int code() {
        return code;
    }

    /** @return the status as teebox reports it */
    public FirmwareStatus status() {
        return new FirmwareStatus(Cca.FIRMWARE, name(), code);
    }

    /**
     * @param reason a sentence naming what was wrong
     * @return the exception to throw
     */
    public TeeException error(String reason) {
        return new TeeException(status(), reason);
    }
}
