package io.teebox.intel.verify.internal;

import com.google.gson.JsonObject;
import io.teebox.kit.crypto.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.format.DateTimeParseException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A collateral document Intel's TCB Signing key signs (TCB info, QE identity): its issuer chain (TCB Signing, root)
 * under {@link DcapChain}'s rules (check {@code <document>_chain}), the TCB Signing certificate not revoked by the
 * root CA CRL when that CRL is verified and current ({@code revocation}), the signature over the JSON text ({@code <document>_signature}), and the
 * document's issueDate .. nextUpdate around the appraisal's instant ({@code <document>}).
 */
final class SignedCollateral {

    private SignedCollateral() {
    }

    /**
     * @param chainPem the issuer chain, PEM
     * @param json the document as signed
     * @param sig r||s
     * @param check the document's check name ({@code tcb_info}, {@code qe_identity})
     * @param rootCrl the root CA CRL
     * @param rules Intel's chain rules
     * @param out where failures go
     * @return the document if its chain and signature verify and it is JSON, else null
     */
    static JsonObject verify(String chainPem, String json, byte[] sig, String check, X509CRL rootCrl,
            DcapChain rules, Findings out) {
        List<X509Certificate> chain;
        try {
            chain = DcapChain.CACHE.certificatesFromPem(chainPem);
        } catch (IllegalArgumentException e) {
            out.fail(check + "_chain", "the issuer chain is not PEM: " + e.getMessage());
            return null;
        }
        if (chain.size() != 2) {
            out.fail(check + "_chain", "the issuer chain has " + chain.size() + " certificates, expected 2 (TCB "
                    + "Signing, root)");
            return null;
        }
        DcapChain.Checked checked = rules.check(chain, List.of(Set.of(DcapChain.TCB_SIGNING_CN),
                Set.of(DcapChain.ROOT_CN)), List.of(rootCrl));
        if (checked.failure() != null) {
            out.fail(check + "_chain", checked.failure());
            return null;
        }
        if (checked.revoked().contains(0)) {
            out.fail("revocation", "the TCB Signing certificate is revoked by the root CA CRL");
        }
        Verified known = verified(chain.get(0), json, sig);
        if (known != null) {
            Instant now = rules.now();
            if (now.isBefore(known.issue()) || now.isAfter(known.next())) {
                out.fail(check, check + " is valid " + known.issue() + " .. " + known.next() + ", not at " + now);
            }
            return known.document();
        }
        if (sig.length != 64 || !Signatures.ecdsaVerify(chain.get(0).getPublicKey(), "SHA-256",
                json.getBytes(StandardCharsets.UTF_8), Signatures.fromRaw(sig)[0], Signatures.fromRaw(sig)[1])) {
            out.fail(check + "_signature", "the signature over " + check + " does not verify with the Intel SGX TCB "
                    + "Signing key");
            return null;
        }
        JsonObject o;
        try {
            o = Json.parseObject(json, check);
            Instant issue = instant(o, "issueDate", check);
            Instant next = instant(o, "nextUpdate", check);
            Instant now = rules.now();
            if (now.isBefore(issue) || now.isAfter(next)) {
                out.fail(check, check + " is valid " + issue + " .. " + next + ", not at " + now);
            }
        } catch (Json.FormatException e) {
            out.fail(check, check + " is not the expected JSON: " + e.getMessage());
            return null;
        }
        return o;
    }

    /** A document whose signature verified with a TCB Signing key, parsed, with its issueDate and nextUpdate. */
    private record Verified(JsonObject document, Instant issue, Instant next) {
    }

    /**
     * @return the document if its signature verifies with the certificate's key and it parses with both dates, from
     *         the cache when the same text, signature and certificate were seen; else null (the caller reports why)
     */
    private static Verified verified(X509Certificate signer, String json, byte[] sig) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        byte[] der;
        try {
            der = signer.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            return null;
        }
        return DcapChain.CACHE.memo("signed-collateral", () -> {
            if (sig.length != 64 || !Signatures.ecdsaVerify(signer.getPublicKey(), "SHA-256", text,
                    Signatures.fromRaw(sig)[0], Signatures.fromRaw(sig)[1])) {
                return null;
            }
            try {
                JsonObject o = Json.parseObject(json, "document");
                return new Verified(o, instant(o, "issueDate", "document"), instant(o, "nextUpdate", "document"));
            } catch (Json.FormatException e) {
                return null;
            }
        }, text, sig, der);
    }

    private static Instant instant(JsonObject o, String name, String path) {
        String text = Json.text(o, name, path);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new Json.FormatException(path + "." + name + " '" + text + "' is not an ISO-8601 instant");
        }
    }
}
