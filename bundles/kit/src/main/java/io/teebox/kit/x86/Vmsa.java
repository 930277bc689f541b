package io.teebox.kit.x86;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The SEV-ES/SNP VM save area (VMSA): the 4 KiB page holding a vCPU's encrypted register state, laid out as
 * {@code struct sev_es_save_area} (AMD APM vol. 2 table B-4; field names as in virtee/sev-snp-measure
 * {@code vmsa.py}). Segment registers are four fields each: {@code cs.selector} (u16), {@code cs.attrib} (u16),
 * {@code cs.limit} (u32), {@code cs.base} (u64). Reserved parts are not checked: hardware owns them.
 */
public final class Vmsa {

    /** The VMSA size. */
    public static final int SIZE = 4096;
    /** The bootstrap processor's reset EIP. */
    public static final long BSP_EIP = 0xFFFF_FFF0L;

    private static final List<String> SEGMENTS = List.of("es", "cs", "ss", "ds", "fs", "gs", "gdtr", "ldtr", "idtr", "tr");

    /** The layout, named "VMSA". */
    public static final Layout LAYOUT = layout();

    private Vmsa() {
    }

    private static Layout layout() {
        Layout.Builder b = Layout.define("VMSA", SIZE);
        for (int i = 0; i < SEGMENTS.size(); i++) {
            String s = SEGMENTS.get(i);
            b.u16(s + ".selector", i * 16).u16(s + ".attrib", i * 16 + 2).u32(s + ".limit", i * 16 + 4)
                    .u64(s + ".base", i * 16 + 8);
        }
        b.u64("vmpl0_ssp", 0x0A0).u64("vmpl1_ssp", 0x0A8).u64("vmpl2_ssp", 0x0B0).u64("vmpl3_ssp", 0x0B8)
                .u64("u_cet", 0x0C0).u8("vmpl", 0x0CA).u8("cpl", 0x0CB).u64("efer", 0x0D0)
                .u64("xss", 0x140).u64("cr4", 0x148).u64("cr3", 0x150).u64("cr0", 0x158).u64("dr7", 0x160)
                .u64("dr6", 0x168).u64("rflags", 0x170).u64("rip", 0x178)
                .u64("dr0", 0x180).u64("dr1", 0x188).u64("dr2", 0x190).u64("dr3", 0x198)
                .u64("dr0_addr_mask", 0x1A0).u64("dr1_addr_mask", 0x1A8).u64("dr2_addr_mask", 0x1B0)
                .u64("dr3_addr_mask", 0x1B8)
                .u64("rsp", 0x1D8).u64("s_cet", 0x1E0).u64("ssp", 0x1E8).u64("isst_addr", 0x1F0).u64("rax", 0x1F8)
                .u64("star", 0x200).u64("lstar", 0x208).u64("cstar", 0x210).u64("sfmask", 0x218)
                .u64("kernel_gs_base", 0x220).u64("sysenter_cs", 0x228).u64("sysenter_esp", 0x230)
                .u64("sysenter_eip", 0x238).u64("cr2", 0x240)
                .u64("g_pat", 0x268).u64("dbgctrl", 0x270).u64("br_from", 0x278).u64("br_to", 0x280)
                .u64("last_excp_from", 0x288).u64("last_excp_to", 0x290)
                .u32("pkru", 0x2E8)
                .u64("rcx", 0x308).u64("rdx", 0x310).u64("rbx", 0x318).u64("rbp", 0x328).u64("rsi", 0x330)
                .u64("rdi", 0x338);
        for (int r = 8; r <= 15; r++) {
            b.u64("r" + r, 0x340 + (r - 8) * 8);
        }
        b.u64("guest_exit_info_1", 0x390).u64("guest_exit_info_2", 0x398).u64("guest_exit_int_info", 0x3A0)
                .u64("guest_nrip", 0x3A8).u64("sev_features", 0x3B0).u64("vintr_ctrl", 0x3B8)
                .u64("guest_exit_code", 0x3C0).u64("virtual_tom", 0x3C8).u64("tlb_id", 0x3D0)
                .u64("pcpu_id", 0x3D8).u64("event_inj", 0x3E0).u64("xcr0", 0x3E8)
                .u64("x87_dp", 0x400).u32("mxcsr", 0x408).u16("x87_ftw", 0x40C).u16("x87_fsw", 0x40E)
                .u16("x87_fcw", 0x410).u16("x87_fop", 0x412).u16("x87_ds", 0x414).u16("x87_cs", 0x416)
                .u64("x87_rip", 0x418).bytes("fpreg_x87", 0x420, 80).bytes("fpreg_xmm", 0x470, 256)
                .bytes("fpreg_ymm", 0x570, 256);
        return b.build();
    }

    /**
     * Builds the VMSA QEMU (with KVM) gives a vCPU at reset, exactly as virtee/sev-snp-measure 0.0.13 does for the
     * QEMU VMM type: real mode, CS selector 0xF000 with base {@code eip & 0xFFFF0000} and RIP {@code eip & 0xFFFF},
     * EFER.SVME, CR4.MCE, CR0.ET, DR6/DR7 and RFLAGS at their reset values, the default PAT, RDX = the CPU
     * signature, XCR0 = 1, MXCSR = 0x1F80, x87 FCW = 0x37F.
     *
     * @param eip the reset EIP: {@link #BSP_EIP} for the bootstrap processor, the firmware's SEV-ES AP reset EIP
     *        for the others
     * @param cpuSignature CPUID(1).EAX of the vCPU model (see {@link CpuModels#signature(String)})
     * @param sevFeatures the SEV_FEATURES value: 0 for SEV-ES, 1 (SNPActive) or more for SNP
     * @return the 4096-byte page
     * @throws IllegalArgumentException if eip or cpuSignature does not fit 32 bits
     */
    public static byte[] qemuReset(long eip, long cpuSignature, long sevFeatures) {
        if (eip < 0 || eip > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("reset EIP 0x%X does not fit 32 bits", eip));
        }
        if (cpuSignature < 0 || cpuSignature > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException(String.format("CPU signature 0x%X does not fit 32 bits",
                    cpuSignature));
        }
        Struct v = LAYOUT.create();
        segment(v, "es", 0, 0x93, 0xFFFF, 0);
        segment(v, "cs", 0xF000, 0x9B, 0xFFFF, eip & 0xFFFF_0000L);
        segment(v, "ss", 0, 0x93, 0xFFFF, 0);
        segment(v, "ds", 0, 0x93, 0xFFFF, 0);
        segment(v, "fs", 0, 0x93, 0xFFFF, 0);
        segment(v, "gs", 0, 0x93, 0xFFFF, 0);
        segment(v, "gdtr", 0, 0, 0xFFFF, 0);
        segment(v, "idtr", 0, 0, 0xFFFF, 0);
        segment(v, "ldtr", 0, 0x82, 0xFFFF, 0);
        segment(v, "tr", 0, 0x8B, 0xFFFF, 0);
        v.set("efer", 0x1000) // KVM sets EFER.SVME
                .set("cr4", 0x40) // CR4.MCE
                .set("cr0", 0x10)
                .set("dr7", 0x400)
                .set("dr6", 0xFFFF0FF0L)
                .set("rflags", 0x2)
                .set("rip", eip & 0xFFFF)
                .set("g_pat", 0x0007040600070406L)
                .set("rdx", cpuSignature)
                .set("sev_features", sevFeatures)
                .set("xcr0", 0x1)
                .set("mxcsr", 0x1F80)
                .set("x87_fcw", 0x37F);
        return v.toBytes();
    }

    /**
     * Decodes the main registers for display.
     *
     * @param vmsa a 4096-byte VMSA
     * @return register name to value, in a fixed order: rip, rsp, rax, rbx, rcx, rdx, rbp, rsi, rdi, rflags,
     *         cr0, cr2, cr3, cr4, efer, xcr0, cs.selector, cs.base, ss.selector, vmpl, cpl, sev_features, g_pat,
     *         mxcsr, x87_fcw
     * @throws io.teebox.kit.codec.MalformedStructureException if the page is not 4096 bytes
     */
    public static Map<String, Long> registers(byte[] vmsa) {
        Objects.requireNonNull(vmsa, "vmsa");
        Struct v = LAYOUT.parse(vmsa);
        Map<String, Long> out = new LinkedHashMap<>();
        for (String r : List.of("rip", "rsp", "rax", "rbx", "rcx", "rdx", "rbp", "rsi", "rdi", "rflags", "cr0",
                "cr2", "cr3", "cr4", "efer", "xcr0")) {
            out.put(r, v.u64(r));
        }
        out.put("cs.selector", (long) v.u16("cs.selector"));
        out.put("cs.base", v.u64("cs.base"));
        out.put("ss.selector", (long) v.u16("ss.selector"));
        out.put("vmpl", (long) v.u8("vmpl"));
        out.put("cpl", (long) v.u8("cpl"));
        out.put("sev_features", v.u64("sev_features"));
        out.put("g_pat", v.u64("g_pat"));
        out.put("mxcsr", v.u32("mxcsr"));
        out.put("x87_fcw", (long) v.u16("x87_fcw"));
        return out;
    }

    private static void segment(Struct v, String s, int selector, int attrib, long limit, long base) {
        v.set(s + ".selector", selector).set(s + ".attrib", attrib).set(s + ".limit", limit).set(s + ".base", base);
    }
}
