package org.example.cca.rmm.internal;

import io.teebox.api.guest.EventRecord;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeType;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.GuestImageLoader;
import io.teebox.spi.loader.LaunchStaging;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.example.cca.rmm.Cca;
import org.example.cca.rmm.RealmImage;
import org.example.cca.rmm.RmiCommand;
import org.example.cca.rmm.RmiStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * How realms are built, talk to the host and measure themselves at runtime:
 * <ul>
 * <li>the realm image loader ({@link RealmImage}): the device tree and the kernel by RMI_DATA_CREATE, REC 0 at the
 * kernel's entry;</li>
 * <li>the REC exit protocol: a realm's access to an emulated device is a stage-2 data abort on an unprotected IPA;
 * the RMM exits to the host with RMI_EXIT_SYNC and only ESR (ISS: access size, write, register), FAR and HPFAR and,
 * for a store, the value; the host answers in RmiRecEntry.gprs[0] and the RMM writes it into the realm's register.
 * x86 instructions (CPUID, port I/O, MSRs) do not exist on aarch64: the realm takes an Undefined Instruction
 * exception and nothing reaches the host;</li>
 * <li>RSI_MEASUREMENT_READ/EXTEND on the four REMs, with an event log.</li>
 * </ul>
 */
@Component(service = {GuestImageLoader.class, ExitProtocol.class, GuestServices.class}, immediate = true)
@TeeType(Cca.TEE_TYPE)
public final class RealmInterface implements GuestImageLoader, ExitProtocol, GuestServices {

    /** RMI_EXIT_SYNC. */
    static final long RMI_EXIT_SYNC = 0;
    /** ESR_EL2.EC of a data abort from a lower EL. */
    static final long EC_DABT_LOW = 0x24;
    private static final String PATH = "stage-2 data abort on an unprotected IPA -> RMI_EXIT_SYNC (the host sees "
            + "ESR, FAR, HPFAR%s)";

    private final Rmm rmm;

    /** Opens the platform's RMM. */
    @Activate
    public RealmInterface() {
        this.rmm = Rmm.acquire();
    }

    @Deactivate
    void deactivate() {
        Rmm.release();
    }

    // ---- GuestImageLoader ---------------------------------------------------------------------------------------

    @Override
    public void check(GuestImage image, GuestConfig config) {
        if (image.kernel().isPresent()) {
            throw new IllegalArgumentException("a realm image is one file (the kernel the loader places at IPA 0x"
                    + Long.toHexString(RealmImage.KERNEL_IPA) + "): pass it as the firmware, without --kernel");
        }
        image.firmware().ifPresent(f -> {
            if (f.length() == 0 || f.length() > RealmImage.MAX_KERNEL) {
                throw new IllegalArgumentException("a realm image is 1.." + RealmImage.MAX_KERNEL + " bytes, got "
                        + f.length());
            }
        });
        long top = RealmImage.KERNEL_IPA + RealmImage.granules(kernel(image)).length;
        if (top > config.memoryBytes()) {
            throw new IllegalArgumentException(String.format("the realm image ends at IPA 0x%X, beyond the realm's "
                    + "%d bytes of memory", top, config.memoryBytes()));
        }
    }

    private static byte[] kernel(GuestImage image) {
        return image.firmware().map(Bytes::value).orElseGet(RealmImage::defaultKernel);
    }

    @Override
    public void load(GuestImage image, LaunchSession session, LaunchStaging staging) {
        int vcpus = staging.config().vcpus();
        byte[] dtb = RealmImage.deviceTree(vcpus);
        staging.place(RealmImage.DTB_IPA, dtb);
        session.addPages(RealmImage.DTB_IPA, dtb.length, PageType.NORMAL);
        byte[] k = RealmImage.granules(kernel(image));
        staging.place(RealmImage.KERNEL_IPA, k);
        session.addPages(RealmImage.KERNEL_IPA, k.length, PageType.NORMAL);
        if (session instanceof RealmLaunch realm) {
            realm.entry(RealmImage.KERNEL_IPA, RealmImage.DTB_IPA);
        }
        for (int i = 0; i < vcpus; i++) {
            staging.resetVcpu(i, new byte[4096], true); // REC state lives in the RMM's REC granule
            session.addVcpuState(i);
        }
    }

    @Override
    public Map<String, String> describe(byte[] firmware) {
        byte[] k = firmware != null ? firmware : RealmImage.defaultKernel();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("realm image", (firmware == null ? "built-in, " : "") + k.length + " bytes, "
                + RealmImage.granules(k).length / 4096 + " granules at IPA 0x" + Long.toHexString(RealmImage.KERNEL_IPA)
                + ", measured (RMI_DATA_CREATE with RMI_MEASURE_CONTENT)");
        out.put("device tree", "1 granule at IPA 0x" + Long.toHexString(RealmImage.DTB_IPA) + ", measured");
        out.put("REC 0", "RUNNABLE, pc=0x" + Long.toHexString(RealmImage.KERNEL_IPA) + " x0=0x"
                + Long.toHexString(RealmImage.DTB_IPA) + ", measured; other RECs NOT_RUNNABLE (PSCI CPU_ON)");
        return out;
    }

    // ---- ExitProtocol ---------------------------------------------------------------------------------------------

    @Override
    public String name() {
        return "RMI REC exit";
    }

    @Override
    public ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction insn) {
        boolean write;
        switch (insn.kind()) {
            case MMIO_READ -> write = false;
            case MMIO_WRITE -> write = true;
            default -> throw RmiStatus.RMI_ERROR_INPUT.error(insn.kind() + " is not an aarch64 instruction: the realm "
                    + "takes an Undefined Instruction exception and nothing reaches the host");
        }
        int sas = Long.numberOfTrailingZeros(insn.subOperand()); // 0..3 for 1, 2, 4, 8 bytes
        // ESR_EL2: EC data abort, IL, ISS: ISV, SAS, SRT = x0, WnR
        long esr = EC_DABT_LOW << 26 | 1L << 25 | 1L << 24 | (long) sas << 22 | (write ? 1L << 6 : 0);
        Map<String, Long> saw = new LinkedHashMap<>();
        saw.put("exit_reason", RMI_EXIT_SYNC);
        saw.put("esr", esr);
        saw.put("far", insn.operand() & 0xFFF);
        saw.put("hpfar", (insn.operand() >>> 12) << 4);
        if (write) {
            saw.put("gprs[0]", insn.value());
        }
        Map<String, Long> host = guest.emulate(insn);
        Map<String, Long> result = new LinkedHashMap<>();
        if (!write) {
            long v = host.getOrDefault("data", 0L);
            result.put("gprs[0]", v); // RmiRecEntry.gprs[0], which the RMM writes into the realm's x0
            result.put("x0", v);
        }
        synchronized (rmm) {
            rmm.realm(guest.handle()).log(RmiCommand.RMI_REC_ENTER.name(), Rmm.ok(), String.format("after "
                    + "RMI_EXIT_SYNC: emulated MMIO %s at IPA 0x%X", write ? "write" : "read", insn.operand()));
        }
        return guest.record(vcpu, insn, String.format(PATH, write ? " and the stored value" : ""), RMI_EXIT_SYNC, saw,
                result);
    }

    /** aarch64 has no CPUID: the host's vCPU model answers nothing. */
    @Override
    public long[] cpuid(GuestAccess guest, long leaf, long subleaf) {
        return new long[4];
    }

    @Override
    public Map<String, Long> registers(byte[] saveArea, boolean encrypted) {
        return Map.of(); // a REC's registers live in its REC granule, in the realm PAS
    }

    // ---- GuestServices: REMs ------------------------------------------------------------------------------------

    @Override
    public RuntimeMeasurements measurements(GuestAccess guest) {
        long rd = guest.handle();
        return new RuntimeMeasurements() {
            @Override
            public String kind() {
                return "REM";
            }

            @Override
            public int count() {
                return 4;
            }

            /** RSI_MEASUREMENT_READ index 1..4. */
            @Override
            public Bytes read(int index) {
                check(index);
                synchronized (rmm) {
                    return Bytes.of(rmm.realm(rd).rems[index].clone());
                }
            }

            /**
             * RSI_MEASUREMENT_EXTEND index 1..4 with 1..64 bytes: REM = H(REM || value) in the realm's algorithm
             * (TF-RMM {@code measurement_extend}).
             */
            @Override
            public Bytes extend(int index, Bytes digest, EventRecord event) {
                check(index);
                if (digest.length() < 1 || digest.length() > 64) {
                    throw new IllegalArgumentException("RSI_MEASUREMENT_EXTEND takes 1..64 bytes, got "
                            + digest.length());
                }
                synchronized (rmm) {
                    Realm r = rmm.realm(rd);
                    r.rems[index] = r.algorithm.hash(r.rems[index], digest.value());
                    if (event != null) {
                        r.events.add(new EventRecord(index, event.type(), digest, event.data(), event.description()));
                    }
                    return Bytes.of(r.rems[index].clone());
                }
            }

            @Override
            public List<EventRecord> log() {
                synchronized (rmm) {
                    return List.copyOf(rmm.realm(rd).events);
                }
            }
        };
    }

    private static void check(int index) {
        if (index < 0 || index > 3) {
            throw new IllegalArgumentException("REM index " + index + " is not 0..3 (RSI measurement index 1..4)");
        }
    }
}
