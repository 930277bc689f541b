package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.tee.TeeException;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.tdx.abi.TdxStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One TD as the TDX module holds it: TDR/TDCS state (lifecycle, operation state, TD_PARAMS, measurement
 * registers), the TDVPS of each vCPU, the Secure EPT, the TD's private key (HKID) and the MACs of its private
 * memory's cache lines. Every access holds the context's monitor; the monitor is never held while calling into
 * the hypervisor's {@link GuestMemory}, except during the launch, which the hypervisor drives under its own lock.
 */
final class TdContext {

    /** TDCS.LIFECYCLE_STATE. */
    enum Lifecycle {
        /** TDH.MNG.CREATE assigned an HKID; keys not configured yet. */
        HKID_ASSIGNED,
        /** TDH.MNG.KEY.CONFIG configured the key: the TD's memory can be used. */
        KEYS_CONFIGURED,
        /** TDH.MNG.VPFLUSHDONE and cache write-back done: the HKID may be freed, memory is unusable. */
        BLOCKED
    }

    /** TDCS.OP_STATE. */
    enum OpState {
        /** Before TDH.MNG.INIT. */
        UNINITIALIZED,
        /** Built: pages may be added and measured. */
        INITIALIZED,
        /** TDH.MR.FINALIZE done: MRTD is fixed and the TD may run. */
        RUNNABLE
    }

    /** A Secure EPT leaf entry's state. */
    enum PageState {
        /** Mapped: added at build time or accepted by the TD. */
        MAPPED,
        /** Added by TDH.MEM.PAGE.AUG; the TD has not accepted it. */
        PENDING
    }

    /** A Secure EPT leaf entry. */
    static final class Page {
        final long hpa;
        PageState state;
        boolean blocked;
        long blockEpoch;

        Page(long hpa, PageState state) {
            this.hpa = hpa;
            this.state = state;
        }
    }

    /** A page: the unit of the Secure EPT, of TDH.MEM.PAGE.ADD/AUG and of the memory controller's MACs. */
    static final int PAGE = 4096;

    final long handle;
    final int hkid;
    Lifecycle lifecycle = Lifecycle.HKID_ASSIGNED;
    OpState op = OpState.UNINITIALIZED;
    boolean launched;
    /** Why the TD is FATAL, or null if it is alive. */
    String fatal;
    TdParams params;
    int vcpus;
    boolean[] vcpuInitialized = new boolean[0];
    TdMeasurement building;
    byte[] mrtd;
    final byte[][] rtmr = new byte[4][TdMeasurement.DIGEST_SIZE];
    final List<EventLog.Event> events = new ArrayList<>();
    MemoryKeys keys;
    final TreeMap<Long, Page> sept = new TreeMap<>();
    final Map<Long, Long> gpaOfHpa = new HashMap<>();
    final Map<Long, int[]> macs = new HashMap<>();
    long epoch;
    final List<LaunchLogEntry> log = new ArrayList<>();
    /** The hypervisor's view of the TD's memory; not persisted, handed over in memory across bundle updates. */
    volatile GuestMemory memory;

    TdContext(long handle, int hkid) {
        this.handle = handle;
        this.hkid = hkid;
    }

    synchronized void log(String command, TdxStatus status, String detail) {
        log.add(new LaunchLogEntry(log.size() + 1, command, status.status(), detail));
    }

    synchronized List<LaunchLogEntry> logSince(int from) {
        return List.copyOf(log.subList(Math.min(from, log.size()), log.size()));
    }

    /** @return the state name GuestStatus shows */
    synchronized String stateName() {
        if (fatal != null) {
            return "FATAL";
        }
        if (lifecycle == Lifecycle.BLOCKED) {
            return "TEARDOWN";
        }
        return op == OpState.RUNNABLE ? (launched ? "RUNNABLE" : "FINALIZED") : op.name();
    }

    void map(long gpa, long hpa, PageState state) {
        sept.put(gpa, new Page(hpa, state));
        gpaOfHpa.put(hpa, gpa);
    }

    void unmap(long gpa) {
        Page p = sept.remove(gpa);
        if (p != null) {
            gpaOfHpa.remove(p.hpa);
            macs.remove(p.hpa);
        }
    }

    /** Logs a refused SEAMCALL or TDCALL with its completion status and returns the exception it throws. */
    TeeException refuse(String command, TdxStatus status, String reason) {
        log(command, status, reason);
        return status.error(command + ": " + reason);
    }

    /** A TDCALL (or a TD access) needs a TD that has run and is neither FATAL nor torn down. */
    void requireRunning(String cmd) {
        if (fatal != null) {
            throw refuse(cmd, TdxStatus.TDX_TD_FATAL, "the TD is FATAL: " + fatal);
        }
        if (lifecycle == Lifecycle.BLOCKED) {
            throw refuse(cmd, TdxStatus.TDX_LIFECYCLE_STATE_INCORRECT, "the TD is torn down");
        }
        if (!launched) {
            throw refuse(cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + stateName()
                    + "; it has not run yet");
        }
    }

    /** @return whether a GPA has the TD's shared bit set (bit 47 before TDH.MNG.INIT) */
    boolean isShared(long gpa) {
        int bit = params == null ? 47 : params.sharedBit();
        return (gpa >>> bit & 1) != 0;
    }

    /** @return the host memory bound to the TD */
    GuestMemory boundMemory() {
        GuestMemory m = memory;
        if (m == null) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("TD " + handle + " has no host memory bound (it was restored "
                    + "without the hypervisor's memory view)");
        }
        return m;
    }
}
