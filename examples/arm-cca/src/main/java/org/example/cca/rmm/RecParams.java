package org.example.cca.rmm;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RmiRecParams, the 4 KiB structure the host passes to RMI_REC_CREATE (DEN0137 1.0; TF-RMM
 * {@code struct rmi_rec_params}): flags at 0x0, mpidr 0x100, pc 0x200, gprs[8] 0x300, num_aux 0x800, aux[16] 0x808.
 *
 * @param flags RmiRecFlags: bit 0 RUNNABLE
 * @param mpidr the REC's MPIDR
 * @param pc the entry point
 * @param gprs X0..X7 at entry
 */
public record RecParams(long flags, long mpidr, long pc, long[] gprs) {

    /** RmiRecFlags.runnable. */
    public static final long RUNNABLE = 1;
    /** The size of the structure. */
    public static final int SIZE = 0x1000;

    /** @throws IllegalArgumentException unless there are 8 GPRs */
    public RecParams {
        gprs = gprs.clone();
        if (gprs.length != 8) {
            throw new IllegalArgumentException("a REC is created with X0..X7: 8 gprs, got " + gprs.length);
        }
    }

    /** @return a copy of X0..X7 */
    @Override
    public long[] gprs() {
        return gprs.clone();
    }

    /** @return whether the REC may run at once (REC 0; others wait for PSCI CPU_ON) */
    public boolean runnable() {
        return (flags & RUNNABLE) != 0;
    }

    /**
     * The structure the RMM measures: a zeroed RmiRecParams with flags, pc and gprs copied (TF-RMM
     * {@code measurement_rec_params_measure}); MPIDR and the auxiliary granules are not measured.
     *
     * @return the 4 KiB the RMM hashes into the REC measurement descriptor
     */
    public byte[] measuredBytes() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0x0, flags);
        b.putLong(0x200, pc);
        for (int i = 0; i < 8; i++) {
            b.putLong(0x300 + 8 * i, gprs[i]);
        }
        return b.array();
    }
}
