package io.teebox.amd.abi;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/** SEV firmware status codes (SEV API; Linux {@code sev_ret_code}). */
public enum SevStatus {
    /** 0x00 */ SUCCESS(0x00),
    /** 0x01 */ INVALID_PLATFORM_STATE(0x01),
    /** 0x02 */ INVALID_GUEST_STATE(0x02),
    /** 0x03 */ INVALID_CONFIG(0x03),
    /** 0x04 */ INVALID_LENGTH(0x04),
    /** 0x05 */ ALREADY_OWNED(0x05),
    /** 0x06 */ INVALID_CERTIFICATE(0x06),
    /** 0x07 */ POLICY_FAILURE(0x07),
    /** 0x08 */ INACTIVE(0x08),
    /** 0x09 */ INVALID_ADDRESS(0x09),
    /** 0x0A */ BAD_SIGNATURE(0x0A),
    /** 0x0B */ BAD_MEASUREMENT(0x0B),
    /** 0x0C */ ASID_OWNED(0x0C),
    /** 0x0D */ INVALID_ASID(0x0D),
    /** 0x0E */ WBINVD_REQUIRED(0x0E),
    /** 0x0F */ DF_FLUSH_REQUIRED(0x0F),
    /** 0x10 */ INVALID_GUEST(0x10),
    /** 0x11 */ INVALID_COMMAND(0x11),
    /** 0x12 */ ACTIVE(0x12),
    /** 0x13 */ HWERROR_PLATFORM(0x13),
    /** 0x14 */ HWERROR_UNSAFE(0x14),
    /** 0x15 */ UNSUPPORTED(0x15),
    /** 0x16 */ INVALID_PARAM(0x16),
    /** 0x17 */ RESOURCE_LIMIT(0x17),
    /** 0x18 */ SECURE_DATA_INVALID(0x18),
    /** 0x19 */ INVALID_PAGE_SIZE(0x19),
    /** 0x1A */ INVALID_PAGE_STATE(0x1A),
    /** 0x1B */ INVALID_MDATA_ENTRY(0x1B),
    /** 0x1C */ INVALID_PAGE_OWNER(0x1C),
    /** 0x1D */ AEAD_OFLOW(0x1D),
    /** 0x1F */ RING_BUFFER_EXIT(0x1F),
    /** 0x20 */ RMP_INIT_REQUIRED(0x20),
    /** 0x21 */ BAD_SVN(0x21),
    /** 0x22 */ BAD_VERSION(0x22),
    /** 0x23 */ SHUTDOWN_REQUIRED(0x23),
    /** 0x24 */ UPDATE_FAILED(0x24),
    /** 0x25 */ RESTORE_REQUIRED(0x25),
    /** 0x26 */ RMP_INITIALIZATION_FAILED(0x26),
    /** 0x27 */ INVALID_KEY(0x27);

    /** The vendor name carried by every {@link FirmwareStatus} of the AMD Secure Processor. */
    public static final String VENDOR = "amd-sp";

    private final int code;

    SevStatus(int code) {
        this.code = code;
    }

    /** @return the 16-bit status value */
    public int code() {
        return code;
    }

    /** @return this status as the API's vendor-neutral value */
    public FirmwareStatus status() {
        return new FirmwareStatus(VENDOR, name(), code);
    }

    /**
     * @param sentence what was wrong
     * @return an exception carrying this status
     */
    public TeeException error(String sentence) {
        return new TeeException(status(), sentence);
    }
}
