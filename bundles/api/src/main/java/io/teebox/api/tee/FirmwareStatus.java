package io.teebox.api.tee;

import java.util.Objects;

/**
 * A status code as a real device returns it, for example AMD's {@code INVALID_GUEST_STATE} (0x0002) or the
 * TDX module's {@code TDX_OPERAND_INVALID}.
 *
 * @param vendor the firmware that defines the code, for example {@code "amd-sp"} or {@code "tdx-module"}
 * @param name the name the vendor's specification gives the code
 * @param code the numeric value as the device returns it
 */
public record FirmwareStatus(String vendor, String name, long code) {

    /** The success status of any vendor, for log entries of commands that worked. */
    public static final long SUCCESS_CODE = 0;

    /**
     * The refusal of anything a guest, or a vendor command acting as the guest, does while the guest does not run
     * (created, launching, paused, terminated), whatever its TEE: the state check happens in the hypervisor before
     * any firmware sees the request.
     */
    public static final FirmwareStatus INVALID_GUEST_STATE = new FirmwareStatus("hypervisor", "INVALID_GUEST_STATE",
            0x2);

    /**
     * Creates a status.
     *
     * @throws NullPointerException if the vendor or the name is null
     */
    public FirmwareStatus {
        Objects.requireNonNull(vendor, "vendor");
        Objects.requireNonNull(name, "name");
    }

    /** @return true if this status means the command succeeded */
    public boolean isSuccess() {
        return code == SUCCESS_CODE;
    }

    /** @return the name followed by the code in hex, for example {@code INVALID_GUEST_STATE (0x0002)} */
    @Override
    public String toString() {
        return code > 0xFFFF || code < 0
                ? String.format("%s (0x%016X)", name, code)
                : String.format("%s (0x%04X)", name, code);
    }
}
