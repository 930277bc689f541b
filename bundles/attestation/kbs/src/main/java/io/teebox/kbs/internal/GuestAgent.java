package io.teebox.kbs.internal;

import java.net.http.HttpClient;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.tee.Bytes;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.kbs.client.KbsClient;

/**
 * The guest's attestation agent, as Trustee's KBS client in a confidential guest: it makes an ephemeral P-384 key
 * pair for this exchange (its private half never leaves the agent), asks the broker for a challenge, binds the
 * nonce and the public key's JWK in its TEE's report data, sends the evidence, and unwraps the resource's JWE with
 * the private key. Everything goes over HTTP to the broker, as from a guest.
 */
final class GuestAgent {

    /** The KBS protocol version the agent speaks. */
    static final String VERSION = "0.1.1";

    /** What the agent got: the secret and the token the broker answered /attest with. */
    record Fetched(byte[] secret, String token) {
    }

    private final HttpClient http;
    private final String base;
    private final AttestationTokens binding;

    /**
     * @param http the HTTP client
     * @param baseUrl the broker's server, for example {@code http://127.0.0.1:8440}
     * @param binding the attestation service's binding rule, which the agent follows to compute its report data
     */
    GuestAgent(HttpClient http, String baseUrl, AttestationTokens binding) {
        this.http = http;
        this.base = baseUrl;
        this.binding = binding;
    }

    /** The TEE name a guest of a teebox TEE type sends in /auth (Trustee's names). */
    static String tee(String teeType) {
        return switch (teeType) {
            case "sev-snp" -> "snp";
            case "tdx" -> "tdx";
            case "sev" -> "sev";
            default -> throw new IllegalArgumentException("the key broker takes no evidence of TEE type " + teeType);
        };
    }

    /**
     * Runs RCAR and fetches one resource.
     *
     * @param guest the guest's context (its TEE makes the evidence)
     * @param teeType the guest's TEE type, {@code sev-snp}, {@code tdx} or {@code sev}
     * @param path the resource
     * @return the unwrapped secret and the token
     * @throws IllegalStateException naming the step, the broker's status, problem and detail when it refuses
     */
    Fetched fetch(GuestContext guest, String teeType, ResourcePath path) {
        String tee = tee(teeType);
        ECKey key;
        try {
            key = new ECKeyGenerator(Curve.P_384).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("the guest cannot make its TEE key: " + e.getMessage(), e);
        }
        KbsClient client = new KbsClient(http, base);
        KbsClient.Session session = client.auth(tee);
        JsonObject runtimeData = new JsonObject();
        runtimeData.addProperty("nonce", session.nonce());
        runtimeData.add("tee-pubkey", JsonParser.parseString(key.toPublicJWK().toJSONString()));
        String format = Broker.TEES.get(tee);
        Evidence e = guest.evidence(Bytes.of(binding.reportData(format, session.nonce(), runtimeData.toString())));
        String token = client.attest(session, runtimeData.toString(), e.format(), e.report(), e.certificates());
        return new Fetched(TeeKeys.unwrap(client.resource(session, path.toString()), key), token);
    }
}
