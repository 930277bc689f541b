package io.teebox.attestation.azure.internal;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.nimbusds.jwt.SignedJWT;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.hypervisor.LaunchPlan;
import io.teebox.api.hypervisor.LaunchResult;
import io.teebox.api.owner.GuestOwnerService;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.attestation.api.Timeline;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.lang.Lazy;
import io.teebox.tpm.guest.GuestTpms;

/**
 * Azure's confidential-VM flow with secure key release, run end to end, as the seed's sequence diagram draws it: the
 * user creates an exportable key whose release policy pins the genuine image's launch measurement and forbids
 * debugging; the control plane has the host launch an SEV-SNP CVM; the CVM makes its key, attests to the attestation
 * service (MAA's SevSnpVm API) and presents the token to the key service, which releases the key wrapped to the CVM's
 * key; the CVM unwraps it. Negative runs launch a debuggable guest or a tampered image, which the key service refuses
 * naming the claim.
 */
final class AzureScenario {

    static final String USER = "user";
    static final String CONTROL = "control plane";
    static final String HOST = "host";
    static final String PSP = "secure processor";
    static final String CVM = "CVM";
    static final String AS = "attestation service";
    static final String KS = "key service";
    static final List<String> PARTIES = List.of(USER, CONTROL, HOST, PSP, CVM, AS, KS);

    /** The guest policy of a production CVM: SMT allowed, bit 17 (must be one), no debugging, no migration agent. */
    static final long POLICY = 0x30000L;
    /** The same with DEBUG (bit 19). */
    static final long DEBUG_POLICY = 0xB0000L;
    static final String VCPU_TYPE = "EPYC-Milan";
    static final long MEMORY = 64L << 20;
    /** Where the tampered image differs from the genuine one: the first byte of the boot firmware volume's banner. */
    static final int TAMPERED_OFFSET = 0x2000;
    static final String KEY_NAME = "cvm-disk-key";
    static final String ENC = "RSA_AES_KEY_WRAP_256";

    /** The negative runs. */
    enum Negative {
        NONE, DEBUG, TAMPERED;

        static Negative of(String s) {
            if (s == null || s.isEmpty()) {
                return NONE;
            }
            return switch (s) {
                case "debug" -> DEBUG;
                case "tampered" -> TAMPERED;
                default -> throw new IllegalArgumentException("--negative is '" + s + "'; accepted: debug, tampered");
            };
        }
    }

    private final Hypervisor hypervisor;
    private final GuestOwnerService owner;
    private final KeyVault vault;
    private final Maa maa;
    private final String base;
    private final GuestTpms tpms;
    /** Made at the first request: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http =
            Lazy.of(() -> HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build());

    AzureScenario(Hypervisor hypervisor, GuestOwnerService owner, KeyVault vault, Maa maa, String base,
            GuestTpms tpms) {
        this.hypervisor = hypervisor;
        this.tpms = tpms;
        this.owner = owner;
        this.vault = vault;
        this.maa = maa;
        this.base = base;
    }

    /** @return the release policy of the genuine image: Azure's grammar, authority this instance */
    static String releasePolicy(String authority, String launchMeasurement) {
        return "{\"version\":\"1.0.0\",\"anyOf\":[{\"authority\":\"" + authority + "\",\"allOf\":["
                + "{\"claim\":\"x-ms-isolation-tee.x-ms-attestation-type\",\"equals\":\"sevsnpvm\"},"
                + "{\"claim\":\"x-ms-isolation-tee.x-ms-sevsnpvm-is-debuggable\",\"equals\":false},"
                + "{\"claim\":\"x-ms-isolation-tee.x-ms-sevsnpvm-launchmeasurement\",\"equals\":\""
                + launchMeasurement + "\"},"
                + "{\"claim\":\"x-ms-isolation-tee.x-ms-compliance-status\",\"equals\":\"azure-compliant-cvm\"}]}]}";
    }

    /** Runs the flow; the timeline ends succeeded or refused. */
    Timeline run(Negative negative) {
        Timeline t = new Timeline("Azure: SEV-SNP confidential VM, Azure Attestation (MAA), Key Vault secure key "
                + "release" + (negative == Negative.NONE ? "" : " (negative run: " + negative.name().toLowerCase()
                        + ")"), PARTIES);
        byte[] genuine = DefaultFirmware.image();
        long policy = negative == Negative.DEBUG ? DEBUG_POLICY : POLICY;
        String expected = HexFormat.of().formatHex(owner.expectedDigest(new OwnerPolicy(POLICY, genuine, null, null,
                null, null, null, -1), 1, VCPU_TYPE));
        t.note(USER, "computes the launch measurement of the genuine image (teebox default firmware, 1 vCPU "
                + VCPU_TYPE + "): " + abbrev(expected));

        String policyJson = releasePolicy(maa.issuer(), expected);
        JsonObject create = new JsonObject();
        create.addProperty("kty", "oct-HSM");
        create.addProperty("key_size", 256);
        JsonObject at = new JsonObject();
        at.addProperty("exportable", true);
        create.add("attributes", at);
        JsonObject rp = new JsonObject();
        rp.addProperty("data", Base64.getUrlEncoder().withoutPadding().encodeToString(policyJson.getBytes(
                StandardCharsets.UTF_8)));
        create.add("release_policy", rp);
        JsonObject bundle = post(base + KeyVault.PREFIX + "/keys/" + KEY_NAME + "/create?api-version=7.3",
                create.toString(), "Bearer " + vault.adminToken());
        String kid = bundle.getAsJsonObject("key").get("kid").getAsString();
        String version = kid.substring(kid.lastIndexOf('/') + 1);
        t.step(USER, KS, "POST /akv/keys/" + KEY_NAME + "/create: exportable oct-HSM AES-256 key with a release "
                + "policy (authority " + maa.issuer() + "; allOf x-ms-attestation-type sevsnpvm, is-debuggable "
                + "false, launchmeasurement " + abbrev(expected) + ", compliance-status azure-compliant-cvm)");
        t.step(KS, USER, "200 key " + KEY_NAME + "/" + version + " (kept in state/azure/akv)");

        String name = "azure-cvm-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        byte[] image = genuine;
        if (negative == Negative.TAMPERED) {
            image[TAMPERED_OFFSET] ^= 0x01;
        }
        t.step(USER, CONTROL, "create confidential VM " + name + " (SEV-SNP, 1 vCPU " + VCPU_TYPE + ", guest policy "
                + String.format("0x%X", policy) + (negative == Negative.DEBUG ? ", DEBUG allowed" : "") + ")");
        hypervisor.create(new GuestConfig(name, "sev-snp", 1, VCPU_TYPE, MEMORY));
        try {
            t.step(CONTROL, HOST, "launch " + name + " with " + (negative == Negative.TAMPERED
                    ? "a tampered image (byte " + String.format("0x%X", TAMPERED_OFFSET) + " of the firmware altered)"
                    : "the genuine image"));
            LaunchResult launched = hypervisor.launch(name, new LaunchPlan(image, null, null, null), owner.prepare(
                    new OwnerPolicy(policy, image, null, null, null, null, null, -1)));
            long updates = launched.log().stream().filter(l -> l.command().contains("UPDATE")).count();
            t.step(HOST, PSP, "SNP_LAUNCH_START (policy " + String.format("0x%X", policy) + "), " + updates
                    + "x SNP_LAUNCH_UPDATE, SNP_LAUNCH_FINISH");
            t.step(PSP, HOST, "launched; the launch digest stays in the secure processor (SNP reveals it only in "
                    + "VCEK-signed reports)");
            t.step(HOST, CONTROL, name + " running");

            AzureGuest g = new AzureGuest(http.get(), base, hypervisor.context(name), tpms.of(name));
            t.note(CVM, "its vTPM (the paravisor's, at VMPL0) holds the RSA-2048 key " + KeyVault.TEE_KEY_ID
                    + ", whose private half never leaves it: public key thumbprint " + thumbprint(g));
            t.step(CVM, AS, "POST /as/v1/challenge");
            String nonce = g.challenge();
            t.step(AS, CVM, "nonce " + abbrev(nonce));
            byte[] runtime = g.runtimeData(nonce);
            t.step(CVM, PSP, "SNP_GUEST_REQUEST MSG_REPORT_REQ, REPORT_DATA = SHA-256(runtime data {keys, nonce}) "
                    + abbrev(HexFormat.of().formatHex(Maa.sha256(runtime))));
            Evidence e = g.evidence(runtime);
            t.step(PSP, CVM, "ATTESTATION_REPORT (" + e.report().length + " bytes) signed by the VCEK, with "
                    + e.certificates().size() + " certificates");
            t.step(CVM, AS, "POST /maa/attest/SevSnpVm?api-version=2022-08-01 {report: {SnpReport, VcekCertChain}, "
                    + "runtimeData: {data, dataType: JSON}}");
            String token;
            try {
                token = g.attest(AzureGuest.maaRequest(e, runtime, null));
            } catch (AzureGuest.Refused r) {
                t.step(AS, CVM, "HTTP " + r.status + " " + r.getMessage());
                return t.refused(r.getMessage());
            }
            Map<String, Object> claims = claims(token);
            Map<String, Object> tee = cast(claims.get("x-ms-isolation-tee"));
            t.note(AS, "appraises the report (VCEK chain, signature, policies): x-ms-compliance-status "
                    + tee.get("x-ms-compliance-status") + ", is-debuggable " + tee.get("x-ms-sevsnpvm-is-debuggable")
                    + ", launchmeasurement " + abbrev(String.valueOf(tee.get("x-ms-sevsnpvm-launchmeasurement")))
                    + (claims.get("x-ms-teebox-reasons") instanceof List<?> l && !l.isEmpty() ? "; " + l.get(0) : ""));
            t.step(AS, CVM, "200 token (RS256, kid " + abbrev(maa.keyId()) + ", jku " + maa.issuer() + "/certs, "
                    + "x-ms-runtime.keys[0] " + KeyVault.TEE_KEY_ID + ")");
            t.step(CVM, KS, "POST /akv/keys/" + KEY_NAME + "/" + abbrev(version) + "/release?api-version=7.3 "
                    + "{target: token, enc: " + ENC + "}");
            t.step(KS, AS, "GET /maa/certs (the authority's signing keys)");
            String jws;
            try {
                jws = g.release(KEY_NAME, version, token, ENC);
            } catch (AzureGuest.Refused r) {
                t.note(KS, r.status == 403 ? "token verified; release policy not met" : "token refused");
                t.step(KS, CVM, "HTTP " + r.status + " " + r.getMessage());
                return t.refused(r.getMessage().replaceFirst("^Forbidden: ", ""));
            }
            t.note(KS, "token verified with the authority's key; release policy met");
            t.step(KS, CVM, "200 {value: JWS} with key_hsm: the key wrapped " + ENC + " to " + KeyVault.TEE_KEY_ID);
            AzureGuest.Unwrapped u = g.unwrap(jws);
            String fp = KeyVault.fingerprint(u.key());
            boolean same = fp.equals(vault.fingerprint(KEY_NAME, version));
            t.note(CVM, "verifies the JWS, unwraps key_hsm: TPM2_RSA_Decrypt in the vTPM (RSA-OAEP-256), then AES "
                    + "key wrap with padding: AES-" + u.key().length * 8 + " key, SHA-256 fingerprint " + fp
                    + (same ? " (the key the vault holds)" : " (NOT the vault's key)"));
            if (!same) {
                return t.refused("the unwrapped key is not the vault's key");
            }
            return t.succeeded("the CVM holds " + KEY_NAME + " (fingerprint " + abbrev(fp) + "), released against "
                    + "the release policy");
        } finally {
            try {
                hypervisor.destroy(name);
            } catch (RuntimeException ignored) {
                // the guest is gone already; nothing else to undo
            }
        }
    }

    private JsonObject post(String url, String body, String auth) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header(
                "Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        try {
            HttpResponse<String> r = http.get().send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("POST " + url + " answered HTTP " + r.statusCode() + " " + r.body());
            }
            return JsonParser.parseString(r.body()).getAsJsonObject();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("POST " + url + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String thumbprint(AzureGuest g) {
        try {
            return g.publicKey().computeThumbprint().toString();
        } catch (com.nimbusds.jose.JOSEException e) {
            return "?";
        }
    }

    static Map<String, Object> claims(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().toJSONObject();
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("the token does not parse: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static String abbrev(String s) {
        return s.length() <= 20 ? s : s.substring(0, 16) + "…";
    }
}
