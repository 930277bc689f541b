package io.teebox.disk.luks2;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;

/**
 * The LUKS2 token systemd-cryptenroll writes for a TPM 2.0 enrollment, type {@value #TYPE}: the keyslot whose
 * passphrase is sealed, the sealed object ({@code tpm2-blob}: TPM2B_PRIVATE then TPM2B_PUBLIC, base64), the PCRs and
 * bank of its policy, the storage key's algorithm, the policy digest and whether a PIN is needed.
 *
 * @param keyslots the keyslots the token opens
 * @param blob the sealed object
 * @param pcrs the PCRs of the policy
 * @param bank the PCR bank, {@code sha256}
 * @param primaryAlg the storage primary's algorithm, {@code ecc} or {@code rsa}
 * @param policyHash the PolicyPCR digest
 */
public record SystemdTpm2Token(List<Integer> keyslots, byte[] blob, int[] pcrs, String bank, String primaryAlg,
        byte[] policyHash) {

    /** The token type. */
    public static final String TYPE = "systemd-tpm2";

    /**
     * Copies the arrays.
     *
     * @throws NullPointerException for a missing member
     */
    public SystemdTpm2Token {
        keyslots = List.copyOf(keyslots);
        blob = blob.clone();
        pcrs = pcrs.clone();
        Objects.requireNonNull(bank, "bank");
        Objects.requireNonNull(primaryAlg, "primaryAlg");
        policyHash = policyHash.clone();
    }

    @Override
    public byte[] blob() {
        return blob.clone();
    }

    @Override
    public int[] pcrs() {
        return pcrs.clone();
    }

    @Override
    public byte[] policyHash() {
        return policyHash.clone();
    }

    /** @return the token's JSON, with the members and types systemd-cryptenroll writes */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("type", TYPE);
        JsonArray ks = new JsonArray();
        keyslots.forEach(k -> ks.add(Integer.toString(k)));
        o.add("keyslots", ks);
        o.addProperty("tpm2-blob", Base64.getEncoder().encodeToString(blob));
        JsonArray p = new JsonArray();
        for (int pcr : pcrs) {
            p.add(pcr);
        }
        o.add("tpm2-pcrs", p);
        o.addProperty("tpm2-pcr-bank", bank);
        o.addProperty("tpm2-primary-alg", primaryAlg);
        o.addProperty("tpm2-policy-hash", HexFormat.of().formatHex(policyHash));
        o.addProperty("tpm2-pin", false);
        return o;
    }

    /**
     * @param token a token's JSON
     * @return the token
     * @throws IllegalArgumentException naming the member that is missing or of the wrong type
     */
    public static SystemdTpm2Token parse(JsonObject token) {
        if (!TYPE.equals(text(token, "type"))) {
            throw new IllegalArgumentException("token type is '" + text(token, "type") + "', expected '" + TYPE + "'");
        }
        List<Integer> ks = new ArrayList<>();
        for (JsonElement k : array(token, "keyslots")) {
            try {
                ks.add(Integer.parseInt(k.getAsString()));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("token keyslots holds " + k + ", expected keyslot ids as strings");
            }
        }
        JsonArray p = array(token, "tpm2-pcrs");
        int[] pcrs = new int[p.size()];
        for (int i = 0; i < pcrs.length; i++) {
            if (!(p.get(i) instanceof JsonPrimitive n) || !n.isNumber()) {
                throw new IllegalArgumentException("token tpm2-pcrs holds " + p.get(i) + ", expected PCR numbers");
            }
            pcrs[i] = n.getAsInt();
        }
        byte[] blob;
        byte[] policy;
        try {
            blob = Base64.getDecoder().decode(text(token, "tpm2-blob"));
            policy = HexFormat.of().parseHex(text(token, "tpm2-policy-hash"));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("token tpm2-blob is not base64 or tpm2-policy-hash not hex: "
                    + e.getMessage());
        }
        return new SystemdTpm2Token(ks, blob, pcrs, text(token, "tpm2-pcr-bank"), text(token, "tpm2-primary-alg"),
                policy);
    }

    private static String text(JsonObject o, String member) {
        if (!(o.get(member) instanceof JsonPrimitive p) || !p.isString()) {
            throw new IllegalArgumentException("token member " + member + " is " + o.get(member) + ", expected a "
                    + "string");
        }
        return p.getAsString();
    }

    private static JsonArray array(JsonObject o, String member) {
        if (!(o.get(member) instanceof JsonArray a)) {
            throw new IllegalArgumentException("token member " + member + " is " + o.get(member) + ", expected an "
                    + "array");
        }
        return a;
    }
}
