package io.teebox.kbs.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.teebox.api.testing.TestClock;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.tee.Bytes;
import io.teebox.api.testing.ServletHost;

/**
 * The broker's HTTP face on a real Jetty: the admin API's authentication, Trustee's errors (403 policy, 404 path,
 * 401 everything else), and the guest agent.
 */
public class KbsServletTest {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private final TestClock clock = new TestClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final HttpClient http = HttpClient.newHttpClient();
    private Broker broker;
    private ServletHost host;
    private final MapPolicies policies = new MapPolicies();

    @Before
    public void setUp() throws Exception {
        broker = new Broker(new FakeTokens(), new MvResourceStore(tmp.getRoot().toPath().resolve("kbs.mv")),
                AdminAuth.kept(tmp.getRoot().toPath().resolve("kbs"), clock), clock, Duration.ofSeconds(60), 10);
        host = new ServletHost().serve(KbsServlet.PREFIX + "/*", new KbsServlet(broker, policies)).start();
    }

    @After
    public void tearDown() throws Exception {
        host.close();
        broker.close();
    }

    private HttpResponse<String> send(String method, String path, String auth, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(host.baseUrl() + KbsServlet.PREFIX + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String problem) {
        assertEquals(r.body(), status, r.statusCode());
        JsonObject o = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals(r.body(), KbsProblem.TYPE_PREFIX + problem, o.get("type").getAsString());
        assertTrue(r.body(), r.body().trim().indexOf('\n') < 0);
    }

    @Test
    public void theAdminApiWantsTheAdminsTokenAndKeepsWhatItIsGiven() throws Exception {
        String admin = "Bearer " + broker.admin().token(Duration.ofMinutes(5));
        assertProblem(send("POST", "/resource/r/t/g", null, "v"), 401, "AdminAuth");
        AdminAuth other = AdminAuth.kept(tmp.getRoot().toPath().resolve("other"), clock);
        assertProblem(send("POST", "/resource/r/t/g", "Bearer " + other.token(Duration.ofMinutes(5)), "v"), 401,
                "AdminAuth");
        assertProblem(send("GET", "/resource-policy", null, null), 401, "AdminAuth");
        assertProblem(send("GET", "/admin/resources", null, null), 401, "AdminAuth");

        assertEquals(200, send("POST", "/resource/r/t/g", admin, "value").statusCode());
        assertEquals("value", send("GET", "/admin/resource/r/t/g", admin, null).body());
        assertEquals("[\"r/t/g\"]", send("GET", "/admin/resources", admin, null).body().trim());
        String policy = "{\"rules\":[{\"resources\":[\"r/*\"],\"allow\":[]}]}";
        HttpResponse<String> set = send("POST", "/resource-policy", admin, "{\"policy\":\"" + Base64.getEncoder()
                .encodeToString(policy.getBytes(StandardCharsets.UTF_8)) + "\"}");
        assertEquals(set.body(), 200, set.statusCode());
        assertEquals(policy, send("GET", "/resource-policy", admin, null).body().trim());
        HttpResponse<String> bad = send("POST", "/resource-policy", admin, "{\"policy\":\"" + Base64.getEncoder()
                .encodeToString("{\"rules\":7}".getBytes(StandardCharsets.UTF_8)) + "\"}");
        assertProblem(bad, 401, "InvalidRequest");
        assertEquals(policy, broker.policy());
    }

    @Test
    public void theAdminSetsAttestationPoliciesAndReferenceValuesAsTrusteesApiDoes() throws Exception {
        String admin = "Bearer " + broker.admin().token(Duration.ofMinutes(5));
        String policy = "{\"id\":\"prod\",\"formats\":{\"tdx-quote-v4\":{}}}";
        String request = "{\"type\":\"json\",\"policy_id\":\"prod\",\"policy\":\""
                + Base64.getUrlEncoder().withoutPadding().encodeToString(policy.getBytes(StandardCharsets.UTF_8))
                + "\"}";
        assertProblem(send("POST", "/attestation-policy", null, request), 401, "AdminAuth");
        assertProblem(send("GET", "/reference-value", null, null), 401, "AdminAuth");
        assertEquals(false, policies.policies.containsKey("prod"));
        HttpResponse<String> r = send("POST", "/attestation-policy", admin, request);
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals(policy, r.body().trim());
        assertEquals(policy, policies.policies.get("prod"));
        r = send("GET", "/attestation-policy", admin, null);
        assertEquals("{\"policies\":[\"default\",\"prod\"]}", r.body().trim());
        assertEquals(policy, send("GET", "/attestation-policy/prod", admin, null).body().trim());
        assertProblem(send("GET", "/attestation-policy/nope", admin, null), 401, "InvalidRequest");
        HttpResponse<String> rego = send("POST", "/attestation-policy", admin,
                request.replace("\"json\"", "\"rego\""));
        assertProblem(rego, 401, "InvalidRequest");
        assertTrue(rego.body(), rego.body().contains("type 'rego' is not served"));
        HttpResponse<String> bad = send("POST", "/attestation-policy", admin, request.replace("prod\",\"policy",
                "other\",\"policy"));
        assertProblem(bad, 401, "InvalidRequest");
        assertTrue(bad.body(), bad.body().contains("policy other: not a policy with id other"));

        String m = "ab".repeat(48);
        r = send("POST", "/reference-value", admin, "{\"policy_id\":\"prod\",\"format\":\"tdx-quote-v4\","
                + "\"name\":\"mrtd\",\"values\":[\"" + m + "\"]}");
        assertEquals(r.body(), 200, r.statusCode());
        assertEquals("{\"tdx-quote-v4\":{\"mrtd\":[\"" + m + "\"]}}", r.body().trim());
        assertEquals(List.of(m), policies.refs.get("prod").get("tdx-quote-v4").get("mrtd"));
        assertEquals("{\"default\":{},\"prod\":{\"tdx-quote-v4\":{\"mrtd\":[\"" + m + "\"]}}}",
                send("GET", "/reference-value", admin, null).body().trim());
        for (String wrong : new String[] {"{\"policy_id\":\"prod\",\"format\":\"f\",\"name\":\"bad\","
                + "\"values\":[\"00\"]}", "{\"policy_id\":\"prod\",\"format\":\"f\",\"name\":\"n\","
                + "\"values\":\"00\"}", "{\"policy_id\":\"nope\",\"format\":\"f\",\"name\":\"n\","
                + "\"values\":[\"00\"]}", "{\"policy_id\":\"prod\",\"extra\":1}", "[]"}) {
            assertProblem(send("POST", "/reference-value", admin, wrong), 401, "InvalidRequest");
        }
        assertEquals(1, policies.refs.get("prod").size());
    }

    @Test
    public void badRequestsGetTrusteesErrorsAndTheServiceGoesOn() throws Exception {
        assertProblem(send("POST", "/auth", null, "{not json"), 401, "InvalidRequest");
        assertProblem(send("POST", "/auth", null, ""), 401, "InvalidRequest");
        assertProblem(send("GET", "/auth", null, null), 404, "InvalidRequestPath");
        assertProblem(send("POST", "/attest", null, "{}"), 401, "MissingCookie");
        assertProblem(send("GET", "/resource/a/b", null, null), 404, "InvalidRequestPath");
        assertProblem(send("GET", "/resource/a/../b", null, null), 404, "InvalidRequestPath");
        assertProblem(send("GET", "/nothing", null, null), 404, "InvalidRequestPath");
        HttpResponse<String> auth = send("POST", "/auth", null, "{\"version\":\"0.1.1\",\"tee\":\"snp\","
                + "\"extra-params\":{}}");
        assertEquals(200, auth.statusCode());
        String cookie = auth.headers().firstValue("Set-Cookie").orElseThrow();
        assertTrue(cookie, cookie.matches("kbs-session-id=[A-Za-z0-9_-]{32}; Path=/kbs/v0; Max-Age=60; HttpOnly"));
    }

    /** A guest whose TEE answers evidence as {@link FakeTokens} reads it. */
    private static GuestContext guest(boolean affirming) {
        return (GuestContext) Proxy.newProxyInstance(KbsServletTest.class.getClassLoader(), new Class<?>[] {
            GuestContext.class}, (proxy, m, args) -> {
                if (m.getName().equals("evidence")) {
                    return new Evidence("sev-snp-report", FakeTokens.evidence(((Bytes) args[0]).value(), affirming),
                            List.of(), Map.of());
                }
                throw new UnsupportedOperationException(m.getName());
            });
    }

    @Test
    public void theGuestAgentRunsRcarOverHttpAndUnwrapsOrReportsTheRefusal() throws Exception {
        broker.setResource(ResourcePath.parse("default/key/disk"), "s3cret".getBytes(StandardCharsets.UTF_8));
        GuestAgent agent = new GuestAgent(http, host.baseUrl(), new FakeTokens());
        GuestAgent.Fetched f = agent.fetch(guest(true), "sev-snp", ResourcePath.parse("default/key/disk"));
        assertEquals("s3cret", new String(f.secret(), StandardCharsets.UTF_8));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> agent.fetch(guest(false),
                "sev-snp", ResourcePath.parse("default/key/disk")));
        assertTrue(e.getMessage(), e.getMessage().startsWith("resource default/key/disk refused (HTTP 403) "
                + "PolicyDeny: "));
        assertTrue(e.getMessage(), e.getMessage().contains("allows debugging"));
    }
}
