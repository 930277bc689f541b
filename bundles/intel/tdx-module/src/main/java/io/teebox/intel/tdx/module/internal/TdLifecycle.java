package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestStatus;
import io.teebox.api.memory.KeySlot;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.hex.Hex;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A built TD's life after TDH.MR.FINALIZE as the host sees it: its status, its key configured, the teardown
 * (TDH.VP.FLUSH .. TDH.PHYMEM.CACHE.WB) and the reclaim that frees its HKID.
 */
final class TdLifecycle {

    private final TdTable tds;

    TdLifecycle(TdTable tds) {
        this.tds = tds;
    }

    GuestStatus status(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            Map<String, String> d = new LinkedHashMap<>();
            d.put("lifecycle", td.lifecycle.name());
            d.put("op state", td.op.name());
            if (td.fatal != null) {
                d.put("fatal", td.fatal);
            }
            if (td.params != null) {
                d.put("attributes", TdAttributes.describe(td.params.attributes()));
                d.put("xfam", String.format("0x%X", td.params.xfam()));
            }
            d.put("MRTD", td.mrtd == null ? "(not finalized)" : Hex.encode(td.mrtd));
            for (int i = 0; i < 4; i++) {
                d.put("RTMR" + i, Hex.encode(td.rtmr[i]));
            }
            d.put("vcpus", Integer.toString(td.vcpus));
            d.put("private pages", Long.toString(td.sept.values().stream()
                    .filter(p -> p.state == TdContext.PageState.MAPPED).count()));
            d.put("pending pages", Long.toString(td.sept.values().stream()
                    .filter(p -> p.state == TdContext.PageState.PENDING).count()));
            d.put("events", Integer.toString(td.events.size()));
            KeySlot slot = td.lifecycle == TdContext.Lifecycle.BLOCKED ? null : new KeySlot(Tdx.KEY_SLOT, td.hkid);
            return new GuestStatus(td.handle, td.stateName(), slot, td.params == null ? 0 : td.params.attributes(), d);
        }
    }

    /** The TD's key is programmed already; a torn-down TD cannot be brought back. */
    void activate(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
                throw td.refuse("TDH.MNG.KEY.CONFIG", TdxStatus.TDX_LIFECYCLE_STATE_INCORRECT, "the TD is torn "
                        + "down (VPFLUSHDONE); its key cannot be configured again");
            }
            td.log("TDH.MNG.KEY.CONFIG", TdxStatus.TDX_KEY_CONFIGURED, "HKID " + td.hkid + " is configured already");
        }
    }

    /** TDH.VP.FLUSH, TDH.MNG.VPFLUSHDONE and TDH.PHYMEM.CACHE.WB: the TD stops for good. */
    void deactivate(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
                return;
            }
            for (int i = 0; i < td.vcpus; i++) {
                td.log("TDH.VP.FLUSH", TdxStatus.TDX_SUCCESS, "vcpu=" + i);
            }
            td.log("TDH.MNG.VPFLUSHDONE", TdxStatus.TDX_SUCCESS, "no vCPU is associated any more");
            td.log("TDH.PHYMEM.CACHE.WB", TdxStatus.TDX_SUCCESS, "cache lines of HKID " + td.hkid + " written back");
            td.lifecycle = TdContext.Lifecycle.BLOCKED;
        }
    }

    /** TDH.MNG.KEY.FREEID and TDH.PHYMEM.PAGE.RECLAIM of every page: the TD is gone and its HKID free. */
    void decommission(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.lifecycle != TdContext.Lifecycle.BLOCKED) {
                throw td.refuse("TDH.MNG.KEY.FREEID", TdxStatus.TDX_FLUSHVP_NOT_DONE, "TDH.MNG.VPFLUSHDONE has not "
                        + "been done (deactivate the TD first)");
            }
            td.log("TDH.MNG.KEY.FREEID", TdxStatus.TDX_SUCCESS, "HKID " + td.hkid + " freed");
            td.log("TDH.PHYMEM.PAGE.RECLAIM", TdxStatus.TDX_SUCCESS, td.sept.size() + " private pages, the TDR and "
                    + "TDCS reclaimed");
            tds.remove(td);
            td.sept.clear();
            td.macs.clear();
        }
    }
}
