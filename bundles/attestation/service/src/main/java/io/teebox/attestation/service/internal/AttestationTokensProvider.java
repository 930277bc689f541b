package io.teebox.attestation.service.internal;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import com.google.gson.JsonElement;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.CompositeEvidence;
import io.teebox.api.attestation.Evidence;
import io.teebox.attestation.api.AttestationRefused;
import io.teebox.attestation.api.AttestationTokens;
import io.teebox.attestation.api.Challenge;
import io.teebox.kit.lang.Lazy;
import jakarta.servlet.Servlet;

/**
 * The attestation service in-process: the same engine, nonces, policies and signing key as the HTTP endpoints of
 * {@link AttestationServlet}, whose component it adapts (so the two can never disagree).
 */
@Component(service = AttestationTokens.class)
public final class AttestationTokensProvider implements AttestationTokens {

    private final AttestationEngine engine;
    private final Clock clock;
    /** Made at the first token check: translating the key loads Bouncy Castle's EC classes, off the start path. */
    private final Lazy<ECDSAVerifier> verifier;

    /**
     * @param servlet the attestation service's servlet component of this bundle
     */
    @Activate
    public AttestationTokensProvider(@Reference(target = "(component.name=io.teebox.attestation.service.internal."
            + "AttestationServlet)") Servlet servlet) {
        this(((AttestationServlet) servlet).engine(), Clock.systemUTC());
    }

    AttestationTokensProvider(AttestationEngine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
        this.verifier = Lazy.of(() -> verifier(engine.signer().publicKey()));
    }

    /**
     * The service's key as Bouncy Castle's, once, and BC's ECDSA: a relying party's token check (the key broker's
     * bearer tokens) costs a P-384 verify per request, which SunEC did at about a third of BC's rate here.
     */
    private static ECDSAVerifier verifier(com.nimbusds.jose.jwk.ECKey key) {
        try {
            java.security.interfaces.ECPublicKey bc = (java.security.interfaces.ECPublicKey) java.security.KeyFactory
                    .getInstance("EC", io.teebox.kit.crypto.BouncyCastle.provider()).translateKey(key.toECPublicKey());
            ECDSAVerifier v = new ECDSAVerifier(bc);
            v.getJCAContext().setProvider(io.teebox.kit.crypto.BouncyCastle.provider());
            return v;
        } catch (JOSEException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("the service's signing key cannot verify: " + e.getMessage(), e);
        }
    }

    @Override
    public Challenge challenge() {
        var c = engine.challenge();
        return new Challenge(c.get("nonce").getAsString(), Instant.parse(c.get("expires").getAsString()));
    }

    @Override
    public byte[] reportData(String format, String nonce, String runtimeDataJson) {
        try {
            return Binding.of(format, nonce, runtimeData(runtimeDataJson), null).reportData();
        } catch (Problem p) {
            throw refused(p);
        }
    }

    @Override
    public String attest(Evidence evidence, String nonce, String runtimeDataJson) {
        try {
            return engine.attest(evidence, nonce, runtimeData(runtimeDataJson), null, null);
        } catch (Problem p) {
            throw refused(p);
        }
    }

    @Override
    public String attest(CompositeEvidence evidence, String nonce, String runtimeDataJson) {
        try {
            return engine.attest(evidence, nonce, runtimeData(runtimeDataJson), null, null);
        } catch (Problem p) {
            throw refused(p);
        }
    }

    @Override
    public Map<String, Object> verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token == null ? "" : token.trim());
        } catch (ParseException e) {
            throw new AttestationRefused(401, "InvalidToken", "the token is not a compact JWS: " + e.getMessage());
        }
        if (!JWSAlgorithm.ES384.equals(jwt.getHeader().getAlgorithm())) {
            throw new AttestationRefused(401, "InvalidToken", "the token's alg is " + jwt.getHeader().getAlgorithm()
                    + "; this service signs ES384");
        }
        try {
            if (!jwt.verify(verifier.get())) {
                throw new AttestationRefused(401, "InvalidToken", "the token's signature does not verify with this "
                        + "service's key " + engine.signer().keyId());
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date exp = claims.getExpirationTime();
            if (exp == null) {
                throw new AttestationRefused(401, "InvalidToken", "the token has no exp");
            }
            if (!clock.instant().isBefore(exp.toInstant())) {
                throw new AttestationRefused(401, "ExpiredToken", "the token expired at " + exp.toInstant());
            }
            return claims.toJSONObject();
        } catch (JOSEException | ParseException e) {
            throw new AttestationRefused(401, "InvalidToken", "the token cannot be verified: " + e.getMessage());
        }
    }

    @Override
    public String jwks() {
        return engine.signer().jwks();
    }

    private static JsonElement runtimeData(String json) {
        try {
            return json == null ? null : StrictJson.parse(json);
        } catch (IllegalArgumentException e) {
            throw new AttestationRefused(400, "MalformedRequest", "runtime data is " + e.getMessage());
        }
    }

    private static AttestationRefused refused(Problem p) {
        return new AttestationRefused(p.status, p.name, p.getMessage());
    }
}
