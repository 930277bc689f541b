package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.hex.Hex;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * What a running TD does through the TDX module: the TDCALLs (TDG.MR.RTMR.EXTEND, TDG.MR.REPORT,
 * TDG.MEM.PAGE.ACCEPT) and its loads and stores of private memory, which go through the Secure EPT and the memory
 * controller; and TDH.MEM.RD, the host's read of a debug TD's memory.
 */
final class TdCalls {

    static final int MAX_ACCESS = 1 << 20;

    private final TdTable tds;
    private final SecureEpt ept;
    private final ReportMac reports;

    TdCalls(TdTable tds, SecureEpt ept, ReportMac reports) {
        this.tds = tds;
        this.ept = ept;
        this.reports = reports;
    }

    /** @return the TD's four RTMRs */
    byte[][] rtmrs(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            byte[][] out = new byte[td.rtmr.length][];
            for (int i = 0; i < out.length; i++) {
                out[i] = td.rtmr[i].clone();
            }
            return out;
        }
    }

    byte[] rtmrExtend(long handle, int index, byte[] data48, String description) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            String cmd = "TDG.MR.RTMR.EXTEND";
            td.requireRunning(cmd);
            if (index < 0 || index > 3) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "RTMR index " + index + " is not 0..3");
            }
            if (data48 == null || data48.length != TdMeasurement.DIGEST_SIZE) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "extend data is "
                        + (data48 == null ? "missing" : data48.length + " bytes") + ", expected 48");
            }
            String text = description == null ? "" : description;
            byte[] data = text.getBytes(StandardCharsets.UTF_8);
            // the guest's event: when it extended the hash of its description the digest is defined over the event
            // data (EV_ACTION) and a verifier checks it; a digest of something else is an EV_IPL the data describes
            long type = MessageDigest.isEqual(Digests.sha384(data), data48) ? EventLog.EV_ACTION : EventLog.EV_IPL;
            td.rtmr[index] = TdMeasurement.extendRtmr(td.rtmr[index], data48);
            td.events.add(new EventLog.Event(index + 1, type, data48, data));
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("RTMR%d <- %s (%s); now %s", index, Hex.encode(data48),
                    text, Hex.encode(td.rtmr[index])));
            return td.rtmr[index].clone();
        }
    }

    byte[] tdReport(long handle, byte[] reportData) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            String cmd = "TDG.MR.REPORT";
            td.requireRunning(cmd);
            if (reportData == null || reportData.length != 64) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "REPORTDATA is "
                        + (reportData == null ? "missing" : reportData.length + " bytes") + ", expected 64");
            }
            byte[] report = reports.report(td, reportData).toBytes();
            td.log(cmd, TdxStatus.TDX_SUCCESS, "REPORTDATA=" + Hex.encode(reportData));
            return report;
        }
    }

    TdxStatus acceptPage(long handle, long gpa) {
        TdContext td = tds.td(handle);
        String cmd = "TDG.MEM.PAGE.ACCEPT";
        boolean needsAug;
        synchronized (td) {
            td.requireRunning(cmd);
            int gpaw = (td.params == null ? 47 : td.params.sharedBit()) + 1;
            if (gpa < 0 || gpa >>> gpaw != 0) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is beyond the TD's "
                        + "%d-bit guest physical address width (GPAs below 0x%X)", gpa, gpaw, 1L << gpaw));
            }
            if ((gpa & (TdContext.PAGE - 1)) != 0 || td.isShared(gpa)) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is not a 4 KiB aligned "
                        + "private address", gpa));
            }
            TdContext.Page p = td.sept.get(gpa);
            if (p != null && p.blocked) {
                throw td.refuse(cmd, TdxStatus.TDX_GPA_RANGE_BLOCKED, String.format("GPA 0x%X is blocked by the host",
                        gpa));
            }
            if (p != null && p.state == TdContext.PageState.MAPPED) {
                td.log(cmd, TdxStatus.TDX_PAGE_ALREADY_ACCEPTED, String.format("gpa=0x%X is accepted already", gpa));
                return TdxStatus.TDX_PAGE_ALREADY_ACCEPTED;
            }
            needsAug = p == null;
            if (needsAug) {
                td.log(cmd, TdxStatus.TDX_EPT_WALK_FAILED, String.format("gpa=0x%X is not mapped: the TD exits to the "
                        + "host with an EPT violation, the host adds the page and the TD retries", gpa));
            }
        }
        if (needsAug) {
            ept.augPage(handle, gpa);
        }
        GuestMemory mem = td.boundMemory();
        byte[] ct;
        synchronized (td) {
            td.requireRunning(cmd);
            TdContext.Page p = td.sept.get(gpa);
            if (p == null || p.state != TdContext.PageState.PENDING) {
                throw td.refuse(cmd, TdxStatus.TDX_EPT_ENTRY_STATE_INCORRECT, String.format("GPA 0x%X changed state "
                        + "while being accepted", gpa));
            }
            ct = td.keys.encrypt(p.hpa, new byte[TdContext.PAGE]);
            td.macs.put(p.hpa, td.keys.macs(p.hpa, ct));
            p.state = TdContext.PageState.MAPPED;
            td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X accepted and zeroed with HKID %d", gpa, td.hkid));
        }
        mem.writePage(gpa, ct);
        return TdxStatus.TDX_SUCCESS;
    }

    byte[] eventLog(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            return EventLog.encode(td.events);
        }
    }

    byte[] read(long handle, long gpa, int length) {
        checkAccessRange(gpa, length);
        TdContext td = tds.td(handle);
        GuestMemory mem = td.boundMemory();
        byte[] out = new byte[length];
        for (int off = 0; off < length;) {
            long page = (gpa + off) & ~(long) (TdContext.PAGE - 1);
            int in = (int) (gpa + off - page);
            int n = Math.min(TdContext.PAGE - in, length - off);
            byte[] plain = loadPage(td, mem, page);
            System.arraycopy(plain, in, out, off, n);
            off += n;
        }
        return out;
    }

    void write(long handle, long gpa, byte[] data) {
        checkAccessRange(gpa, data.length);
        TdContext td = tds.td(handle);
        GuestMemory mem = td.boundMemory();
        for (int off = 0; off < data.length;) {
            long page = (gpa + off) & ~(long) (TdContext.PAGE - 1);
            int in = (int) (gpa + off - page);
            int n = Math.min(TdContext.PAGE - in, data.length - off);
            byte[] plain = loadPage(td, mem, page);
            System.arraycopy(data, off, plain, in, n);
            byte[] ct;
            synchronized (td) {
                td.requireRunning("store");
                TdContext.Page p = SecureEpt.accessible(td, page, td.sept.containsKey(page) ? td.sept.get(page).hpa : -1);
                ct = td.keys.encrypt(p.hpa, plain);
                td.macs.put(p.hpa, td.keys.macs(p.hpa, ct));
            }
            mem.writePage(page, ct);
            off += n;
        }
    }

    private static void checkAccessRange(long gpa, int length) {
        if (gpa < 0 || length < 0 || length > MAX_ACCESS) {
            throw new IllegalArgumentException(String.format("access of %d bytes at 0x%X: the address must not be "
                    + "negative and the length must be 0..%d", length, gpa, MAX_ACCESS));
        }
    }

    private static byte[] loadPage(TdContext td, GuestMemory mem, long page) {
        long hpa;
        synchronized (td) {
            td.requireRunning("load");
            if (td.isShared(page)) {
                throw new IllegalArgumentException(String.format("GPA 0x%X has the shared bit set: shared pages are "
                        + "plain host memory, reached through the hypervisor's shared-page access", page));
            }
            TdContext.Page p = td.sept.get(page);
            hpa = SecureEpt.accessible(td, page, p == null ? -1 : p.hpa).hpa;
        }
        byte[] raw = mem.readPage(page);
        synchronized (td) {
            td.requireRunning("load");
            return MemoryController.decryptChecked(td, page, hpa, raw);
        }
    }

    /** TDH.MEM.RD for a debug TD. */
    byte[] debugRead(long handle, long gpa, int length) {
        checkAccessRange(gpa, length);
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.params == null || !TdAttributes.isDebug(td.params.attributes())) {
                throw td.refuse("TDH.MEM.RD", TdxStatus.TDX_TD_NON_DEBUG, "the TD's ATTRIBUTES do not set DEBUG");
            }
            td.log("TDH.MEM.RD", TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X length=%d", gpa, length));
        }
        return read(handle, gpa, length);
    }
}
