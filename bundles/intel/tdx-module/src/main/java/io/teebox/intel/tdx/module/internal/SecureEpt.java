package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.intel.tdx.VirtualizationException;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdxStatus;

/**
 * The TDs' Secure EPT: the check of every TD access (mapped, not blocked, not pending, else the #VE or EPT-violation
 * exit it causes), and the host's SEAMCALLs that change it after the build: TDH.MEM.PAGE.AUG, TDH.MEM.RANGE.BLOCK,
 * TDH.MEM.TRACK, TDH.MEM.PAGE.REMOVE.
 */
final class SecureEpt {

    private final TdTable tds;

    SecureEpt(TdTable tds) {
        this.tds = tds;
    }

    /** The Secure EPT check of a TD access; throws the #VE (or EPT-violation exit) it causes. */
    static TdContext.Page accessible(TdContext td, Long gpa, long hpa) {
        TdContext.Page p = gpa == null ? null : td.sept.get(gpa);
        boolean ve = td.params == null || (td.params.attributes() & TdAttributes.SEPT_VE_DISABLE) == 0;
        if (p == null || p.hpa != hpa) {
            throw new VirtualizationException(gpa == null ? -1 : gpa, ve, String.format("host page 0x%X is not "
                    + "mapped in the TD's Secure EPT (never added or accepted, or removed)", hpa));
        }
        if (p.blocked) {
            throw new VirtualizationException(gpa, false, "the page is BLOCKED (TDH.MEM.RANGE.BLOCK): the access exits "
                    + "to the host");
        }
        if (p.state == TdContext.PageState.PENDING) {
            throw new VirtualizationException(gpa, ve, "the page is PENDING: the host added it with "
                    + "TDH.MEM.PAGE.AUG and the TD has not accepted it (TDG.MEM.PAGE.ACCEPT)");
        }
        return p;
    }

    void augPage(long handle, long gpa) {
        TdContext td = tds.td(handle);
        String cmd = "TDH.MEM.PAGE.AUG";
        synchronized (td) {
            preAug(td, cmd, gpa);
        }
        GuestMemory mem = td.boundMemory();
        long hpa = mem.hostPhysicalAddress(gpa);
        synchronized (td) {
            preAug(td, cmd, gpa);
            td.map(gpa, hpa, TdContext.PageState.PENDING);
            td.macs.remove(hpa);
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X hpa=0x%X added PENDING", gpa, hpa));
        }
        // The page now belongs to the TD (PAMT owner HKID): the host's copy is private memory from here on.
        mem.writePage(gpa, mem.readPage(gpa));
    }

    private static void preAug(TdContext td, String cmd, long gpa) {
        if (td.fatal != null) {
            throw td.refuse(cmd, TdxStatus.TDX_TD_FATAL, "the TD is FATAL");
        }
        if (td.op != TdContext.OpState.RUNNABLE || td.lifecycle == TdContext.Lifecycle.BLOCKED) {
            throw td.refuse(cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.stateName()
                    + "; pages are augmented after TDH.MR.FINALIZE");
        }
        if ((gpa & (TdContext.PAGE - 1)) != 0 || gpa < 0 || td.isShared(gpa)) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is not a 4 KiB aligned "
                    + "private address", gpa));
        }
        if (td.sept.containsKey(gpa)) {
            throw td.refuse(cmd, TdxStatus.TDX_EPT_ENTRY_NOT_FREE, String.format("GPA 0x%X is mapped already (to HPA "
                    + "0x%X); the Secure EPT cannot be remapped", gpa, td.sept.get(gpa).hpa));
        }
    }

    void blockRange(long handle, long gpa) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            String cmd = "TDH.MEM.RANGE.BLOCK";
            TdContext.Page p = td.sept.get(gpa);
            if (p == null) {
                throw td.refuse(cmd, TdxStatus.TDX_EPT_WALK_FAILED, String.format("GPA 0x%X is not mapped", gpa));
            }
            if (p.blocked) {
                td.log(cmd, TdxStatus.TDX_GPA_RANGE_ALREADY_BLOCKED, String.format("gpa=0x%X", gpa));
                return;
            }
            p.blocked = true;
            p.blockEpoch = td.epoch;
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X blocked in epoch %d", gpa, td.epoch));
        }
    }

    void track(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            td.epoch++;
            td.log("TDH.MEM.TRACK", TdxStatus.TDX_SUCCESS, "TLB epoch " + td.epoch);
        }
    }

    void removePage(long handle, long gpa) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            String cmd = "TDH.MEM.PAGE.REMOVE";
            TdContext.Page p = td.sept.get(gpa);
            if (p == null) {
                throw td.refuse(cmd, TdxStatus.TDX_EPT_WALK_FAILED, String.format("GPA 0x%X is not mapped", gpa));
            }
            if (!p.blocked) {
                throw td.refuse(cmd, TdxStatus.TDX_GPA_RANGE_NOT_BLOCKED, String.format("GPA 0x%X is live; block it "
                        + "(TDH.MEM.RANGE.BLOCK) and track (TDH.MEM.TRACK) first", gpa));
            }
            if (td.epoch <= p.blockEpoch) {
                throw td.refuse(cmd, TdxStatus.TDX_TLB_TRACKING_NOT_DONE, String.format("GPA 0x%X was blocked in "
                        + "epoch %d; TDH.MEM.TRACK has not advanced the epoch since", gpa, p.blockEpoch));
            }
            td.unmap(gpa);
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X hpa=0x%X removed", gpa, p.hpa));
        }
    }

    String pageState(long handle, long gpa) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            TdContext.Page p = td.sept.get(gpa & ~(long) (TdContext.PAGE - 1));
            if (p == null) {
                return "FREE";
            }
            return p.blocked ? "BLOCKED" : p.state.name();
        }
    }
}
