package io.teebox.tpm.verify.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.appraisal.Tier;
import io.teebox.api.appraisal.TrustClaim;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.tee.Bytes;
import io.teebox.boot.eventlog.EventLog;
import io.teebox.boot.eventlog.EventType;
import io.teebox.boot.eventlog.HashAlgorithm;
import io.teebox.boot.eventlog.PcrBanks;
import io.teebox.boot.eventlog.TcgPcrEvent2;
import io.teebox.boot.eventlog.UefiVariableData;
import io.teebox.kit.crypto.Digests;
import io.teebox.tpm.abi.TpmsAttest;
import io.teebox.tpm.abi.TpmsPcrSelection;
import io.teebox.tpm.abi.TpmsQuoteInfo;
import io.teebox.tpm.abi.TpmtSignature;

/**
 * Appraises a CVM's vTPM evidence (format {@value #FORMAT}, teebox's JSON: {@code hardware {format, evidence,
 * certificates}}, {@code runtime_claims}, {@code quote {message, signature, pcrs}}, {@code event_log}) as one chain:
 * the hardware evidence, by the platform's verifier of its format; its REPORT_DATA, the SHA-256 of the runtime
 * claims (as Azure's HCL binds them); the AK those claims carry, which must have signed the quote; the quote's PCR
 * digest, over the PCR values given; the event log, which must replay to them. The quote's qualifying data is what
 * binds the relying party's nonce. It contains no emulator.
 */
@Component(service = EvidenceVerifier.class, property = EvidenceVerifier.FORMAT_PROPERTY + "=" + VtpmEvidenceVerifier
        .FORMAT)
public final class VtpmEvidenceVerifier implements EvidenceVerifier {

    /** The evidence format. */
    public static final String FORMAT = "hcl-vtpm";

    private final Map<String, EvidenceVerifier> hardware = new ConcurrentHashMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            target = "(!(" + EvidenceVerifier.FORMAT_PROPERTY + "=" + FORMAT + "))")
    void addVerifier(EvidenceVerifier v) {
        hardware.put(v.format(), v);
    }

    void removeVerifier(EvidenceVerifier v) {
        hardware.remove(v.format(), v);
    }

    @Override
    public String format() {
        return FORMAT;
    }

    private static Check fail(String check, TrustClaim claim, String reason) {
        return new Check(check, claim, Tier.CONTRAINDICATED, reason);
    }

    @Override
    public Appraisal verify(Evidence evidence, VerificationOptions options) {
        List<Check> checks = new ArrayList<>();
        Map<String, Object> claims = new LinkedHashMap<>();
        JsonObject e;
        byte[] claimsBytes;
        byte[] message;
        byte[] signature;
        SortedMap<Integer, byte[]> pcrs = new TreeMap<>();
        JsonObject hw;
        byte[] log;
        try {
            e = JsonParser.parseString(new String(evidence.report(), StandardCharsets.UTF_8)).getAsJsonObject();
            hw = e.getAsJsonObject("hardware");
            claimsBytes = b64(e, "runtime_claims");
            JsonObject q = e.getAsJsonObject("quote");
            message = b64(q, "message");
            signature = b64(q, "signature");
            for (Map.Entry<String, JsonElement> p : q.getAsJsonObject("pcrs").entrySet()) {
                pcrs.put(Integer.parseInt(p.getKey()), HexFormat.of().parseHex(p.getValue().getAsString()));
            }
            log = e.has("event_log") ? b64(e, "event_log") : new byte[0];
        } catch (RuntimeException x) {
            checks.add(fail("evidence", TrustClaim.INSTANCE_IDENTITY, "the vTPM evidence is not the JSON of format "
                    + FORMAT + " ({hardware, runtime_claims, quote {message, signature, pcrs}, event_log}): " + x));
            return Appraisal.of(FORMAT, claims, checks, null);
        }

        // 1. the hardware evidence, by its own verifier
        String hwFormat = hw.has("format") ? hw.get("format").getAsString() : "";
        EvidenceVerifier v = hardware.get(hwFormat);
        byte[] hwReportData = null;
        claims.put("hardware_format", hwFormat);
        if (v == null) {
            checks.add(fail("hardware", TrustClaim.INSTANCE_IDENTITY, "no verifier of the hardware evidence's format '"
                    + hwFormat + "' is present; present: " + new java.util.TreeSet<>(hardware.keySet())));
        } else {
            List<byte[]> certs = new ArrayList<>();
            if (hw.has("certificates")) {
                for (JsonElement c : hw.getAsJsonArray("certificates")) {
                    certs.add(Base64.getDecoder().decode(c.getAsString()));
                }
            }
            Map<String, String> refs = new LinkedHashMap<>();
            options.referenceValues().forEach((k, val) -> {
                if (!k.matches("pcr\\d+") && !k.equals("report_data")) {
                    refs.put(k, val);
                }
            });
            Appraisal a = v.verify(new Evidence(hwFormat, b64(hw, "evidence"), certs, Map.of()),
                    new VerificationOptions(options.clock(), options.trustedRoots(), refs, options.policy()));
            a.claims().forEach(claims::put);
            for (Check c : a.checks()) {
                checks.add(new Check("hardware." + c.check(), c.claim(), c.tier(), c.reason()));
            }
            hwReportData = a.nonce().map(Bytes::value).orElse(null);
        }

        // 2. the hardware binds the runtime claims
        byte[] expected = Arrays.copyOf(Digests.sha256(claimsBytes), 64);
        if (hwReportData == null || !Arrays.equals(Arrays.copyOf(hwReportData, 64), expected)) {
            checks.add(fail("runtime_claims", TrustClaim.INSTANCE_IDENTITY, "the hardware REPORT_DATA "
                    + (hwReportData == null ? "is not known" : HexFormat.of().formatHex(hwReportData))
                    + " is not the SHA-256 of the runtime claims, " + HexFormat.of().formatHex(expected)));
        } else {
            checks.add(Check.passed("runtime_claims", "REPORT_DATA is the SHA-256 of the runtime claims"));
        }

        // 3. the AK they carry signed the quote
        JsonObject rc;
        PublicKey ak = null;
        try {
            rc = JsonParser.parseString(new String(claimsBytes, StandardCharsets.UTF_8)).getAsJsonObject();
            for (JsonElement k : rc.getAsJsonArray("keys")) {
                JsonObject jwk = k.getAsJsonObject();
                PublicKey pk = rsa(jwk);
                String kid = jwk.get("kid").getAsString();
                if (kid.equals("HCLAkPub")) {
                    ak = pk;
                    claims.put("ak_pub_sha256", HexFormat.of().formatHex(Digests.sha256(pk.getEncoded())));
                } else if (kid.equals("HCLEkPub")) {
                    claims.put("ek_pub_sha256", HexFormat.of().formatHex(Digests.sha256(pk.getEncoded())));
                }
            }
            JsonObject vm = rc.getAsJsonObject("vm-configuration");
            if (vm != null && vm.has("vmUniqueId")) {
                claims.put("vm_id", vm.get("vmUniqueId").getAsString());
            }
        } catch (RuntimeException | java.security.GeneralSecurityException x) {
            checks.add(fail("runtime_claims", TrustClaim.INSTANCE_IDENTITY, "the runtime claims are not HCL's "
                    + "{keys: [RSA JWKs], vm-configuration}: " + x.getMessage()));
        }
        TpmsAttest attest = null;
        try {
            attest = TpmsAttest.fromBytes(message);
            if (ak == null) {
                checks.add(fail("quote_signature", TrustClaim.INSTANCE_IDENTITY, "the runtime claims carry no "
                        + "HCLAkPub, so nothing verifies the quote"));
            } else if (!TpmtSignature.fromBytes(signature).verify(ak, message)) {
                checks.add(fail("quote_signature", TrustClaim.INSTANCE_IDENTITY, "the quote's signature does not "
                        + "verify with HCLAkPub, the AK the hardware report binds"));
            } else {
                checks.add(Check.passed("quote_signature", "the AK the hardware report binds signed the quote"));
            }
        } catch (RuntimeException x) {
            checks.add(fail("quote_signature", TrustClaim.INSTANCE_IDENTITY, "the quote does not parse: "
                    + x.getMessage()));
        }

        // 4. the quote covers the PCR values given
        if (attest != null && attest.attested() instanceof TpmsQuoteInfo qi) {
            List<Integer> selected = new ArrayList<>();
            for (TpmsPcrSelection s : qi.pcrSelect().pcrSelections()) {
                if (s.hash() != io.teebox.tpm.abi.TpmAlgId.SHA256) {
                    continue;
                }
                selected.addAll(s.pcrs());
            }
            java.util.Collections.sort(selected);
            List<byte[]> values = new ArrayList<>();
            selected.forEach(p -> values.add(pcrs.getOrDefault(p, new byte[0])));
            byte[] digest = Digests.sha256(values.toArray(new byte[0][]));
            if (!selected.equals(new ArrayList<>(pcrs.keySet()))) {
                checks.add(fail("pcrs", TrustClaim.EXECUTABLES, "the quote selects PCRs " + selected
                        + ", the evidence gives " + pcrs.keySet()));
            } else if (!Arrays.equals(digest, qi.pcrDigest().buffer())) {
                checks.add(fail("pcrs", TrustClaim.EXECUTABLES, "the PCR values given do not hash to the quote's "
                        + "pcrDigest " + HexFormat.of().formatHex(qi.pcrDigest().buffer())));
            } else {
                checks.add(Check.passed("pcrs", "the quote covers PCRs " + selected));
                pcrs.forEach((k, val) -> claims.put("pcr" + k, HexFormat.of().formatHex(val)));
            }
        }

        // 5. the event log replays to them
        if (log.length > 0) {
            try {
                EventLog parsed = EventLog.parse(log);
                PcrBanks banks = parsed.replay();
                List<String> differ = new ArrayList<>();
                for (int p : banks.extended()) {
                    if (pcrs.containsKey(p) && !Arrays.equals(pcrs.get(p), banks.value(HashAlgorithm.SHA256, p))) {
                        differ.add("PCR " + p);
                    }
                }
                if (differ.isEmpty()) {
                    checks.add(Check.passed("event_log", "the event log replays to the quoted PCRs"));
                } else {
                    checks.add(fail("event_log", TrustClaim.EXECUTABLES, "the event log does not replay to the "
                            + "quoted " + differ));
                }
                Boolean sb = secureBoot(parsed);
                if (sb != null) {
                    claims.put("secureboot", sb);
                }
            } catch (RuntimeException x) {
                checks.add(fail("event_log", TrustClaim.EXECUTABLES, "the event log does not parse: "
                        + x.getMessage()));
            }
        }
        byte[] nonce = attest == null ? null : attest.extraData().buffer();
        return Appraisal.of(FORMAT, claims, checks, nonce == null ? null : Bytes.of(nonce));
    }

    /** The SecureBoot variable as the firmware measured it into PCR 7. */
    private static Boolean secureBoot(EventLog log) {
        for (TcgPcrEvent2 e : log.events()) {
            if (e.pcrIndex() == 7 && e.eventType() == EventType.EV_EFI_VARIABLE_DRIVER_CONFIG.value()) {
                UefiVariableData d = UefiVariableData.parse(e.event());
                if (d.unicodeName().equals("SecureBoot")) {
                    return d.variableData().length == 1 && d.variableData()[0] == 1;
                }
            }
        }
        return null;
    }

    private static PublicKey rsa(JsonObject jwk) throws java.security.GeneralSecurityException {
        if (!"RSA".equals(jwk.get("kty").getAsString())) {
            throw new java.security.InvalidKeyException("key " + jwk.get("kid") + " is not RSA");
        }
        BigInteger n = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("n").getAsString()));
        BigInteger ex = new BigInteger(1, Base64.getUrlDecoder().decode(jwk.get("e").getAsString()));
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, ex));
    }

    private static byte[] b64(JsonObject o, String member) {
        JsonElement e = o.get(member);
        if (e == null || !e.isJsonPrimitive()) {
            throw new IllegalArgumentException(member + " is missing");
        }
        return Base64.getDecoder().decode(e.getAsString());
    }
}
