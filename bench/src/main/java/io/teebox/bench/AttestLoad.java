package io.teebox.bench;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;

/**
 * A bounded load client for the attestation service: it starts the platform (the distribution's own bundles, taken
 * from {@code distribution/target/teebox.jar}, in an embedded Felix with the HTTP server on a free loopback port),
 * launches an SEV-SNP guest and a TD, pre-generates evidence binding pre-fetched nonces (each token needs a fresh
 * nonce), then per format measures
 * <ol>
 * <li>the in-process {@code EvidenceVerifier.verify} rate, with the same number of threads and the same trusted root
 * the service uses, in this run;</li>
 * <li>the maximum rate of {@code POST /as/v1/attest} alone (nonces fetched beforehand), C requests in flight;</li>
 * <li>the same with a {@code POST /as/v1/challenge} before each attest (the pair a client pays per token; the
 * evidence still binds a pre-fetched nonce, since the guest's signing is not the service's work);</li>
 * <li>p50/p99 latency of attest at half the maximum rate, open loop (latency counted from the scheduled send time, so
 * a stall is not hidden).</li>
 * </ol>
 * Every phase is bounded by a request count and a time. Usage: {@code java -cp bench/target/benchmarks.jar
 * io.teebox.bench.AttestLoad [--teebox JAR] [--requests N] [--seconds T] [--concurrency C] [--formats F,...]}.
 */
public final class AttestLoad {

    private static final Pattern NONCE = Pattern.compile("\"nonce\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    private final BundleContext context;
    private final String base;
    private final HttpClient http;
    private final int concurrency;
    private final int requests;
    private final long nanos;
    private final Map<String, String> attachments = new java.util.concurrent.ConcurrentHashMap<>();

    private AttestLoad(BundleContext context, String base, int concurrency, int requests, int seconds) {
        this.context = context;
        this.base = base;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        this.concurrency = concurrency;
        this.requests = requests;
        this.nanos = seconds * 1_000_000_000L;
    }

    /** One prepared request: the nonce and the attest body binding it. */
    private record Prepared(String nonce, Object evidence, Object asProduced, String body) {
    }

    /** What one phase measured. */
    private record Rate(int done, int failed, double seconds, long[] latenciesNanos) {
        double perSecond() {
            return done / seconds;
        }

        double percentile(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            long[] l = latenciesNanos.clone();
            Arrays.sort(l);
            return l[Math.min(l.length - 1, (int) Math.ceil(p * l.length) - 1)] / 1e6;
        }
    }

    /**
     * @param args options, see the class comment
     * @throws Exception if the platform does not start or a request fails outright
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = EmbeddedTeebox.options(args, Map.of("--teebox", "distribution/target/teebox.jar",
                "--requests", "1000", "--seconds", "15", "--concurrency", "4", "--formats",
                "sev-snp-report,tdx-quote-v4"));
        EmbeddedTeebox.withPlatform(o, "teebox-attest-load", ctx -> new AttestLoad(ctx, EmbeddedTeebox.baseUrl(ctx),
                Integer.parseInt(o.get("--concurrency")), Integer.parseInt(o.get("--requests")),
                Integer.parseInt(o.get("--seconds"))).run(List.of(o.get("--formats").split(","))));
    }

    private void run(List<String> formats) throws Exception {
        shell("guest:create -t sev-snp --cpu EPYC-Milan load-snp; guest:launch --policy 0x30000 load-snp");
        shell("guest:create -t tdx load-td; guest:launch load-td");
        System.out.printf(Locale.ROOT, "attestation service at %s; %d requests or %d s per phase, %d in flight; "
                + "%d processors%n", base, requests, nanos / 1_000_000_000L, concurrency,
                Runtime.getRuntime().availableProcessors());
        StringBuilder table = new StringBuilder();
        for (String[] g : new String[][] {{"load-snp", "sev-snp-report"}, {"load-td", "tdx-quote-v4"}}) {
            if (formats.contains(g[1])) {
                table.append(measure(g[0], g[1]));
            }
        }
        System.out.println();
        System.out.print(table);
    }

    private String measure(String guest, String format) throws Exception {
        // warm up the whole path (JIT, connections, the verifier's caches as the service uses them)
        attestAlone(prepare(guest, Math.min(200, requests)));
        // On a shared machine the CPU share drifts within seconds, so the phases whose ratio is the goal alternate in
        // short rounds (verify, in-process attest, HTTP attest, each on its own fresh evidence: distinct report data
        // and signature) and the ratio is the median of the rounds' ratios.
        int per = Math.max(20, requests / ROUNDS);
        long roundNanos = Math.max(1_000_000_000L, nanos / ROUNDS);
        double[] verify = new double[ROUNDS];
        double[] verifyAttached = new double[ROUNDS];
        double[] inProcess = new double[ROUNDS];
        double[] http = new double[ROUNDS];
        double[] ratioIn = new double[ROUNDS];
        double[] ratioHttp = new double[ROUNDS];
        int ok = 0;
        int failed = 0;
        for (int r = 0; r < ROUNDS; r++) {
            List<Prepared> a = prepare(guest, per);
            List<Prepared> b = prepare(guest, per);
            List<Prepared> c = prepare(guest, per);
            verify[r] = verifyRate(a, format, false, roundNanos);
            verifyAttached[r] = verifyRate(a, format, true, roundNanos);
            inProcess[r] = attestInProcess(c, roundNanos);
            Rate alone = closedLoop(b, false, roundNanos);
            http[r] = alone.perSecond();
            ok += alone.done();
            failed += alone.failed();
            ratioIn[r] = inProcess[r] / verify[r];
            ratioHttp[r] = http[r] / verify[r];
        }
        Rate pair = attestPair(prepare(guest, requests));
        double half = median(http) / 2;
        Rate paced = attestPaced(prepare(guest, (int) Math.min(requests, Math.max(50, half * nanos / 1e9))), half);
        double goal = median(ratioHttp);
        String r = String.format(Locale.ROOT, "%s  (medians of %d alternating rounds)%n"
                + "  in-process verify (%d threads)   %8.1f /s  of the evidence as sent (no attachments)%n"
                + "                                  %8.1f /s  as the guest produced it (attachments %s)%n"
                + "  in-process attest (no HTTP)     %8.1f tokens/s  = %5.1f %% of verify  (verify, claims, ES384)%n"
                + "  attest alone (max)              %8.1f tokens/s  = %5.1f %% of verify  (%d ok, %d failed)%n"
                + "  challenge + attest (max)        %8.1f tokens/s  (%d ok, %d failed)%n"
                + "  attest at %6.1f /s (half)      p50 %6.2f ms  p99 %6.2f ms  (%d ok, %d failed)%n"
                + "  goal (>= 80 %% of verify, p99 < 10 ms at half load): %s%n",
                format, ROUNDS, concurrency, median(verify), median(verifyAttached), attachments.get(format),
                median(inProcess), 100 * median(ratioIn), median(http), 100 * goal, ok, failed, pair.perSecond(),
                pair.done(), pair.failed(), half, paced.percentile(0.50), paced.percentile(0.99), paced.done(),
                paced.failed(), goal >= 0.8 && paced.percentile(0.99) < 10 ? "met" : "NOT met");
        System.out.print(r);
        return r;
    }

    private static final int ROUNDS = 5;

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    // ---- phases

    private double verifyRate(List<Prepared> prepared, String format, boolean asProduced, long nanos)
            throws Exception {
        Object verifier = verifier(format);
        Class<?> ev = api("io.teebox.api.attestation.Evidence");
        Class<?> opts = api("io.teebox.api.attestation.VerificationOptions");
        // what the service passes: the emulated vendor roots and the default policy's allow_debug=false
        Object options = opts.getConstructor(java.time.Clock.class, List.class, Map.class, Map.class).newInstance(
                java.time.Clock.systemUTC(), emulatedRoots(), Map.of(), Map.of("allow_debug", "false"));
        Method verify = api("io.teebox.api.attestation.EvidenceVerifier").getMethod("verify", ev, opts);
        for (int i = 0; i < Math.min(10, prepared.size()); i++) {
            verify.invoke(verifier, asProduced ? prepared.get(i).asProduced() : prepared.get(i).evidence(), options);
        }
        return EmbeddedTeebox.closedLoop(concurrency, prepared.size(), nanos, i -> {
            verify.invoke(verifier, asProduced ? prepared.get(i).asProduced() : prepared.get(i).evidence(), options);
            return true;
        }).perSecond();
    }

    /**
     * The service's own work per token without the transport: {@code AttestationTokens.attest} in process, the same
     * threads as the verify phase, each prepared nonce used once.
     */
    private double attestInProcess(List<Prepared> prepared, long nanos) throws Exception {
        Object tokens = waitFor(context, "io.teebox.attestation.api.AttestationTokens");
        Class<?> iface = null;
        for (Class<?> c : tokens.getClass().getInterfaces()) {
            if (c.getName().equals("io.teebox.attestation.api.AttestationTokens")) {
                iface = c;
            }
        }
        Method attest = iface.getMethod("attest", api("io.teebox.api.attestation.Evidence"), String.class,
                String.class);
        return EmbeddedTeebox.closedLoop(concurrency, prepared.size(), nanos, i -> {
            attest.invoke(tokens, prepared.get(i).evidence(), prepared.get(i).nonce(), null);
            return true;
        }).perSecond();
    }

    private Rate attestAlone(List<Prepared> prepared) throws Exception {
        return closedLoop(prepared, false, nanos);
    }

    private Rate attestPair(List<Prepared> prepared) throws Exception {
        return closedLoop(prepared, true, nanos);
    }

    private Rate closedLoop(List<Prepared> prepared, boolean challengeFirst, long nanos) throws Exception {
        EmbeddedTeebox.Phase p = EmbeddedTeebox.closedLoop(concurrency, prepared.size(), nanos, i -> {
            if (challengeFirst) {
                challenge();
            }
            return attest(prepared.get(i).body()) == 200;
        });
        return new Rate(p.ok(), p.failed(), p.seconds(), p.latenciesNanos());
    }

    private Rate attestPaced(List<Prepared> prepared, double rate) throws Exception {
        long interval = (long) (1e9 / rate);
        long[] lat = new long[prepared.size()];
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicLong sent = new AtomicLong();
        CountDownLatch all = new CountDownLatch(prepared.size());
        long t0 = System.nanoTime();
        long deadline = t0 + nanos;
        int n = 0;
        for (; n < prepared.size(); n++) {
            long due = t0 + n * interval;
            if (due > deadline) {
                break;
            }
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                if (wait > 200_000) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                } else {
                    Thread.onSpinWait();
                }
            }
            int idx = n;
            sent.incrementAndGet();
            CompletableFuture<HttpResponse<String>> f = http.sendAsync(attestRequest(prepared.get(idx).body()),
                    HttpResponse.BodyHandlers.ofString());
            f.whenComplete((rsp, err) -> {
                lat[idx] = System.nanoTime() - due;
                if (err == null && rsp.statusCode() == 200) {
                    ok.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                }
                all.countDown();
            });
        }
        for (int k = n; k < prepared.size(); k++) {
            all.countDown();
        }
        all.await();
        double secs = (System.nanoTime() - t0) / 1e9;
        return new Rate(ok.get(), failed.get(), secs, Arrays.copyOf(lat, n));
    }

    // ---- requests

    private String challenge() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/as/v1/challenge"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        Matcher m = NONCE.matcher(r.body());
        if (r.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("challenge: " + r.statusCode() + " " + r.body());
        }
        return m.group(1);
    }

    private HttpRequest attestRequest(String body) {
        return HttpRequest.newBuilder(URI.create(base + "/as/v1/attest")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private int attest(String body) throws IOException, InterruptedException {
        return http.send(attestRequest(body), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /** Fresh nonces, evidence binding each, request bodies; the first one is checked to give an affirming token. */
    private List<Prepared> prepare(String guest, int count) throws Exception {
        Object hv = waitFor(context, "io.teebox.api.hypervisor.Hypervisor");
        Object gc = api("io.teebox.api.hypervisor.Hypervisor").getMethod("context", String.class).invoke(hv, guest);
        Method evidence = api("io.teebox.api.guest.GuestContext").getMethod("evidence",
                api("io.teebox.api.tee.Bytes"));
        Method bytesOf = api("io.teebox.api.tee.Bytes").getMethod("of", byte[].class);
        Class<?> ev = api("io.teebox.api.attestation.Evidence");
        List<Prepared> out = new ArrayList<>(count);
        MessageDigest sha384 = MessageDigest.getInstance("SHA-384");
        for (int i = 0; i < count; i++) {
            String nonce = challenge();
            byte[] rd = Arrays.copyOf(sha384.digest(("{\"nonce\":\"" + nonce + "\"}").getBytes(
                    StandardCharsets.UTF_8)), 64);
            Object e = evidence.invoke(gc, bytesOf.invoke(null, (Object) rd));
            String format = (String) ev.getMethod("format").invoke(e);
            byte[] report = (byte[]) ev.getMethod("report").invoke(e);
            @SuppressWarnings("unchecked")
            List<byte[]> certs = (List<byte[]>) ev.getMethod("certificates").invoke(e);
            StringBuilder b = new StringBuilder("{\"evidence\":{\"format\":\"").append(format)
                    .append("\",\"evidence\":\"").append(Base64.getEncoder().encodeToString(report))
                    .append("\",\"certificates\":[");
            for (int c = 0; c < certs.size(); c++) {
                b.append(c == 0 ? "\"" : ",\"").append(Base64.getEncoder().encodeToString(certs.get(c))).append('"');
            }
            b.append("]},\"nonce\":\"").append(nonce).append("\"}");
            // the evidence as the service receives it: the request carries no attachments (an SNP guest's evidence
            // has the CRL attached, which the service must then fetch from the collateral sources)
            Object sent = ev.getConstructor(String.class, byte[].class, List.class, Map.class).newInstance(format,
                    report, certs, Map.of());
            if (i == 0) {
                attachments.put(format, ((Map<?, ?>) ev.getMethod("attachments").invoke(e)).keySet().toString());
            }
            out.add(new Prepared(nonce, sent, e, b.toString()));
        }
        if (count > 1) {
            Prepared probe = out.remove(out.size() - 1);
            HttpResponse<String> r = http.send(attestRequest(probe.body()), HttpResponse.BodyHandlers.ofString());
            Matcher m = TOKEN.matcher(r.body());
            if (r.statusCode() != 200 || !m.find()) {
                throw new IllegalStateException("attest: " + r.statusCode() + " " + r.body());
            }
            String claims = new String(Base64.getUrlDecoder().decode(m.group(1).split("\\.")[1]),
                    StandardCharsets.UTF_8);
            if (!claims.contains("\"ear.status\":\"affirming\"")) {
                throw new IllegalStateException("the probe's token is not affirming: " + claims);
            }
        }
        return out;
    }

    // ---- the platform

    private Object verifier(String format) throws Exception {
        for (ServiceReference<?> r : all(context, "io.teebox.api.attestation.EvidenceVerifier")) {
            Object v = context.getService(r);
            if (format.equals(v.getClass().getMethod("format").invoke(v))) {
                return v;
            }
        }
        throw new IllegalStateException("no verifier of " + format);
    }

    /** The roots the service trusts: the last certificate of the emulated KDS's and PCS's chains. */
    private List<byte[]> emulatedRoots() throws Exception {
        List<byte[]> out = new ArrayList<>();
        Method value = api("io.teebox.api.tee.Bytes").getMethod("value");
        Pattern pem = Pattern.compile("-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", Pattern.DOTALL);
        for (ServiceReference<?> r : all(context, "io.teebox.spi.collateral.CollateralSource")) {
            if (!"true".equals(String.valueOf(r.getProperty("collateral.emulated")))) {
                continue;
            }
            Object source = context.getService(r);
            Class<?> cs = r.getBundle().loadClass("io.teebox.spi.collateral.CollateralSource");
            Method fetch = cs.getMethod("fetch", String.class, Map.class);
            List<Object[]> asks = new ArrayList<>();
            for (String line : List.of("Milan", "Genoa", "Turin")) {
                asks.add(new Object[] {"cert_chain", Map.of("product", line, "signer", "vcek")});
            }
            asks.add(new Object[] {"qe_identity_issuer_chain", Map.of()});
            for (Object[] a : asks) {
                java.util.Optional<?> b;
                try {
                    b = (java.util.Optional<?>) fetch.invoke(source, a[0], a[1]);
                } catch (java.lang.reflect.InvocationTargetException e) {
                    continue;
                }
                if (b.isEmpty()) {
                    continue;
                }
                Matcher m = pem.matcher(new String((byte[]) value.invoke(b.get()), StandardCharsets.US_ASCII));
                byte[] last = null;
                while (m.find()) {
                    last = Base64.getMimeDecoder().decode(m.group(1).trim());
                }
                byte[] root = last;
                if (root != null && out.stream().noneMatch(x -> Arrays.equals(x, root))) {
                    out.add(root);
                }
            }
        }
        if (out.isEmpty()) {
            throw new IllegalStateException("no emulated roots");
        }
        return out;
    }

    private Class<?> api(String name) throws ClassNotFoundException {
        return EmbeddedTeebox.api(context, name);
    }

    private void shell(String commands) throws Exception {
        EmbeddedTeebox.shell(context, commands);
    }

    private static ServiceReference<?>[] all(BundleContext ctx, String type) {
        return EmbeddedTeebox.all(ctx, type);
    }

    private static Object waitFor(BundleContext ctx, String type) throws InterruptedException {
        return EmbeddedTeebox.waitFor(ctx, type);
    }

    private static Framework start(Path teebox, Path tmp) throws Exception {
        return EmbeddedTeebox.start(teebox, tmp);
    }
}
