package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.PageType;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdMeasurement;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import java.security.SecureRandom;
import java.util.List;

/**
 * Builds TDs, the SEAMCALLs from TDH.MNG.CREATE to TDH.VP.ENTER: the TD's context, HKID and keys, TD_PARAMS as
 * TDH.MNG.INIT checks them, the pages added and measured into MRTD (TDH.MEM.PAGE.ADD, TDH.MR.EXTEND), the vCPUs'
 * initial state, TDH.MR.FINALIZE. Every call is logged in the TD's log with the status it returned.
 */
final class TdBuilder {

    /** TDVPS page "addresses" the vCPU save areas are encrypted at (they live in TDX-module-owned memory). */
    static final long TDVPS_BASE = 0x7FFF_0000_0000L;

    private final TdTable tds;
    private final SecureRandom random = new SecureRandom();

    TdBuilder(TdTable tds) {
        this.tds = tds;
    }

    /**
     * TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG, TDH.MNG.ADDCX, TDH.MNG.INIT and TDH.VP.CREATE per vCPU. On a refusal the
     * context is torn down again (TDH.MNG.KEY.FREEID) and the exception thrown.
     */
    long create(LaunchRequest request, GuestMemory memory) {
        return build(request, memory).handle;
    }

    TdContext build(LaunchRequest request, GuestMemory memory) {
        checkVcpuType(request.vcpuType());
        TdParams params = tdParams(request);
        TdContext td = tds.allocate();
        int hkid = td.hkid;
        td.memory = memory;
        td.vcpus = request.vcpuCount();
        td.vcpuInitialized = new boolean[td.vcpus];
        synchronized (td) {
            td.log("TDH.MNG.CREATE", TdxStatus.TDX_SUCCESS, String.format("TDR handle=%d HKID=%d", td.handle, hkid));
            tds.register(td);
            try {
                td.keys = MemoryKeys.random(random);
                td.lifecycle = TdContext.Lifecycle.KEYS_CONFIGURED;
                td.log("TDH.MNG.KEY.CONFIG", TdxStatus.TDX_SUCCESS, String.format("HKID %d: fresh AES-XTS-128 key "
                        + "and MAC integrity key programmed into the memory controller of package 0", hkid));
                td.log("TDH.MNG.ADDCX", TdxStatus.TDX_SUCCESS, "TDCS pages added");
                mngInit(td, params, request.policy());
                for (int i = 0; i < td.vcpus; i++) {
                    if (i >= params.maxVcpus()) {
                        throw td.refuse("TDH.VP.CREATE", TdxStatus.TDX_MAX_VCPUS_EXCEEDED, String.format(
                                "vCPU %d exceeds TD_PARAMS.MAX_VCPUS %d", i, params.maxVcpus()));
                    }
                    td.log("TDH.VP.CREATE", TdxStatus.TDX_SUCCESS, "vcpu=" + i + " TDVPR created");
                    td.log("TDH.VP.ADDCX", TdxStatus.TDX_SUCCESS, "vcpu=" + i + " TDVPS pages added");
                }
                return td;
            } catch (RuntimeException e) {
                tds.remove(td);
                td.log("TDH.MNG.KEY.FREEID", TdxStatus.TDX_SUCCESS, "HKID " + hkid + " freed after the refused build");
                throw e;
            }
        }
    }

    /**
     * The vCPU models a TD can present: QEMU's Intel models of TDX-capable CPUs (and their short names), or the host
     * CPU. The model is not measured (CPUID is virtualized through TD_PARAMS.CPUID_CONFIG), but an AMD model on the
     * TDX module is a configuration error.
     */
    static final List<String> VCPU_TYPES = List.of("host", "SPR", "SapphireRapids", "EMR", "EmeraldRapids", "GNR",
            "GraniteRapids");

    static void checkVcpuType(String vcpuType) {
        String base = vcpuType == null ? "" : vcpuType.replaceFirst("-v[0-9]+$", "");
        if (VCPU_TYPES.stream().noneMatch(t -> t.equalsIgnoreCase(base))) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("TDH.MNG.INIT: vCPU type '" + vcpuType + "' is not an Intel "
                    + "TDX-capable CPU model; a TD runs on the host's Intel CPU: one of " + VCPU_TYPES
                    + " (QEMU's -vN versions too)");
        }
    }

    private static TdParams tdParams(LaunchRequest request) {
        byte[] raw = request.ownerParameter(Tdx.OWNER_TD_PARAMS);
        if (raw == null) {
            return TdParams.defaults(request.policy(), Math.max(request.vcpuCount(), 1));
        }
        try {
            return TdParams.parse(raw);
        } catch (MalformedStructureException e) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("TDH.MNG.INIT: TD_PARAMS is malformed: " + e.getMessage());
        }
    }

    private void mngInit(TdContext td, TdParams p, long policy) {
        String cmd = "TDH.MNG.INIT";
        if (p.attributes() != policy) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("TD_PARAMS.ATTRIBUTES 0x%X differs from "
                    + "the launch policy 0x%X", p.attributes(), policy));
        }
        if ((p.attributes() & ~TdAttributes.SUPPORTED) != 0) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("ATTRIBUTES 0x%016X sets bits 0x%X "
                    + "that this module does not support", p.attributes(), p.attributes() & ~TdAttributes.SUPPORTED));
        }
        if ((p.xfam() & 0x3) != 0x3) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("XFAM 0x%X lacks x87 and SSE (bits 0 "
                    + "and 1 must be set)", p.xfam()));
        }
        if (p.maxVcpus() < 1) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "MAX_VCPUS is 0, expected at least 1");
        }
        long eptp = p.eptpControls();
        long walk = (eptp >> 3) & 0x7;
        if ((eptp & 0x7) != 6 || (walk != 3 && walk != 4) || (eptp & ~0x3FL) != 0) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("EPTP_CONTROLS 0x%X is not write-back "
                    + "(6) with a 4- or 5-level walk (0x1E or 0x26)", eptp));
        }
        if ((p.configFlags() & ~(TdParams.CONFIG_MAX_GPAW | TdParams.CONFIG_NO_RBP_MOD)) != 0) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("CONFIG_FLAGS 0x%X sets reserved bits",
                    p.configFlags()));
        }
        if (p.tscFrequency() < 4 || p.tscFrequency() > 400) {
            throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "TSC_FREQUENCY " + p.tscFrequency()
                    + " (x 25 MHz) is outside 4..400 (100 MHz..10 GHz)");
        }
        td.params = p;
        td.building = new TdMeasurement();
        td.op = TdContext.OpState.INITIALIZED;
        td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("ATTRIBUTES=0x%X (%s) XFAM=0x%X MAX_VCPUS=%d GPAW=%d",
                p.attributes(), TdAttributes.describe(p.attributes()), p.xfam(), p.maxVcpus(),
                p.sharedBit() == 51 ? 52 : 48));
    }

    /** TDH.MEM.PAGE.ADD per page, and TDH.MR.EXTEND of its 16 chunks for NORMAL pages. */
    void addPages(long handle, long gpa, long length, PageType type) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            String cmd = "TDH.MEM.PAGE.ADD";
            switch (type) {
                case NORMAL, UNMEASURED -> {
                }
                default -> throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "TDX has no " + type + " pages: "
                        + "TDH.MEM.PAGE.ADD copies a host page into the TD, measured (MR.EXTEND) or not; there is no "
                        + "zero, secrets or CPUID page type");
            }
            if ((gpa & (TdContext.PAGE - 1)) != 0 || gpa < 0 || length < 0) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X is not 4 KiB aligned", gpa));
            }
            if (td.op != TdContext.OpState.INITIALIZED) {
                throw td.refuse(cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op
                        + "; pages can be added only between TDH.MNG.INIT and TDH.MR.FINALIZE");
            }
            long pages = (length + TdContext.PAGE - 1) / TdContext.PAGE;
            for (long i = 0; i < pages; i++) {
                long p = gpa + i * TdContext.PAGE;
                if (td.isShared(p)) {
                    throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, String.format("GPA 0x%X has the shared bit %d "
                            + "set; only private pages are added", p, td.params.sharedBit()));
                }
                if (td.sept.containsKey(p)) {
                    throw td.refuse(cmd, TdxStatus.TDX_EPT_ENTRY_NOT_FREE, String.format("GPA 0x%X is mapped already",
                            p));
                }
                byte[] plain = td.memory.readPage(p);
                long hpa = td.memory.hostPhysicalAddress(p);
                byte[] ct = td.keys.encrypt(hpa, plain);
                td.macs.put(hpa, td.keys.macs(hpa, ct));
                td.memory.writePage(p, ct);
                td.map(p, hpa, TdContext.PageState.MAPPED);
                td.building.pageAdd(p);
                td.log(cmd, TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X hpa=0x%X%s", p, hpa,
                        type == PageType.UNMEASURED ? " (GPA measured, content not)" : ""));
                if (type == PageType.NORMAL) {
                    for (int c = 0; c < TdContext.PAGE; c += TdMeasurement.EXTEND_CHUNK) {
                        byte[] chunk = new byte[TdMeasurement.EXTEND_CHUNK];
                        System.arraycopy(plain, c, chunk, 0, chunk.length);
                        td.building.extend(p + c, chunk);
                        td.log("TDH.MR.EXTEND", TdxStatus.TDX_SUCCESS, String.format("gpa=0x%X", p + c));
                    }
                }
            }
        }
    }

    /** TDH.VP.INIT: the vCPU's TDVPS gets its initial state, encrypted with the TD's key. */
    void vpInit(long handle, int vcpu) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            String cmd = "TDH.VP.INIT";
            if (vcpu < 0 || vcpu >= td.vcpus) {
                throw td.refuse(cmd, TdxStatus.TDX_OPERAND_INVALID, "vCPU " + vcpu + " was not created (the TD has "
                        + td.vcpus + ")");
            }
            if (td.op != TdContext.OpState.INITIALIZED) {
                throw td.refuse(cmd, TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op);
            }
            if (td.vcpuInitialized[vcpu]) {
                throw td.refuse(cmd, TdxStatus.TDX_VCPU_STATE_INCORRECT, "vCPU " + vcpu + " is initialized already");
            }
            byte[] vps = new byte[TdContext.PAGE];
            LittleEndian.put64(vps, 0x00, 0xFFFF_FFF0L); // RIP: the reset vector
            LittleEndian.put64(vps, 0x08, 0x2L); // RFLAGS
            LittleEndian.put64(vps, 0x10, 0x21L); // CR0: PE | NE
            LittleEndian.put64(vps, 0x18, 0x40L); // CR4: MCE
            LittleEndian.put64(vps, 0x20, vcpu); // RCX/R8: the vCPU index the TDVF reads
            byte[] ct = td.keys.encrypt(TDVPS_BASE + (long) vcpu * TdContext.PAGE, vps);
            td.memory.writeSaveArea(vcpu, ct, true);
            td.vcpuInitialized[vcpu] = true;
            td.log(cmd, TdxStatus.TDX_SUCCESS, "vcpu=" + vcpu + " initial RIP 0xFFFFFFF0 in the TDVPS, encrypted with "
                    + "HKID " + td.hkid);
        }
    }

    /** TDH.MR.FINALIZE: MRTD is fixed and the TD becomes runnable. */
    byte[] finalizeMr(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.op != TdContext.OpState.INITIALIZED) {
                throw td.refuse("TDH.MR.FINALIZE", TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op
                        + "; MRTD can be finalized once, after TDH.MNG.INIT");
            }
            td.mrtd = td.building.finish();
            td.log("TDH.MR.FINALIZE", TdxStatus.TDX_SUCCESS, String.format("MRTD=%s (%d pages added, %d chunks "
                    + "extended)", Hex.encode(td.mrtd), td.building.pagesAdded(), td.building.chunksExtended()));
            td.building = null;
            td.op = TdContext.OpState.RUNNABLE;
            return td.mrtd.clone();
        }
    }

    /** TDH.VP.ENTER of vCPU 0: the TD runs. */
    void enter(long handle) {
        TdContext td = tds.td(handle);
        synchronized (td) {
            if (td.op != TdContext.OpState.RUNNABLE) {
                throw td.refuse("TDH.VP.ENTER", TdxStatus.TDX_OP_STATE_INCORRECT, "the TD is " + td.op
                        + "; it runs after TDH.MR.FINALIZE");
            }
            for (int i = 0; i < td.vcpus; i++) {
                if (!td.vcpuInitialized[i]) {
                    throw td.refuse("TDH.VP.ENTER", TdxStatus.TDX_VCPU_STATE_INCORRECT, "vCPU " + i
                            + " has not been initialized (TDH.VP.INIT)");
                }
            }
            td.launched = true;
            td.log("TDH.VP.ENTER", TdxStatus.TDX_SUCCESS, "vcpu=0: the TD runs from 0xFFFFFFF0");
        }
    }
}
