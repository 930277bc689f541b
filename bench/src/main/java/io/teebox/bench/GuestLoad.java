package io.teebox.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.osgi.framework.BundleContext;

/**
 * A bounded load client for concurrent guests (issue 17's "1,000 guests, memory at most 1.2x the touched pages"): it
 * starts the platform embedded (the distribution's bundles), raises the machine's limits through ConfigAdmin (ASIDs
 * to Genoa's 1006, the hypervisor's guest count and host memory), then launches guests of the given types in turn,
 * each writing a number of pages from inside, and reports the launch time of the first and the last tenth, the
 * resident (touched) pages, and the heap the guests hold after a full GC as a ratio to the touched bytes. Bounded by
 * the guest count and a time. Usage: {@code java -cp bench/target/benchmarks.jar io.teebox.bench.GuestLoad
 * [--teebox JAR] [--guests N] [--types sev,sev-snp] [--pages P] [--seconds T]}.
 */
public final class GuestLoad {

    private GuestLoad() {
    }

    /**
     * @param args options, see the class comment
     * @throws Exception if the platform does not start or a launch fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = EmbeddedTeebox.options(args, Map.of("--teebox", "distribution/target/teebox.jar",
                "--guests", "1000", "--types", "sev,sev-snp", "--pages", "16", "--seconds", "300"));
        long deadline = System.nanoTime() + Long.parseLong(o.get("--seconds")) * 1_000_000_000L;
        EmbeddedTeebox.withPlatform(o, "teebox-guest-load", ctx -> run(ctx, Integer.parseInt(o.get("--guests")),
                List.of(o.get("--types").split(",")), Integer.parseInt(o.get("--pages")), deadline));
    }

    private static void configure(BundleContext ctx, String pid, Map<String, Object> props) throws Exception {
        Object ca = EmbeddedTeebox.waitFor(ctx, "org.osgi.service.cm.ConfigurationAdmin");
        Class<?> caType = ca.getClass().getClassLoader().loadClass("org.osgi.service.cm.ConfigurationAdmin");
        Object c = caType.getMethod("getConfiguration", String.class, String.class).invoke(ca, pid, "?");
        Dictionary<String, Object> d = new Hashtable<>(props);
        c.getClass().getMethod("update", Dictionary.class).invoke(c, d);
    }

    private static long heapAfterGc(MemoryMXBean mem) throws InterruptedException {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
            min = Math.min(min, mem.getHeapMemoryUsage().getUsed());
        }
        return min;
    }

    private static void run(BundleContext ctx, int guests, List<String> types, int pages, long deadline)
            throws Exception {
        configure(ctx, "io.teebox.amd.sp", Map.of("maxAsid", 1006, "minSevAsid", 1006 - guests / 2));
        configure(ctx, "io.teebox.hypervisor", Map.of("maxGuests", guests + 10, "hostMemoryMiB", 1 << 20));
        Object hv = EmbeddedTeebox.waitFor(ctx, "io.teebox.api.hypervisor.Hypervisor");
        Class<?> hvType = EmbeddedTeebox.api(ctx, "io.teebox.api.hypervisor.Hypervisor");
        Method context = hvType.getMethod("context", String.class);
        Method write = EmbeddedTeebox.api(ctx, "io.teebox.api.guest.GuestContext").getMethod("write", long.class,
                byte[].class);
        Method accept = EmbeddedTeebox.api(ctx, "io.teebox.api.guest.GuestContext").getMethod("accept", long.class,
                boolean.class);
        Method list = hvType.getMethod("guests");
        // the backends come up with the new limits (the AMD SP re-reads its configuration)
        EmbeddedTeebox.shell(ctx, "guest:create -t sev probe; guest:launch probe; guest:destroy probe");
        Thread.sleep(1000);
        MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
        long base = heapAfterGc(mem);
        long[] launchNanos = new long[guests];
        int launched = 0;
        byte[] data = new byte[4096];
        Arrays.fill(data, (byte) 0x5A);
        for (int i = 0; i < guests && System.nanoTime() < deadline; i++) {
            String type = types.get(i % types.size());
            String name = "load-" + i;
            long t0 = System.nanoTime();
            EmbeddedTeebox.shell(ctx, "guest:create -t " + type + " --memory 64M " + name + "; guest:launch " + name);
            launchNanos[i] = System.nanoTime() - t0;
            Object gc = context.invoke(hv, name);
            for (int p = 0; p < pages; p++) {
                if (type.equals("sev-snp")) {
                    accept.invoke(gc, 0x100000L + p * 4096L, true); // PVALIDATE before first use, as the guest does
                }
                write.invoke(gc, 0x100000L + p * 4096L, data);
            }
            launched++;
        }
        long held = heapAfterGc(mem) - base;
        long resident = 0;
        Class<?> info = EmbeddedTeebox.api(ctx, "io.teebox.api.hypervisor.GuestInfo");
        Method residentPages = null;
        for (Method m : info.getMethods()) {
            if (m.getName().equals("residentPages")) {
                residentPages = m;
            }
        }
        for (Object g : (List<?>) list.invoke(hv)) {
            resident += residentPages == null ? 0 : ((Number) residentPages.invoke(g)).longValue();
        }
        int tenth = Math.max(1, launched / 10);
        double first = Arrays.stream(launchNanos, 0, tenth).average().orElse(0) / 1e6;
        double last = Arrays.stream(launchNanos, launched - tenth, launched).average().orElse(0) / 1e6;
        long touched = resident * 4096;
        System.out.printf(Locale.ROOT, "%d guests (%s), %d pages written by each%n", launched, String.join(", ",
                types), pages);
        System.out.printf(Locale.ROOT, "  launch: first tenth %.1f ms, last tenth %.1f ms each (ratio %.2f)%n", first,
                last, last / first);
        System.out.printf(Locale.ROOT, "  resident pages %d (%.1f MiB touched); heap held by the guests %.1f MiB = "
                + "%.2fx the touched bytes (goal <= 1.2x)%n", resident, touched / 1048576.0, held / 1048576.0,
                touched == 0 ? Double.NaN : (double) held / touched);
        // for bench/run: guests, heap/touched, first and last tenth's launch ms
        System.out.printf(Locale.ROOT, "guests-heap-ratio %d %.3f %.1f %.1f%n", launched, touched == 0 ? Double.NaN
                : (double) held / touched, first, last);
        if (launched < guests) {
            System.out.printf(Locale.ROOT, "  stopped at the time bound after %d of %d guests%n", launched, guests);
        }
    }
}
