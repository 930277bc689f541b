package io.teebox.intel.tdx.abi;

import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * Completion status codes of the TDX module, as SEAMCALL and TDCALL return them in RAX (Intel TDX Module ABI
 * specification; Linux {@code arch/x86/include/asm/tdx_errno.h}). Bit 63 marks an error, bit 62 a non-recoverable
 * one; bits 31:0 carry the operand id and are 0 here.
 */
public enum TdxStatus {
    /** The operation completed. */
    TDX_SUCCESS(0x0000_0000_0000_0000L),
    /** The TD is in a non-recoverable state. */
    TDX_NON_RECOVERABLE_TD(0x4000_0002_0000_0000L),
    /** A long operation was interrupted and can be resumed. */
    TDX_INTERRUPTED_RESUMABLE(0x8000_0003_0000_0000L),
    /** An operand is invalid. */
    TDX_OPERAND_INVALID(0xC000_0100_0000_0000L),
    /** An operand's address is out of range. */
    TDX_OPERAND_ADDR_RANGE_ERROR(0xC000_0101_0000_0000L),
    /** An operand is in use by another operation. */
    TDX_OPERAND_BUSY(0x8000_0200_0000_0000L),
    /** A page's metadata (PAMT) does not allow the operation. */
    TDX_PAGE_METADATA_INCORRECT(0xC000_0300_0000_0000L),
    /** The page does not belong to the TD. */
    TDX_PAGE_NOT_OWNED_BY_TD(0xC000_0302_0000_0000L),
    /** The TD has been marked FATAL and cannot run any more. */
    TDX_TD_FATAL(0xE000_0604_0000_0000L),
    /** The operation needs a debuggable TD (ATTRIBUTES.DEBUG). */
    TDX_TD_NON_DEBUG(0xC000_0605_0000_0000L),
    /** The TD's lifecycle state does not allow the operation. */
    TDX_LIFECYCLE_STATE_INCORRECT(0xC000_0607_0000_0000L),
    /** The TD's operation state (uninitialized, initialized, runnable) does not allow the operation. */
    TDX_OP_STATE_INCORRECT(0xC000_0608_0000_0000L),
    /** The TD has no vCPUs. */
    TDX_NO_VCPUS(0xC000_0609_0000_0000L),
    /** The vCPU's state does not allow the operation. */
    TDX_VCPU_STATE_INCORRECT(0xC000_0700_0000_0000L),
    /** More vCPUs than TD_PARAMS.MAX_VCPUS. */
    TDX_MAX_VCPUS_EXCEEDED(0xC000_0705_0000_0000L),
    /** The TD's keys are not configured on every package. */
    TDX_TD_KEYS_NOT_CONFIGURED(0x8000_0810_0000_0000L),
    /** The TD's key state does not allow the operation. */
    TDX_KEY_STATE_INCORRECT(0xC000_0811_0000_0000L),
    /** The key is configured on this package already (informational). */
    TDX_KEY_CONFIGURED(0x0000_0815_0000_0000L),
    /** The HKID is still in use. */
    TDX_HKID_NOT_FREE(0xC000_0820_0000_0000L),
    /** TDH.VP.FLUSH / TDH.MNG.VPFLUSHDONE has not been done. */
    TDX_FLUSHVP_NOT_DONE(0x8000_0824_0000_0000L),
    /** A CPUID value in TD_PARAMS is not allowed. */
    TDX_INCORRECT_CPUID_VALUE(0xC000_0900_0000_0000L),
    /** The Secure EPT walk failed: the GPA is not mapped. */
    TDX_EPT_WALK_FAILED(0xC000_0B00_0000_0000L),
    /** The Secure EPT entry is not free: the GPA is mapped already. */
    TDX_EPT_ENTRY_NOT_FREE(0xC000_0B02_0000_0000L),
    /** The GPA range must be blocked (TDH.MEM.RANGE.BLOCK) first. */
    TDX_GPA_RANGE_NOT_BLOCKED(0xC000_0B06_0000_0000L),
    /** The GPA range is blocked already (informational). */
    TDX_GPA_RANGE_ALREADY_BLOCKED(0x0000_0B07_0000_0000L),
    /** TLB tracking (TDH.MEM.TRACK) has not been done since the range was blocked. */
    TDX_TLB_TRACKING_NOT_DONE(0xC000_0B08_0000_0000L),
    /** TDG.MEM.PAGE.ACCEPT on a page that is accepted already (informational). */
    TDX_PAGE_ALREADY_ACCEPTED(0x0000_0B0A_0000_0000L),
    /** The page size does not match the Secure EPT mapping. */
    TDX_PAGE_SIZE_MISMATCH(0xC000_0B0B_0000_0000L),
    /** The GPA range is blocked. */
    TDX_GPA_RANGE_BLOCKED(0xC000_0B0C_0000_0000L),
    /** The Secure EPT entry's state does not allow the operation. */
    TDX_EPT_ENTRY_STATE_INCORRECT(0xC000_0B0D_0000_0000L),
    /** The REPORTMACSTRUCT given to verify a report is invalid (its MAC does not verify). */
    TDX_INVALID_REPORTMACSTRUCT(0xC000_1001_0000_0000L);

    /** The vendor name carried by every {@link FirmwareStatus} of the TDX module. */
    public static final String VENDOR = "tdx-module";

    private final long code;

    TdxStatus(long code) {
        this.code = code;
    }

    /** @return the 64-bit completion status */
    public long code() {
        return code;
    }

    /** @return whether bit 63 (error) is set */
    public boolean isError() {
        return code < 0;
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

    /**
     * @param code a completion status as RAX holds it
     * @return the status, ignoring the operand id in bits 31:0
     * @throws IllegalArgumentException if the code is not one of these
     */
    public static TdxStatus of(long code) {
        long masked = code & 0xFFFF_FFFF_0000_0000L;
        for (TdxStatus s : values()) {
            if (s.code == masked) {
                return s;
            }
        }
        throw new IllegalArgumentException(String.format("unknown TDX completion status 0x%016X", code));
    }
}
