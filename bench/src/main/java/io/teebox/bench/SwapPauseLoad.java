package io.teebox.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Version;

/**
 * The pause of a backend swap through a real bundle update, per backend and guest count: the distribution's bundles
 * in an embedded Felix ({@link EmbeddedTeebox}), N running guests of one TEE each with P pages written from inside,
 * then the backend's bundle (the TDX module's for tdx) is updated R times, each from a different jar made from the
 * installed one (Bundle-Version bumped, a newer firmware image in the manifest, {@code Bundle.update(InputStream)}),
 * and the wall time from the update's start until every guest is RUNNING again is the pause. After each update every
 * guest's pages are read back, its key slot must be the one it had, and the backend must report the new firmware.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.teebox.bench.SwapPauseLoad [--types sev,sev-es,sev-snp,tdx]
 * [--guests 10,100,500] [--rounds 5] [--pages 4] [--teebox distribution/target/teebox.jar]}; prints one line
 * {@code swap-pause <tee> <N> <median ms> <max ms> <first ms>} per backend and guest count.
 */
public final class SwapPauseLoad {

    private SwapPauseLoad() {
    }

    /**
     * @param args options, see the class comment
     * @throws Exception if the platform does not start or a check fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = EmbeddedTeebox.options(args, Map.of("--teebox", "distribution/target/teebox.jar",
                "--types", "sev,sev-es,sev-snp,tdx", "--guests", "10,100,500", "--rounds", "5", "--pages", "4"));
        int rounds = Integer.parseInt(o.get("--rounds"));
        int pages = Integer.parseInt(o.get("--pages"));
        List<String> results = new ArrayList<>();
        for (String type : o.get("--types").split(",")) {
            for (String n : o.get("--guests").split(",")) {
                int guests = Integer.parseInt(n);
                EmbeddedTeebox.withPlatform(o, "teebox-swap-pause", ctx -> results.add(new SwapPauseLoad.Run(ctx,
                        type, guests, pages).measure(rounds)));
            }
        }
        System.out.println("tee N median-ms max-ms first-ms (pause: update start until all N guests RUNNING)");
        results.forEach(System.out::println);
    }

    /** One platform with N guests of one TEE. */
    private static final class Run {
        private final BundleContext ctx;
        private final Method accept;
        private final String type;
        private final int guests;
        private final int pages;
        private final Object hv;
        private final Method context;
        private final Method read;
        private final Method write;
        private final Method guestsOf;
        private final Method state;
        private final Method keySlot;
        private final Method slotId;
        private final Method backends;
        private final Method teeType;
        private final Method firmware;

        Run(BundleContext ctx, String type, int guests, int pages) throws Exception {
            this.ctx = ctx;
            this.type = type;
            this.guests = guests;
            this.pages = pages;
            hv = EmbeddedTeebox.waitFor(ctx, "io.teebox.api.hypervisor.Hypervisor");
            Class<?> hvType = EmbeddedTeebox.api(ctx, "io.teebox.api.hypervisor.Hypervisor");
            Class<?> gc = EmbeddedTeebox.api(ctx, "io.teebox.api.guest.GuestContext");
            Class<?> info = EmbeddedTeebox.api(ctx, "io.teebox.api.hypervisor.GuestInfo");
            Class<?> desc = EmbeddedTeebox.api(ctx, "io.teebox.api.tee.BackendDescriptor");
            context = hvType.getMethod("context", String.class);
            guestsOf = hvType.getMethod("guests");
            backends = hvType.getMethod("backends");
            read = gc.getMethod("read", long.class, int.class);
            accept = gc.getMethod("accept", long.class, boolean.class);
            write = gc.getMethod("write", long.class, byte[].class);
            state = info.getMethod("state");
            keySlot = info.getMethod("keySlot");
            slotId = EmbeddedTeebox.api(ctx, "io.teebox.api.memory.KeySlot").getMethod("id");
            teeType = desc.getMethod("teeType");
            firmware = desc.getMethod("firmware");
        }

        private void configure(String pid, Map<String, Object> props) throws Exception {
            Object ca = EmbeddedTeebox.waitFor(ctx, "org.osgi.service.cm.ConfigurationAdmin");
            Class<?> caType = ca.getClass().getClassLoader().loadClass("org.osgi.service.cm.ConfigurationAdmin");
            Object c = caType.getMethod("getConfiguration", String.class, String.class).invoke(ca, pid, "?");
            Dictionary<String, Object> d = new Hashtable<>(props);
            c.getClass().getMethod("update", Dictionary.class).invoke(c, d);
        }

        private long page(int p) {
            return (type.equals("tdx") ? 0x81_0000L : 0x10_0000L) + 0x1000L * p;
        }

        private byte[] content(int g, int p) {
            byte[] b = new byte[4096];
            Arrays.fill(b, (byte) (g * 31 + p));
            byte[] tag = (type + "-" + g + " page " + p).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(tag, 0, b, 0, tag.length);
            return b;
        }

        String measure(int rounds) throws Exception {
            // ASIDs: SEV 501..1006, SEV-ES/SNP 1..500; HKIDs 32..631
            configure("io.teebox.amd.sp", Map.of("maxAsid", 1006, "minSevAsid", 501));
            configure("io.teebox.hypervisor", Map.of("maxGuests", guests + 10, "hostMemoryMiB", 1 << 20));
            if (type.equals("tdx")) {
                configure("io.teebox.intel.tdx", Map.of("firstHkid", 32, "hkidCount", 600));
            }
            // the backend back with the new limits (a TDX configuration re-creates the module and the backend)
            long wait = System.nanoTime();
            while (!backendPresent() || System.nanoTime() - wait < 1_000_000_000L) {
                Thread.sleep(50);
            }
            String cpu = type.equals("tdx") ? " --cpu SPR" : "";
            EmbeddedTeebox.shell(ctx, "guest:create -t " + type + cpu + " probe; guest:launch probe; "
                    + "guest:destroy probe");
            Thread.sleep(500);
            long t0 = System.nanoTime();
            for (int g = 0; g < guests; g++) {
                String name = type + "-" + g;
                EmbeddedTeebox.shell(ctx, "guest:create -t " + type + cpu + " --memory 64M " + name
                        + "; guest:launch " + name);
                Object c = context.invoke(hv, name);
                for (int p = 0; p < pages; p++) {
                    if (type.equals("sev-snp")) {
                        accept.invoke(c, page(p), true);
                    }
                    write.invoke(c, page(p), content(g, p));
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d guests launched with %d pages each in %.1f s%n", type, guests, pages,
                    (System.nanoTime() - t0) / 1e9);
            Map<String, Integer> slots = slots();
            Bundle bundle = bundle(type.equals("tdx") ? "io.teebox.intel-tdx-module" : "io.teebox." + type);
            long[] ms = new long[rounds];
            for (int r = 0; r < rounds; r++) {
                String image = type.equals("tdx") ? String.format(Locale.ROOT,
                        "1.5.%02d;tee-tcb-svn=%02X010300000000000000000000000000", 7 + r, 6 + r)
                        : "1.56." + (r + 1) + ";snp-spl=" + (9 + r);
                String header = type.equals("tdx") ? "Teebox-Tdx-Module" : "Teebox-Amd-Sp-Firmware";
                Version v = bundle.getVersion();
                byte[] jar = rewritten(bundle, new Version(v.getMajor(), v.getMinor(), v.getMicro() + 1, "swap"),
                        header, image);
                java.util.concurrent.atomic.AtomicBoolean gone = new java.util.concurrent.atomic.AtomicBoolean();
                // all services: the bench's class path has its own copy of the API the events would be filtered by
                org.osgi.framework.AllServiceListener l = e -> gone.compareAndSet(false,
                        e.getType() == org.osgi.framework.ServiceEvent.UNREGISTERING);
                ctx.addServiceListener(l, "(&(objectClass=io.teebox.api.tee.TeeBackend)(tee.type=" + type + "))");
                long start = System.nanoTime();
                try {
                    bundle.update(new ByteArrayInputStream(jar));
                    // the backend went away (its guests paused) and all guests run again
                    while (!gone.get() || !allRunning()) {
                        if (System.nanoTime() - start > 120_000_000_000L) {
                            throw new IllegalStateException(type + ": not all " + guests + " guests RUNNING 120 s "
                                    + "after the update (backend gone: " + gone.get() + ")");
                        }
                        Thread.onSpinWait();
                    }
                    ms[r] = (System.nanoTime() - start) / 1_000_000;
                } finally {
                    ctx.removeServiceListener(l);
                }
                check(slots, image.substring(0, image.indexOf(';')));
            }
            long first = ms[0];
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            String line = String.format(Locale.ROOT, "swap-pause %s %d %d %d %d", type, guests, sorted[rounds / 2],
                    sorted[rounds - 1], first);
            System.out.println(line + "   (rounds " + Arrays.toString(ms) + ")");
            return line;
        }

        private Bundle bundle(String symbolicName) {
            for (Bundle b : ctx.getBundles()) {
                if (symbolicName.equals(b.getSymbolicName())) {
                    return b;
                }
            }
            throw new IllegalStateException("no bundle " + symbolicName);
        }

        private boolean backendPresent() throws Exception {
            for (Object d : (List<?>) backends.invoke(hv)) {
                if (type.equals(teeType.invoke(d))) {
                    return true;
                }
            }
            return false;
        }

        private boolean allRunning() throws Exception {
            int running = 0;
            for (Object g : (List<?>) guestsOf.invoke(hv)) {
                if ("RUNNING".equals(String.valueOf(state.invoke(g)))) {
                    running++;
                }
            }
            return running == guests;
        }

        private Map<String, Integer> slots() throws Exception {
            Map<String, Integer> out = new java.util.HashMap<>();
            Method id = EmbeddedTeebox.api(ctx, "io.teebox.api.hypervisor.GuestInfo").getMethod("id");
            for (Object g : (List<?>) guestsOf.invoke(hv)) {
                out.put((String) id.invoke(g), (Integer) slotId.invoke(keySlot.invoke(g)));
            }
            return out;
        }

        /** Pages, key slots and the firmware after an update. */
        private void check(Map<String, Integer> before, String version) throws Exception {
            if (!before.equals(slots())) {
                throw new IllegalStateException(type + ": key slots changed by the update: " + before + " -> "
                        + slots());
            }
            for (int g = 0; g < guests; g++) {
                Object c = context.invoke(hv, type + "-" + g);
                for (int p = 0; p < pages; p++) {
                    if (!Arrays.equals(content(g, p), (byte[]) read.invoke(c, page(p), 4096))) {
                        throw new IllegalStateException(type + "-" + g + " page " + p + " differs after the update");
                    }
                }
            }
            Object expected = EmbeddedTeebox.api(ctx, "io.teebox.api.tee.FirmwareVersion").getMethod("parse",
                    String.class).invoke(null, version);
            for (Object d : (List<?>) backends.invoke(hv)) {
                if (type.equals(teeType.invoke(d)) && !expected.equals(firmware.invoke(d))) {
                    throw new IllegalStateException(type + " reports firmware " + firmware.invoke(d)
                            + " after the update to " + version);
                }
            }
        }
    }

    /** The installed bundle's jar with its manifest's Bundle-Version and firmware header replaced. */
    static byte[] rewritten(Bundle bundle, Version version, String header, String value) throws IOException {
        return io.teebox.tck.BundleJars.withHeaders(bundle, java.util.Map.of("Bundle-Version", version.toString(),
                header, value));
    }
}
