package io.teebox.intel.verify.internal;

import io.teebox.intel.tdx.abi.Quote;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import java.math.BigInteger;
import java.security.PublicKey;
import java.util.Arrays;

/** Check {@code quote_signature}: the attestation key (a P-256 point) signs the header and the TD quote body. */
final class QuoteSignature {

    private QuoteSignature() {
    }

    static void check(Quote q, Findings out) {
        byte[] ak = q.attestationKey();
        PublicKey key;
        try {
            // one key object per attestation key, so that its precomputation serves every quote it signs
            key = DcapChain.CACHE.memo("attestation-key", () -> EcKeys.publicKey("P-256", new BigInteger(1,
                    Arrays.copyOf(ak, 32)), new BigInteger(1, Arrays.copyOfRange(ak, 32, 64))), ak);
        } catch (IllegalArgumentException e) {
            out.fail("quote_signature", "the attestation key is not a P-256 point: " + e.getMessage());
            return;
        }
        BigInteger[] rs = Signatures.fromRaw(q.signature());
        if (!Signatures.ecdsaVerify(key, "SHA-256", q.signedBytes(), rs[0], rs[1])) {
            out.fail("quote_signature", "the quote signature does not verify over the header and TD quote body with "
                    + "the attestation key");
        }
    }
}
