package io.teebox.api.tee;

import java.util.Objects;

/**
 * A command refused or failed by TEE firmware. The message starts with the firmware status a real device would
 * return and goes on with a plain sentence naming what was wrong, for example
 * {@code "INVALID_GUEST_STATE (0x0002): LAUNCH_MEASURE is not allowed in guest state RUNNING"}.
 */
public class TeeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final FirmwareStatus status;

    /**
     * @param status the status the device returns
     * @param reason a plain sentence naming what was wrong
     */
    public TeeException(FirmwareStatus status, String reason) {
        super(Objects.requireNonNull(status, "status") + ": " + reason);
        this.status = status;
    }

    /**
     * @param status the status the device returns
     * @param reason a plain sentence naming what was wrong
     * @param cause the underlying failure
     */
    public TeeException(FirmwareStatus status, String reason, Throwable cause) {
        super(Objects.requireNonNull(status, "status") + ": " + reason, cause);
        this.status = status;
    }

    /** @return the status the device returned */
    public FirmwareStatus status() {
        return status;
    }
}
