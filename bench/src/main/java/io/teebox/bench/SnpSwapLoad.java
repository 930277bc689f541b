package io.teebox.bench;

import io.teebox.amd.snp.internal.SnpBackend;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.Rmp;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A bounded load client of the SNP backend swap: N running SEV-SNP guests (the built-in firmware launched in QEMU's
 * order, plus P private pages each assigned and validated in the RMP, as a guest's touched memory is) on one secure
 * processor; then the backend is replaced by a new instance on the same secure processor, as an update of the
 * backend's bundle does, and the new backend is asked for every guest's state, which is what the hypervisor's
 * resume of the guests waiting for their backend does ({@code LaunchService.status} per guest). It reports the CPU
 * time of the swapping thread until every guest answered RUNNING (wall time on a loaded machine mostly measures the
 * other processes) and the RMP pages of every guest before and after (none may be lost).
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.teebox.bench.SnpSwapLoad [--guests 200] [--pages 256]
 * [--rounds 7] [--query state|status]}
 * ({@code status}: each guest's whole status, as the resume asked before the state query); prints one line {@code swap-ms <first> <median> <min> pages <before> <after> lost <n>} last (the first round
 * runs the code cold, as a swap in a running process does).
 */
public final class SnpSwapLoad {

    private static final java.lang.management.ThreadMXBean CPU =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private SnpSwapLoad() {
    }

    /** A guest's memory at its own host range, so that guests' pages never share a host page. */
    static final class RangeMemory implements GuestMemory {
        final Map<Long, byte[]> pages = new HashMap<>();
        final byte[][] saveAreas;
        final long base;

        RangeMemory(long base, int vcpus) {
            this.base = base;
            this.saveAreas = new byte[vcpus][4096];
        }

        void place(long gpa, byte[] data) {
            for (int off = 0; off < data.length; off += 4096) {
                pages.put(gpa + off, Arrays.copyOfRange(data, off, Math.min(off + 4096, data.length)));
            }
        }

        @Override
        public long hostPhysicalAddress(long gpa) {
            // the guest's 4 GiB below its base: GPAs of the firmware are just under 4 GiB
            return base + (gpa & 0xFFFF_FFFFL & ~0xFFFL);
        }

        @Override
        public byte[] readPage(long gpa) {
            byte[] p = pages.get(gpa);
            return p == null ? new byte[4096] : Arrays.copyOf(p, 4096);
        }

        @Override
        public void writePage(long gpa, byte[] raw) {
            pages.put(gpa, raw.clone());
        }

        @Override
        public int vcpuCount() {
            return saveAreas.length;
        }

        @Override
        public byte[] readSaveArea(int vcpu) {
            return saveAreas[vcpu].clone();
        }

        @Override
        public void writeSaveArea(int vcpu, byte[] raw, boolean encrypted) {
            saveAreas[vcpu] = raw.clone();
        }
    }

    /** The running guests of one secure processor. */
    static final class Platform {
        final AmdSecureProcessor sp = AmdPlatforms.processor(Map.of("maxAsid", 1006, "minSevAsid", 1000));
        final List<Long> handles = new ArrayList<>();
        final List<Integer> asids = new ArrayList<>();

        Platform(int guests, int pages) {
            SnpBackend backend = new SnpBackend(sp);
            OvmfImage image = DefaultFirmware.parsed();
            byte[] firmware = image.bytes();
            long sig = CpuModels.signature("EPYC-Milan");
            for (int g = 0; g < guests; g++) {
                RangeMemory mem = new RangeMemory((long) (g + 1) << 32, 1);
                LaunchSession s = backend.begin(new LaunchRequest(0x30000, Map.of(), 1, "guest-" + g), mem);
                mem.place(image.loadAddress(), firmware);
                s.addPages(image.loadAddress(), firmware.length, PageType.NORMAL);
                for (SevMetadataSection m : image.sevMetadata()) {
                    PageType t = switch (m.type()) {
                        case SNP_SECRETS -> PageType.SECRETS;
                        case CPUID -> PageType.CPUID;
                        default -> PageType.ZERO;
                    };
                    s.addPages(m.gpa(), m.size(), t);
                }
                mem.saveAreas[0] = Vmsa.qemuReset(Vmsa.BSP_EIP, sig, 1);
                s.addVcpuState(0);
                s.measure();
                s.finish();
                int asid = sp.context(s.handle()).asid();
                // the guest's private memory: RMPUPDATE by the host, PVALIDATE by the guest
                for (int p = 0; p < pages; p++) {
                    long gpa = 0x10_0000L + 0x1000L * p;
                    long hpa = mem.hostPhysicalAddress(gpa);
                    sp.rmp().update(hpa, asid, gpa);
                    if (sp.rmp().pvalidate(asid, gpa, hpa, true) != Rmp.PVALIDATE_OK) {
                        throw new IllegalStateException("PVALIDATE failed for guest " + g + " GPA " + gpa);
                    }
                }
                handles.add(s.handle());
                asids.add(asid);
            }
        }

        /** @return the RMP pages of every guest */
        long pages() {
            long n = 0;
            for (int asid : asids) {
                n += sp.rmp().entries(asid).size();
            }
            return n;
        }

        /**
         * The swap: a new backend on the same secure processor answers every guest's state.
         *
         * @param status ask each guest's whole status (what the resume asked before it had the state query)
         *
         * @return CPU nanoseconds of this thread until all answered RUNNING (the machine's load does not distort it;
         *     the swap runs on one thread)
         */
        long swap(boolean status) {
            long t0 = CPU.getCurrentThreadCpuTime();
            SnpBackend next = new SnpBackend(sp);
            for (long h : handles) {
                String state = status ? next.status(h).state() : next.state(h);
                if (!"RUNNING".equals(state)) {
                    throw new IllegalStateException("guest " + h + " is " + state + " after the swap");
                }
            }
            return CPU.getCurrentThreadCpuTime() - t0;
        }
    }

    /**
     * @param args {@code --guests N --pages P --rounds R}
     */
    public static void main(String[] args) {
        int guests = 200;
        int pages = 256;
        int rounds = 7;
        boolean status = false;
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--guests" -> guests = positive("--guests", v);
                case "--pages" -> pages = positive("--pages", v);
                case "--rounds" -> rounds = positive("--rounds", v);
                case "--query" -> status = switch (String.valueOf(v)) {
                    case "status" -> true;
                    case "state" -> false;
                    default -> throw new IllegalArgumentException("SnpSwapLoad: --query is state or status, got "
                            + v);
                };
                default -> throw new IllegalArgumentException("SnpSwapLoad: unknown argument " + args[i]
                        + " (expected --guests, --pages, --rounds, --query)");
            }
            i++;
        }
        long t0 = System.nanoTime();
        Platform p = new Platform(guests, pages);
        long before = p.pages();
        System.out.printf("%d SNP guests launched with %d private pages each in %.1f s; %d RMP pages%n", guests,
                pages, (System.nanoTime() - t0) / 1e9, before);
        long[] ms = new long[rounds];
        StringBuilder each = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
            ms[r] = p.swap(status) / 1000;
            each.append(String.format(" %.1f", ms[r] / 1000.0));
        }
        System.out.println("swap CPU ms by round (the first with the code cold, as a swap in a running process):" + each);
        long first = ms[0];
        long after = p.pages();
        Arrays.sort(ms);
        System.out.printf("swap-ms %.2f %.2f %.2f pages %d %d lost %d%n", first / 1000.0, ms[rounds / 2] / 1000.0,
                ms[0] / 1000.0, before, after, before - after);
    }

    private static int positive(String name, String v) {
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException("SnpSwapLoad: " + name + " needs a positive number, got " + v);
    }
}
