package io.teebox.bench;

import java.lang.reflect.Method;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;

/**
 * A bounded load client for the key broker's releases: the platform embedded (the distribution's bundles), an SNP
 * guest that runs RCAR once per session (auth, evidence binding the nonce and its P-256 TEE key, attest) beforehand,
 * then per phase, C requests in flight until N are done or T seconds passed:
 * <ol>
 * <li>{@code GET /kbs/v0/resource} with the session cookie: a release, the secret wrapped to the TEE key as a JWE
 * ({@code ECDH-ES+A256KW}, {@code A256GCM}: an ephemeral key and an ECDH per release);</li>
 * <li>the same with {@code Authorization: Bearer <token>} (the token's signature checked per request);</li>
 * <li>{@code POST /attest} then the release, on sessions prepared beforehand (what a guest pays per secret after its
 * evidence is made).</li>
 * </ol>
 * Usage: {@code java -cp bench/target/benchmarks.jar io.teebox.bench.KbsLoad [--teebox JAR] [--requests N]
 * [--seconds T] [--concurrency C]}.
 */
public final class KbsLoad {

    private static final Pattern NONCE = Pattern.compile("\"nonce\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    private final BundleContext context;
    private final String base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final int concurrency;
    private final int requests;
    private final long nanos;

    private KbsLoad(BundleContext context, String base, int concurrency, int requests, int seconds) {
        this.context = context;
        this.base = base;
        this.concurrency = concurrency;
        this.requests = requests;
        this.nanos = seconds * 1_000_000_000L;
    }

    /** A session after auth whose attest body is ready; cookie and token once attested. */
    private record Session(String cookie, String attestBody) {
    }

    /**
     * @param args options, see the class comment
     * @throws Exception if the platform does not start or a request fails outright
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> o = EmbeddedTeebox.options(args, Map.of("--teebox", "distribution/target/teebox.jar",
                "--requests", "1000", "--seconds", "10", "--concurrency", "4"));
        EmbeddedTeebox.withPlatform(o, "teebox-kbs-load", ctx -> new KbsLoad(ctx, EmbeddedTeebox.baseUrl(ctx)
                + "/kbs/v0", Integer.parseInt(o.get("--concurrency")), Integer.parseInt(o.get("--requests")),
                Integer.parseInt(o.get("--seconds"))).run());
    }

    private static String b64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] unsigned(BigInteger v, int size) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(size, b.length);
        System.arraycopy(b, b.length - n, out, size - n, n);
        return out;
    }

    private void run() throws Exception {
        EmbeddedTeebox.shell(context, "guest:create -t sev-snp --cpu EPYC-Milan kbs-load; guest:launch --policy "
                + "0x30000 kbs-load; kbs:set default/key/load 'a 32-byte disk key for the bench'");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        ECPublicKey pub = (ECPublicKey) g.generateKeyPair().getPublic();
        String jwk = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + b64url(unsigned(pub.getW().getAffineX(), 32))
                + "\",\"y\":\"" + b64url(unsigned(pub.getW().getAffineY(), 32)) + "\"}";
        // warm up, and one attested session whose cookie and token the release phases use
        List<Session> warm = prepare(jwk, Math.min(100, requests));
        String[] attested = null;
        for (Session s : warm) {
            attested = attest(s);
            release(s.cookie(), null);
        }
        String cookie = attested[0];
        String token = attested[1];
        double[] byCookie = phase(requests, i -> release(cookie, null));
        double[] byToken = phase(requests, i -> release(null, token));
        List<Session> sessions = prepare(jwk, requests);
        double[] full = phase(sessions.size(), i -> {
            String[] a = attest(sessions.get(i));
            return release(a[0], null);
        });
        System.out.printf(Locale.ROOT, "key broker at %s; %d requests or %d s per phase, %d in flight; %d "
                + "processors%n", base, requests, nanos / 1_000_000_000L, concurrency,
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "  releases, session cookie       %8.1f /s  (%d ok, %d failed)%n", byCookie[0],
                (int) byCookie[1], (int) byCookie[2]);
        System.out.printf(Locale.ROOT, "  releases, bearer token         %8.1f /s  (%d ok, %d failed)%n", byToken[0],
                (int) byToken[1], (int) byToken[2]);
        System.out.printf(Locale.ROOT, "  attest + release (RCAR's rest) %8.1f /s  (%d ok, %d failed)%n", full[0],
                (int) full[1], (int) full[2]);
    }

    private interface Request {
        int send(int i) throws Exception;
    }

    /** @return {rate, ok, failed} */
    private double[] phase(int count, Request r) throws Exception {
        EmbeddedTeebox.Phase p = EmbeddedTeebox.closedLoop(concurrency, count, nanos, i -> r.send(i) == 200);
        return new double[] {p.perSecond(), p.ok(), p.failed()};
    }

    private int release(String cookie, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/resource/default/key/load"));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> rsp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (rsp.statusCode() == 200 && !rsp.body().contains("\"ciphertext\"")) {
            throw new IllegalStateException("a release that is not a JWE: " + rsp.body());
        }
        return rsp.statusCode();
    }

    /** @return {cookie, token} */
    private String[] attest(Session s) throws Exception {
        HttpResponse<String> rsp = http.send(HttpRequest.newBuilder(URI.create(base + "/attest"))
                .header("Content-Type", "application/json").header("Cookie", s.cookie())
                .POST(HttpRequest.BodyPublishers.ofString(s.attestBody())).build(), HttpResponse.BodyHandlers
                        .ofString());
        Matcher m = TOKEN.matcher(rsp.body());
        if (rsp.statusCode() != 200 || !m.find()) {
            throw new IllegalStateException("attest: " + rsp.statusCode() + " " + rsp.body());
        }
        return new String[] {s.cookie(), m.group(1)};
    }

    /** Sessions after auth, each with evidence of the guest binding its nonce and the TEE key. */
    private List<Session> prepare(String jwk, int count) throws Exception {
        Object hv = EmbeddedTeebox.waitFor(context, "io.teebox.api.hypervisor.Hypervisor");
        Object gc = EmbeddedTeebox.api(context, "io.teebox.api.hypervisor.Hypervisor").getMethod("context",
                String.class).invoke(hv, "kbs-load");
        Method evidence = EmbeddedTeebox.api(context, "io.teebox.api.guest.GuestContext").getMethod("evidence",
                EmbeddedTeebox.api(context, "io.teebox.api.tee.Bytes"));
        Method bytesOf = EmbeddedTeebox.api(context, "io.teebox.api.tee.Bytes").getMethod("of", byte[].class);
        Class<?> ev = EmbeddedTeebox.api(context, "io.teebox.api.attestation.Evidence");
        Object tokens = EmbeddedTeebox.waitFor(context, "io.teebox.attestation.api.AttestationTokens");
        Method reportData = null;
        for (Class<?> c : tokens.getClass().getInterfaces()) {
            if (c.getName().equals("io.teebox.attestation.api.AttestationTokens")) {
                reportData = c.getMethod("reportData", String.class, String.class, String.class);
            }
        }
        List<Session> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            HttpResponse<String> auth = http.send(HttpRequest.newBuilder(URI.create(base + "/auth"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"version\":\"0.1.1\",\"tee\":\"snp\",\"extra-params\":{}}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = NONCE.matcher(auth.body());
            if (auth.statusCode() != 200 || !m.find()) {
                throw new IllegalStateException("auth: " + auth.statusCode() + " " + auth.body());
            }
            String cookie = auth.headers().firstValue("Set-Cookie").orElseThrow().split(";", 2)[0];
            String rd = "{\"nonce\":\"" + m.group(1) + "\",\"tee-pubkey\":" + jwk + "}";
            byte[] data = (byte[]) reportData.invoke(tokens, "sev-snp-report", m.group(1), rd);
            Object e = evidence.invoke(gc, bytesOf.invoke(null, (Object) data));
            String report = Base64.getEncoder().encodeToString((byte[]) ev.getMethod("report").invoke(e));
            @SuppressWarnings("unchecked")
            List<byte[]> certs = (List<byte[]>) ev.getMethod("certificates").invoke(e);
            StringBuilder c = new StringBuilder();
            for (byte[] cert : certs) {
                c.append(c.length() == 0 ? "\"" : ",\"").append(Base64.getEncoder().encodeToString(cert)).append('"');
            }
            out.add(new Session(cookie, "{\"runtime-data\":" + rd + ",\"tee-evidence\":{\"format\":\"sev-snp-report\","
                    + "\"evidence\":\"" + report + "\",\"certificates\":[" + c + "]}}"));
        }
        return out;
    }
}
