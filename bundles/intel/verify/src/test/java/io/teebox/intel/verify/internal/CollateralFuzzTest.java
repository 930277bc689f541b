package io.teebox.intel.verify.internal;

import static io.teebox.kit.testing.Fuzzing.check;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.gson.JsonObject;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.testing.Fuzzing;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The collateral bundle of the evidence attachment {@code collateral} (DCAP-QVL's field names), as the verifier reads
 * it before any signature is checked: {@link Collateral#parse} gives the nine fields or an
 * {@link IllegalArgumentException} naming the missing or malformed field (its Javadoc's contract); the fields
 * written back as JSON parse to the same collateral. {@link Collateral#rawMember}, which cuts the signed document out
 * of a PCS response, gives a balanced object from the text or an {@link IllegalArgumentException}.
 */
class CollateralFuzzTest {

    @FuzzTest
    void collateralParsesOrRefusesNamingTheField(byte[] data) {
        String text = new String(data, StandardCharsets.UTF_8);
        Collateral c = Fuzzing.typed(() -> Collateral.parse(text), IllegalArgumentException.class);
        if (c != null) {
            JsonObject o = new JsonObject();
            o.addProperty("pck_crl_issuer_chain", c.pckCrlIssuerChain());
            o.addProperty("root_ca_crl", Hex.encode(c.rootCaCrl()));
            o.addProperty("pck_crl", Hex.encode(c.pckCrl()));
            o.addProperty("tcb_info_issuer_chain", c.tcbInfoIssuerChain());
            o.addProperty("tcb_info", c.tcbInfo());
            o.addProperty("tcb_info_signature", Hex.encode(c.tcbInfoSignature()));
            o.addProperty("qe_identity_issuer_chain", c.qeIdentityIssuerChain());
            o.addProperty("qe_identity", c.qeIdentity());
            o.addProperty("qe_identity_signature", Hex.encode(c.qeIdentitySignature()));
            Collateral again = Collateral.parse(o.toString());
            check("collateral written back parses to the same fields", again.tcbInfo().equals(c.tcbInfo())
                    && again.qeIdentity().equals(c.qeIdentity()) && Arrays.equals(again.pckCrl(), c.pckCrl())
                    && Arrays.equals(again.rootCaCrl(), c.rootCaCrl()) && Arrays.equals(again.tcbInfoSignature(),
                            c.tcbInfoSignature()) && again.pckCrlIssuerChain().equals(c.pckCrlIssuerChain()));
        }
        for (String member : new String[] {"tcbInfo", "enclaveIdentity"}) {
            String raw = Fuzzing.typed(() -> Collateral.rawMember(text, member), IllegalArgumentException.class);
            if (raw != null) {
                check("a raw member is an object cut from the text", text.contains(raw) && raw.startsWith("{")
                        && raw.endsWith("}"));
            }
        }
    }
}
