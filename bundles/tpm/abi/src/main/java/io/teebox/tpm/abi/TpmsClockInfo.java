package io.teebox.tpm.abi;

/**
 * TPMS_CLOCK_INFO (Part 2, 10.11.1).
 *
 * @param clock milliseconds the TPM has been powered since its last Clear
 * @param resetCount TPM resets since the last Clear
 * @param restartCount restarts and resumes since the last reset
 * @param safe whether the clock value is known not to have been reported before (TPMI_YES_NO)
 */
public record TpmsClockInfo(long clock, int resetCount, int restartCount, boolean safe) {

    /** The structure's size. */
    public static final int SIZE = 17;

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the clock information
     * @throws TpmException with TPM_RC_VALUE if safe is neither 0 nor 1
     */
    public static TpmsClockInfo parse(TpmReader in) {
        long clock = in.u64("TPMS_CLOCK_INFO.clock");
        int reset = in.u32("TPMS_CLOCK_INFO.resetCount");
        int restart = in.u32("TPMS_CLOCK_INFO.restartCount");
        int safe = in.u8("TPMS_CLOCK_INFO.safe");
        if (safe > 1) {
            throw new TpmException(TpmRc.VALUE, "TPMS_CLOCK_INFO.safe is " + safe + ", expected 0 or 1");
        }
        return new TpmsClockInfo(clock, reset, restart, safe == 1);
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u64(clock).u32(resetCount).u32(restartCount).u8(safe ? 1 : 0);
    }
}
