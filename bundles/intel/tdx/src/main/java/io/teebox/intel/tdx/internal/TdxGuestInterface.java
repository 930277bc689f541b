package io.teebox.intel.tdx.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.api.guest.EventRecord;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeType;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.TdxGuest;
import io.teebox.intel.tdx.TdxHost;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.TdxMetadataSection;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.GuestImageLoader;
import io.teebox.spi.loader.LaunchStaging;

/**
 * How TDs are built, talk to the host and measure themselves at runtime:
 * <ul>
 * <li>the TDVF loader: each section of the firmware's TDX metadata in order, added (TDH.MEM.PAGE.ADD) and, where its
 * attribute says so, extended into MRTD (TDH.MR.EXTEND); sections marked PAGE.AUG are left for the TD to accept;
 * vCPU state lives in the TDX module;</li>
 * <li>Intel's GHCI: an intercepted instruction raises #VE in the TD, whose handler issues TDG.VP.VMCALL with the
 * instruction's VMX exit reason as sub-function and only its operands in R12..R15; the host answers in R11..R15.
 * The host never sees the TD's registers;</li>
 * <li>the four RTMRs (TDG.MR.RTMR.EXTEND) with the TD's CCEL event log, and {@link TdxGuest} / {@link TdxHost}
 * bound to the TD.</li>
 * </ul>
 */
@Component(service = {GuestImageLoader.class, ExitProtocol.class, GuestServices.class}, immediate = true)
@TeeType(Tdx.TEE_TYPE)
public final class TdxGuestInterface implements GuestImageLoader, ExitProtocol, GuestServices {

    /** How exits are shown. */
    static final String PATH = "#VE -> TDG.VP.VMCALL<Instruction.%s>: the host reads only R12..R15";
    /** Largest firmware section copied into a TD. */
    private static final long MAX_SECTION = 64L << 20;
    /** GHCI sub-functions: the VMX exit reasons of the intercepted instructions. */
    static final long CPUID = 10;
    static final long IO = 30;
    static final long RDMSR = 31;
    static final long WRMSR = 32;
    static final long EPT_VIOLATION = 48;

    private final TdxBackend tdx;

    /** @param tdx the TDX backend */
    @Activate
    public TdxGuestInterface(@Reference TdxBackend tdx) {
        this.tdx = tdx;
    }

    // ---- GuestImageLoader: TDVF ---------------------------------------------------------------------------------

    private static OvmfImage image(GuestImage image) {
        return OvmfImage.parse(image.firmware().map(Bytes::value).orElseGet(DefaultFirmware::image));
    }

    @Override
    public void check(GuestImage guestImage, GuestConfig config) {
        OvmfImage image = image(guestImage);
        if (!image.hasTdxMetadata() || image.tdxMetadata().isEmpty()) {
            throw new IllegalArgumentException("the firmware has no TDX metadata (TDVF descriptor), so a TD cannot be "
                    + "built from it");
        }
        if (guestImage.kernel().isPresent()) {
            throw new IllegalArgumentException("direct kernel boot is not supported for TDVF firmware: TDVF measures "
                    + "a kernel into RTMRs at runtime; launch without --kernel");
        }
        for (TdxMetadataSection s : image.tdxMetadata()) {
            if ((s.attributes() & TdxMetadataSection.ATTR_PAGE_AUG) == 0 && s.memoryDataSize() > MAX_SECTION) {
                throw new IllegalArgumentException(String.format("TDX metadata section at 0x%X is %d bytes; at most "
                        + "%d bytes are loaded", s.memoryAddress(), s.memoryDataSize(), MAX_SECTION));
            }
        }
    }

    @Override
    public void load(GuestImage guestImage, LaunchSession session, LaunchStaging staging) {
        OvmfImage image = image(guestImage);
        byte[] fw = image.bytes();
        for (TdxMetadataSection s : image.tdxMetadata()) {
            if ((s.attributes() & TdxMetadataSection.ATTR_PAGE_AUG) != 0) {
                continue;
            }
            byte[] content = new byte[(int) s.memoryDataSize()];
            System.arraycopy(fw, (int) s.dataOffset(), content, 0, (int) Math.min(s.rawDataSize(), content.length));
            staging.place(s.memoryAddress(), content);
            session.addPages(s.memoryAddress(), content.length, s.extendMr() ? PageType.NORMAL : PageType.UNMEASURED);
        }
        for (int i = 0; i < staging.config().vcpus(); i++) {
            staging.resetVcpu(i, new byte[4096], true);
            session.addVcpuState(i);
        }
    }

    @Override
    public Map<String, String> describe(byte[] firmware) {
        OvmfImage image = OvmfImage.parse(firmware != null ? firmware : DefaultFirmware.image());
        Map<String, String> out = new LinkedHashMap<>();
        if (!image.hasTdxMetadata()) {
            out.put("TDX metadata", "none: no TD can be built from this image");
            return out;
        }
        try {
            for (TdxMetadataSection s : image.tdxMetadata()) {
                // TDVF section: what TDH.MEM.PAGE.ADD copies from the image, and whether MRTD measures it
                String content = s.rawDataSize() == 0 ? "no data in the image"
                        : String.format("image 0x%X+0x%X", s.dataOffset(), s.rawDataSize());
                String measured = s.pageAug() ? "added after launch (PAGE.AUG), not measured"
                        : s.extendMr() ? "measured (MR.EXTEND)" : "added, not extended into MRTD";
                out.put(String.format("TDX metadata 0x%X", s.memoryAddress()), String.format("%s size 0x%X, %s, %s",
                        s.type(), s.memoryDataSize(), content, measured));
            }
        } catch (IllegalArgumentException e) {
            out.put("TDX metadata", "unusable for a TD: " + e.getMessage());
        }
        return out;
    }

    // ---- ExitProtocol: GHCI ---------------------------------------------------------------------------------------

    @Override
    public String name() {
        return "GHCI";
    }

    @Override
    public ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction insn) {
        Map<String, Long> regs = new LinkedHashMap<>();
        regs.put("r10", 0L); // TDG.VP.VMCALL: 0 selects the GHCI-standard sub-functions
        long leaf;
        String name;
        switch (insn.kind()) {
            case CPUID -> {
                leaf = CPUID;
                name = "CPUID";
                regs.put("r12", insn.operand());
                regs.put("r13", insn.subOperand());
            }
            case IN, OUT -> {
                leaf = IO;
                name = "IO";
                regs.put("r12", insn.subOperand());
                regs.put("r13", insn.kind() == GuestInstruction.Kind.OUT ? 1L : 0L);
                regs.put("r14", insn.operand());
                if (insn.kind() == GuestInstruction.Kind.OUT) {
                    regs.put("r15", insn.value());
                }
            }
            case RDMSR -> {
                leaf = RDMSR;
                name = "RDMSR";
                regs.put("r12", insn.operand());
            }
            case WRMSR -> {
                leaf = WRMSR;
                name = "WRMSR";
                regs.put("r12", insn.operand());
                regs.put("r13", insn.value());
            }
            default -> {
                leaf = EPT_VIOLATION;
                name = "EPT_VIOLATION";
                regs.put("r12", insn.subOperand());
                regs.put("r13", insn.kind() == GuestInstruction.Kind.MMIO_WRITE ? 1L : 0L);
                regs.put("r14", insn.operand());
                if (insn.kind() == GuestInstruction.Kind.MMIO_WRITE) {
                    regs.put("r15", insn.value());
                }
            }
        }
        Map<String, Long> saw = new LinkedHashMap<>();
        saw.put("r11", leaf);
        saw.putAll(regs);
        Map<String, Long> host = guest.emulate(insn);
        Map<String, Long> result = new LinkedHashMap<>();
        result.put("r10", 0L); // TDG.VP.VMCALL_SUCCESS
        if (insn.kind() == GuestInstruction.Kind.CPUID) {
            result.put("r12", host.get("rax"));
            result.put("r13", host.get("rbx"));
            result.put("r14", host.get("rcx"));
            result.put("r15", host.get("rdx"));
            // the TD's #VE handler then copies R12..R15 into the registers CPUID architecturally returns
            result.put("rax", host.get("rax"));
            result.put("rbx", host.get("rbx"));
            result.put("rcx", host.get("rcx"));
            result.put("rdx", host.get("rdx"));
        } else if (insn.kind() == GuestInstruction.Kind.RDMSR) {
            result.put("r11", host.get("rdx") << 32 | host.get("rax"));
        } else if (host.containsKey("rax")) {
            result.put("r11", host.get("rax"));
        } else if (host.containsKey("data")) {
            result.put("r11", host.get("data"));
        }
        tdx.module().logCall(guest.handle(), "TDG.VP.VMCALL<Instruction." + name + ">", TdxStatus.TDX_SUCCESS,
                "#VE: the TD passed " + regs.keySet() + " to the host");
        return guest.record(vcpu, insn, String.format(PATH, name), leaf, saw, result);
    }

    @Override
    public long[] cpuid(GuestAccess guest, long leaf, long subleaf) {
        return IntelCpuid.cpuid(guest.config().vcpuType(), leaf, subleaf);
    }

    @Override
    public Map<String, Long> registers(byte[] saveArea, boolean encrypted) {
        // a TD's vCPU state lives in the TDX module's TDVPS pages; the host never reads it
        return Map.of();
    }

    // ---- GuestServices ------------------------------------------------------------------------------------------

    @Override
    public RuntimeMeasurements measurements(GuestAccess guest) {
        long handle = guest.handle();
        return new RuntimeMeasurements() {
            @Override
            public String kind() {
                return "RTMR";
            }

            @Override
            public int count() {
                return 4;
            }

            @Override
            public Bytes read(int index) {
                if (index < 0 || index > 3) {
                    throw new IllegalArgumentException("RTMR index " + index + " is not 0..3");
                }
                return Bytes.of(tdx.module().rtmrs(handle)[index]);
            }

            @Override
            public Bytes extend(int index, Bytes digest, EventRecord event) {
                return Bytes.of(tdx.module().rtmrExtend(handle, index, digest.value(), event == null ? ""
                        : event.description()));
            }

            @Override
            public List<EventRecord> log() {
                List<EventRecord> out = new ArrayList<>();
                for (EventLog.Event e : EventLog.parse(tdx.module().eventLog(handle))) {
                    if (e.eventType() != EventLog.EV_NO_ACTION) {
                        out.add(new EventRecord(e.mrIndex(), e.eventType(), Bytes.of(e.digest()), Bytes.of(e.data()),
                                e.text()));
                    }
                }
                return out;
            }
        };
    }

    @Override
    public <T> Optional<T> extension(Class<T> type, GuestAccess guest) {
        return type == TdxGuest.class ? Optional.of(type.cast(tdx.guest(guest.handle()))) : Optional.empty();
    }

    /**
     * The Secure-EPT state of each resident page: {@code SEPT MAPPED}, {@code PENDING} (added by TDH.MEM.PAGE.AUG,
     * not yet accepted), {@code BLOCKED} or {@code FREE} (not in the Secure EPT: a shared page, or one never added).
     */
    @Override
    public Map<Long, String> pageStates(GuestAccess guest) {
        long handle = guest.handle();
        Map<Long, String> out = new LinkedHashMap<>();
        for (long gpa : guest.residentPages().keySet()) {
            out.put(gpa, "SEPT " + tdx.module().pageState(handle, gpa));
        }
        return out;
    }

    @Override
    public <T> Optional<T> hostExtension(Class<T> type, GuestAccess guest) {
        return type == TdxHost.class ? Optional.of(type.cast(tdx.host(guest.handle()))) : Optional.empty();
    }
}
