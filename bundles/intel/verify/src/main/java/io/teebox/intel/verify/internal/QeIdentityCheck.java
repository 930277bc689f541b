package io.teebox.intel.verify.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.teebox.intel.tdx.abi.EnclaveReport;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.hex.Hex;
import java.util.Arrays;
import java.util.List;

/**
 * Check {@code qe_identity}: the QE report against the TD_QE version 2 identity (MRSIGNER, ISVPRODID, MISCSELECT
 * and ATTRIBUTES under their masks, not a debug enclave), and the QE's TCB status: the first level whose ISVSVN the
 * QE's reaches (claim {@code qe_tcb_status}), with its advisories.
 */
final class QeIdentityCheck {

    private QeIdentityCheck() {
    }

    /**
     * @param id the verified QE identity
     * @param qe the QE report
     * @param advisories where the matched level's advisory IDs are added
     * @param out where claims and failures go
     * @return the QE's TCB status ({@code Revoked} if no level matches), or null if the identity is not the
     *         expected JSON
     */
    static String status(JsonObject id, Struct qe, List<String> advisories, Findings out) {
        try {
            return evaluate(id, qe, advisories, out);
        } catch (Json.FormatException e) {
            out.fail("qe_identity", "QE identity is not the expected JSON: " + e.getMessage());
            return null;
        }
    }

    private static String evaluate(JsonObject id, Struct qe, List<String> advisories, Findings out) {
        String p = "qe_identity";
        String name = Json.text(id, "id", p);
        int version = Json.integer(id, "version", p, Integer.MAX_VALUE);
        if (!"TD_QE".equals(name) || version != 2) {
            out.fail("qe_identity", "QE identity is '" + name + "' version " + version + ", expected TD_QE version 2");
            return "Revoked";
        }
        byte[] signer = Json.hex(id, "mrsigner", p, 32);
        if (!Arrays.equals(signer, qe.bytes("MRSIGNER"))) {
            out.fail("qe_identity", "QE MRSIGNER " + Hex.encode(qe.bytes("MRSIGNER")) + " is not the identity's "
                    + Hex.encode(signer));
        }
        int prodId = Json.integer(id, "isvprodid", p, 0xFFFF);
        if (qe.u16("ISVPRODID") != prodId) {
            out.fail("qe_identity", "QE ISVPRODID " + qe.u16("ISVPRODID") + " is not the identity's " + prodId);
        }
        long misc = LittleEndian.u32(Json.hex(id, "miscselect", p, 4), 0);
        long miscMask = LittleEndian.u32(Json.hex(id, "miscselectMask", p, 4), 0);
        if ((qe.u32("MISCSELECT") & miscMask) != (misc & miscMask)) {
            out.fail("qe_identity", String.format("QE MISCSELECT 0x%08X does not match 0x%08X under mask 0x%08X",
                    qe.u32("MISCSELECT"), misc, miscMask));
        }
        byte[] attrs = Json.hex(id, "attributes", p, 16);
        byte[] mask = Json.hex(id, "attributesMask", p, 16);
        byte[] actual = Arrays.copyOfRange(qe.toBytes(), EnclaveReport.ATTRIBUTES_OFFSET,
                EnclaveReport.ATTRIBUTES_OFFSET + 16);
        for (int i = 0; i < 16; i++) {
            if ((actual[i] & mask[i]) != (attrs[i] & mask[i])) {
                out.fail("qe_identity", "QE ATTRIBUTES " + Hex.encode(actual) + " do not match " + Hex.encode(attrs)
                        + " under mask " + Hex.encode(mask));
                break;
            }
        }
        if ((qe.u64("ATTRIBUTES.FLAGS") & EnclaveReport.FLAG_DEBUG) != 0) {
            out.fail("qe_identity", "the quoting enclave is a debug enclave");
        }
        JsonArray levels = Json.array(id, "tcbLevels", p);
        for (int i = 0; i < levels.size(); i++) {
            JsonObject lo = Json.element(levels, i, p + ".tcbLevels");
            String lp = p + ".tcbLevels[" + i + "]";
            if (Json.integer(Json.object(lo, "tcb", lp), "isvsvn", lp + ".tcb", 0xFFFF) <= qe.u16("ISVSVN")) {
                JsonArray a = Json.optionalArray(lo, "advisoryIDs", lp);
                for (int j = 0; a != null && j < a.size(); j++) {
                    String advisory = Json.text(a, j, lp + ".advisoryIDs");
                    if (!advisories.contains(advisory)) {
                        advisories.add(advisory);
                    }
                }
                String status = Json.text(lo, "tcbStatus", lp);
                out.claim("qe_tcb_status", status);
                return status;
            }
        }
        out.fail("qe_identity", "QE ISVSVN " + qe.u16("ISVSVN") + " is below every level of the QE identity");
        return "Revoked";
    }
}
