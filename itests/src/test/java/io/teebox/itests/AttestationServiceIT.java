package io.teebox.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.tee.Bytes;

/**
 * The attestation service over loopback HTTP on a real Felix: an SNP guest and a TD get a challenge, bind it in their
 * evidence's report data, and get EAR tokens that verify with the published JWKS; evidence binding something else is
 * refused (403) and a debuggable guest's token says so in its configuration claim.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AttestationServiceIT extends TeeboxTestSupport {

    private final HttpClient http = HttpClient.newHttpClient();

    private String base() {
        return service(HttpEndpoint.class, null).baseUrl() + "/as/v1";
    }

    private HttpResponse<String> post(String url, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String challenge() throws Exception {
        // the servlet registers once the platform state and HTTP runtime are there
        String[] nonce = new String[1];
        await("the challenge endpoint answers", () -> {
            try {
                HttpResponse<String> r = post(base() + "/challenge", "");
                if (r.statusCode() != 200) {
                    return false;
                }
                nonce[0] = JsonParser.parseString(r.body()).getAsJsonObject().get("nonce").getAsString();
                return true;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return nonce[0];
    }

    private static byte[] binding(String nonce) throws Exception {
        byte[] d = MessageDigest.getInstance("SHA-384").digest(("{\"nonce\":\"" + nonce + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        return java.util.Arrays.copyOf(d, 64);
    }

    private static String request(Evidence e, String nonce) {
        JsonObject ev = evidenceJson(e);
        JsonObject o = new JsonObject();
        o.add("evidence", ev);
        o.addProperty("nonce", nonce);
        return o.toString();
    }

    private Map<String, Object> attestAndVerify(String guest) throws Exception {
        String nonce = challenge();
        Evidence e = hypervisor().context(guest).evidence(Bytes.of(binding(nonce)));
        HttpResponse<String> r = post(base() + "/attest", request(e, nonce));
        assertEquals(r.body(), 200, r.statusCode());
        String token = JsonParser.parseString(r.body()).getAsJsonObject().get("token").getAsString();
        String jwks = http.send(HttpRequest.newBuilder(URI.create(service(HttpEndpoint.class, null).baseUrl()
                + "/.well-known/jwks.json")).build(), HttpResponse.BodyHandlers.ofString()).body();
        SignedJWT jwt = SignedJWT.parse(token);
        ECKey key = (ECKey) JWKSet.parse(jwks).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertTrue("the token verifies with the published key", jwt.verify(new ECDSAVerifier(key)));
        assertEquals(nonce, jwt.getJWTClaimsSet().getStringClaim("eat_nonce"));
        @SuppressWarnings("unchecked")
        Map<String, Object> cpu0 = (Map<String, Object>) jwt.getJWTClaimsSet().getJSONObjectClaim("submods")
                .get("cpu0");
        return cpu0;
    }

    @Test
    public void snpAndTdxGuestsGetAffirmingTokensOverHttp() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("as-snp", "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch("as-snp", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000, null, null,
                null, null, null, null, -1)));
        Map<String, Object> snp = attestAndVerify("as-snp");
        assertEquals(snp.toString(), "affirming", snp.get("ear.status"));
        assertTrue(snp.toString(), ((Map<?, ?>) snp.get("ear.veraison.annotated-evidence")).containsKey("snp"));

        hv.create(new GuestConfig("as-td", "tdx", 1, "SPR", GUEST_MEMORY));
        hv.launch("as-td", LaunchPlan.DEFAULT, guestOwner("tdx").prepare(new OwnerPolicy(0x10000000L, null, null,
                null, null, null, null, -1)));
        Map<String, Object> tdx = attestAndVerify("as-td");
        assertEquals(tdx.toString(), "affirming", tdx.get("ear.status"));
        assertTrue(tdx.toString(), ((Map<?, ?>) tdx.get("ear.veraison.annotated-evidence")).containsKey("tdx"));
    }

    @Test
    public void evidenceBindingSomethingElseIs403AndADebugGuestIsContraindicatedWithTheReason() throws Exception {
        Hypervisor hv = hypervisor();
        hv.create(new GuestConfig("as-dbg", "sev-snp", 1, "EPYC-Milan", GUEST_MEMORY));
        hv.launch("as-dbg", LaunchPlan.DEFAULT, guestOwner("sev-snp").prepare(new OwnerPolicy(0x30000 | 1L << 19,
                null, null, null, null, null, null, -1)));
        String nonce = challenge();
        Evidence other = hv.context("as-dbg").evidence(Bytes.of(new byte[64]));
        HttpResponse<String> r = post(base() + "/attest", request(other, nonce));
        assertEquals(r.body(), 403, r.statusCode());
        JsonObject problem = JsonParser.parseString(r.body()).getAsJsonObject();
        assertTrue(r.body(), problem.get("type").getAsString().endsWith("/EvidenceNotBound"));
        assertTrue(r.body(), problem.get("detail").getAsString().contains("is not the binding of the nonce"));
        HttpResponse<String> again = post(base() + "/attest", request(other, nonce));
        assertEquals("the nonce was used up", 401, again.statusCode());

        Map<String, Object> dbg = attestAndVerify("as-dbg");
        assertEquals(dbg.toString(), "contraindicated", dbg.get("ear.status"));
        assertEquals(96L, ((Number) ((Map<?, ?>) dbg.get("ear.trustworthiness-vector")).get("configuration"))
                .longValue());
        assertTrue(dbg.toString(), dbg.get("teebox.reasons").toString().contains("allows debugging"));
    }
}
