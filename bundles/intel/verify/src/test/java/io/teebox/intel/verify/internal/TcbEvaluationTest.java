package io.teebox.intel.verify.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.teebox.kit.hex.Hex;
import java.util.List;
import org.junit.Test;

/**
 * The TDX TCB status as Intel's QVL computes it: level matching, the TDX module identity and its convergence, the
 * QE's, and the TD relaunch check of TDX 1.5 quotes ({@code TcbLevelCheck.cpp}, {@code TdxModuleCheck.cpp},
 * {@code TDRelaunchCheck.cpp}).
 */
public class TcbEvaluationTest {

    private static final byte[] ZERO48 = new byte[48];
    private static final PckExtensions PCK = new PckExtensions(new byte[16],
            new int[] {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0}, 13, new byte[16], new byte[2],
            Hex.decode("90c06f000000"), 1);

    private static JsonArray components(int... svns) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < 16; i++) {
            JsonObject c = new JsonObject();
            c.addProperty("svn", i < svns.length ? svns[i] : 0);
            a.add(c);
        }
        return a;
    }

    private static JsonObject level(int[] sgx, int[] tdx, String status) {
        JsonObject t = new JsonObject();
        t.add("sgxtcbcomponents", components(sgx));
        t.addProperty("pcesvn", 13);
        t.add("tdxtcbcomponents", components(tdx));
        JsonObject l = new JsonObject();
        l.add("tcb", t);
        l.addProperty("tcbDate", "2024-11-13T00:00:00Z");
        l.addProperty("tcbStatus", status);
        JsonArray adv = new JsonArray();
        adv.add("INTEL-SA-" + status);
        l.add("advisoryIDs", adv);
        return l;
    }

    private static JsonObject moduleLevel(int isvsvn, String status) {
        JsonObject t = new JsonObject();
        t.addProperty("isvsvn", isvsvn);
        JsonObject l = new JsonObject();
        l.add("tcb", t);
        l.addProperty("tcbDate", "2024-11-13T00:00:00Z");
        l.addProperty("tcbStatus", status);
        return l;
    }

    /** TCB info: a latest level (TDX 5,0,3, the SGX SVNs of {@link #PCK}) of {@code latest}, then OutOfDate. */
    private static JsonObject tcbInfo(String latest, String latestModule) {
        JsonObject o = new JsonObject();
        o.addProperty("id", "TDX");
        o.addProperty("version", 3);
        o.addProperty("fmspc", "90c06f000000");
        o.addProperty("pceId", "0000");
        JsonArray levels = new JsonArray();
        int[] sgx = {3, 3, 2, 2, 4, 1, 0, 5};
        levels.add(level(sgx, new int[] {5, 0, 3}, latest));
        levels.add(level(sgx, new int[] {5, 0, 2}, "OutOfDate"));
        o.add("tcbLevels", levels);
        JsonObject module = new JsonObject();
        module.addProperty("mrsigner", Hex.encode(ZERO48));
        module.addProperty("attributes", "0000000000000000");
        module.addProperty("attributesMask", "FFFFFFFFFFFFFFFF");
        o.add("tdxModule", module.deepCopy());
        JsonObject id = module.deepCopy();
        id.addProperty("id", "TDX_01");
        JsonArray ml = new JsonArray();
        ml.add(moduleLevel(6, latestModule));
        ml.add(moduleLevel(4, "OutOfDate"));
        id.add("tcbLevels", ml);
        JsonArray ids = new JsonArray();
        ids.add(id);
        o.add("tdxModuleIdentities", ids);
        return o;
    }

    private static TcbEvaluation.Result eval(JsonObject tcb, String svn, String svn2, String qe) {
        return new TcbEvaluation(tcb, PCK, Hex.decode(svn), svn2 == null ? null : Hex.decode(svn2), ZERO48, 0)
                .evaluate(qe);
    }

    @Test
    public void theFirstMatchingLevelAndTheModuleLevelGiveTheStatus() {
        TcbEvaluation.Result r = eval(tcbInfo("UpToDate", "UpToDate"), "06010300000000000000000000000000", null,
                "UpToDate");
        assertEquals(List.of(), r.failures());
        assertEquals("UpToDate", r.status());
        assertEquals("OutOfDate", eval(tcbInfo("UpToDate", "UpToDate"), "06010200000000000000000000000000", null,
                "UpToDate").status());
        assertEquals("OutOfDate", eval(tcbInfo("UpToDate", "UpToDate"), "04010300000000000000000000000000", null,
                "UpToDate").status());
    }

    @Test
    public void anOutOfDateModuleOrQeTurnsConfigurationNeededIntoOutOfDateConfigurationNeeded() {
        // before, the worse of the two by severity gave OutOfDate; QVL's convergence keeps the configuration part
        assertEquals("OutOfDateConfigurationNeeded", eval(tcbInfo("ConfigurationNeeded", "UpToDate"),
                "04010300000000000000000000000000", null, "UpToDate").status());
        assertEquals("OutOfDateConfigurationNeeded", eval(tcbInfo("ConfigurationAndSWHardeningNeeded", "UpToDate"),
                "06010300000000000000000000000000", null, "OutOfDate").status());
        assertEquals("OutOfDate", eval(tcbInfo("SWHardeningNeeded", "UpToDate"), "06010300000000000000000000000000",
                null, "OutOfDate").status());
        assertEquals("Revoked", eval(tcbInfo("UpToDate", "Revoked"), "06010300000000000000000000000000", null,
                "UpToDate").status());
    }

    @Test
    public void aTdLaunchedOnAnOutOfDateModuleNowUpdatedInPlaceIsAdvisedToRelaunch() {
        // TEE_TCB_SVN: the module the TD was built on (TDX_01 ISVSVN 4, OutOfDate); TEE_TCB_SVN2: the module now
        // running (ISVSVN 6, the latest), with TDX component 2 at the latest level's 3
        TcbEvaluation.Result r = eval(tcbInfo("UpToDate", "UpToDate"), "04010300000000000000000000000000",
                "06010300000000000000000000000000", "UpToDate");
        assertEquals(r.failures().toString(), "TDRelaunchAdvised", r.status());
        assertEquals("TDRelaunchAdvisedConfigurationNeeded", eval(tcbInfo("ConfigurationNeeded", "UpToDate"),
                "04010300000000000000000000000000", "06010300000000000000000000000000", "UpToDate").status());
        // the running module not yet at the latest level, or an out-of-date QE: no relaunch helps
        assertEquals("OutOfDate", eval(tcbInfo("UpToDate", "UpToDate"), "04010300000000000000000000000000",
                "05010300000000000000000000000000", "UpToDate").status());
        assertEquals("OutOfDate", eval(tcbInfo("UpToDate", "UpToDate"), "04010300000000000000000000000000",
                "06010300000000000000000000000000", "OutOfDate").status());
        // TDX 1.0 bodies carry no TEE_TCB_SVN2
        assertEquals("OutOfDate", eval(tcbInfo("UpToDate", "UpToDate"), "04010300000000000000000000000000", null,
                "UpToDate").status());
        TcbEvaluation.Result missing = eval(tcbInfo("UpToDate", "UpToDate"), "04010300000000000000000000000000",
                "06020300000000000000000000000000", "UpToDate");
        assertTrue(missing.failures().toString(), missing.failures().get(0).reason().contains("TDX_02"));
    }

    @Test
    public void whatCannotBeMatchedIsAFailureNamingIt() {
        TcbEvaluation.Result none = eval(tcbInfo("UpToDate", "UpToDate"), "06010100000000000000000000000000", null,
                "UpToDate");
        assertNull(none.status());
        assertEquals("tcb_status", none.failures().get(0).check());
        assertTrue(none.failures().get(0).reason().contains("STATUS_TCB_NOT_SUPPORTED"));
        TcbEvaluation.Result module = eval(tcbInfo("UpToDate", "UpToDate"), "06030300000000000000000000000000", null,
                "UpToDate");
        assertEquals("tdx_module", module.failures().get(0).check());
        assertTrue(module.failures().get(0).reason().contains("no TDX module identity TDX_03"));
        JsonObject signer = tcbInfo("UpToDate", "UpToDate");
        signer.getAsJsonObject("tdxModule").addProperty("mrsigner", "01".repeat(48));
        TcbEvaluation.Result v0 = eval(signer, "05000300000000000000000000000000", null, "UpToDate");
        assertEquals("tdx_module", v0.failures().get(0).check());
        assertTrue(v0.failures().get(0).reason().contains("tcb_info.tdxModule.mrsigner"));
    }
}
