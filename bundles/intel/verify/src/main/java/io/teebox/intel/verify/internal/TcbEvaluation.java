package io.teebox.intel.verify.internal;

import com.google.gson.JsonArray;
import io.teebox.api.appraisal.Check;
import com.google.gson.JsonObject;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.hex.Hex;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The TDX TCB status of a quote against signed TCB info (TCB info v3, id "TDX"), as Intel's Quote Verification
 * Library evaluates it ({@code TcbLevelCheck.cpp}, {@code TdxModuleCheck.cpp}, {@code TDRelaunchCheck.cpp}):
 * <ol>
 * <li>the first TCB level whose SGX components and PCESVN the PCK certificate meets, and whose TDX components
 * TEE_TCB_SVN meets (bytes 0 and 1 skipped when TEE_TCB_SVN[1], the TDX module's major version, is not zero);</li>
 * <li>for a module with TEE_TCB_SVN[1] &gt; 0, the module identity "TDX_xx" and its first level whose ISVSVN
 * TEE_TCB_SVN[0] meets, converged into the platform status (an OutOfDate module makes an UpToDate platform
 * OutOfDate and a ConfigurationNeeded one OutOfDateConfigurationNeeded; a Revoked module makes it Revoked);</li>
 * <li>for a TDX 1.5 body, the relaunch check on TEE_TCB_SVN2: a TD built on an out-of-date module that has since
 * been updated in place to the latest level is TDRelaunchAdvised;</li>
 * <li>the QE identity status converged in the same way.</li>
 * </ol>
 * MRSIGNERSEAM and SEAMATTRIBUTES are checked against the module identity in use ({@code tdxModule}, or the
 * "TDX_xx" entry).
 */
final class TcbEvaluation {

    static final String UP_TO_DATE = "UpToDate";
    static final String OUT_OF_DATE = "OutOfDate";
    static final String REVOKED = "Revoked";
    static final String RELAUNCH = "TDRelaunchAdvised";
    static final String RELAUNCH_CONFIGURATION = "TDRelaunchAdvisedConfigurationNeeded";

    /** Worst last; the relaunch statuses sit between the fine ones and OutOfDate. */
    static final List<String> ORDER = List.of(UP_TO_DATE, "SWHardeningNeeded", "ConfigurationNeeded",
            "ConfigurationAndSWHardeningNeeded", RELAUNCH, RELAUNCH_CONFIGURATION, OUT_OF_DATE,
            "OutOfDateConfigurationNeeded", REVOKED);

    /** A failed check: its name and why. */
    record Failure(String check, String reason) {
    }

    /**
     * The outcome.
     *
     * @param status the TCB status, or null if it could not be determined (see failures)
     * @param tcbDate the matched platform level's tcbDate, or null
     * @param advisories the advisory IDs of every level that decided the status
     * @param failures what failed
     */
    record Result(String status, String tcbDate, List<String> advisories, List<Check> failures) {
    }

    private final JsonObject tcb;
    private final PckExtensions pck;
    private final byte[] teeTcbSvn;
    private final byte[] teeTcbSvn2;
    private final byte[] mrSignerSeam;
    private final long seamAttributes;
    private final List<String> advisories = new ArrayList<>();
    private final List<Check> failures = new ArrayList<>();
    private String tcbDate;

    /**
     * @param tcbInfo the signed tcbInfo object
     * @param pck the PCK certificate's SGX extension
     * @param teeTcbSvn TEE_TCB_SVN of the body
     * @param teeTcbSvn2 TEE_TCB_SVN2 of a TDX 1.5 body, or null for a TDX 1.0 body
     * @param mrSignerSeam MRSIGNERSEAM of the body
     * @param seamAttributes SEAMATTRIBUTES of the body
     */
    TcbEvaluation(JsonObject tcbInfo, PckExtensions pck, byte[] teeTcbSvn, byte[] teeTcbSvn2, byte[] mrSignerSeam,
            long seamAttributes) {
        this.tcb = tcbInfo;
        this.pck = pck;
        this.teeTcbSvn = teeTcbSvn.clone();
        this.teeTcbSvn2 = teeTcbSvn2 == null ? null : teeTcbSvn2.clone();
        this.mrSignerSeam = mrSignerSeam.clone();
        this.seamAttributes = seamAttributes;
    }

    private void fail(String check, String reason) {
        failures.add(new Check(check, reason));
    }

    /**
     * @param qeStatus the QE identity's status for the QE report, or null if there is none
     * @return the outcome
     * @throws Json.FormatException if the TCB info does not have the structure of TCB info v3
     */
    Result evaluate(String qeStatus) {
        String status = platform();
        if (status != null && qeStatus != null) {
            status = converge(status, qeStatus);
        }
        return new Result(status, tcbDate, List.copyOf(advisories), List.copyOf(failures));
    }

    private String platform() {
        String id = Json.text(tcb, "id", "tcb_info");
        int version = Json.integer(tcb, "version", "tcb_info", Integer.MAX_VALUE);
        if (!"TDX".equals(id) || version != 3) {
            fail("tcb_info", "TCB info is id '" + id + "' version " + version + ", expected TDX version 3");
            return null;
        }
        String fmspc = Json.text(tcb, "fmspc", "tcb_info");
        if (!fmspc.equalsIgnoreCase(Hex.encode(pck.fmspc()))) {
            fail("fmspc", "TCB info is for FMSPC " + fmspc + ", the PCK certificate's is " + Hex.encode(pck.fmspc()));
        }
        String pceId = Json.text(tcb, "pceId", "tcb_info");
        if (!pceId.equalsIgnoreCase(Hex.encode(pck.pceId()))) {
            fail("fmspc", "TCB info is for PCE-ID " + pceId + ", the PCK certificate's is " + Hex.encode(pck.pceId()));
        }
        JsonArray levels = Json.array(tcb, "tcbLevels", "tcb_info");
        int major = teeTcbSvn[1] & 0xFF;
        // 1. the platform level: SGX components and PCESVN of the PCK, TDX components of TEE_TCB_SVN
        String sgxStatus = null;
        String tdxStatus = null;
        for (int i = 0; i < levels.size(); i++) {
            String path = "tcb_info.tcbLevels[" + i + "]";
            JsonObject lo = Json.element(levels, i, "tcb_info.tcbLevels");
            JsonObject t = Json.object(lo, "tcb", path);
            boolean sgx = atLeast(pck.tcbComponents(), Json.array(t, "sgxtcbcomponents", path + ".tcb"), 0,
                    path + ".tcb.sgxtcbcomponents");
            if (!sgx || pck.pceSvn() < Json.integer(t, "pcesvn", path + ".tcb", 0xFFFF)) {
                continue;
            }
            if (sgxStatus == null) {
                sgxStatus = Json.text(lo, "tcbStatus", path);
            }
            if (!atLeast(unsigned(teeTcbSvn), Json.array(t, "tdxtcbcomponents", path + ".tcb"), major > 0 ? 2 : 0,
                    path + ".tcb.tdxtcbcomponents")) {
                continue;
            }
            tdxStatus = Json.text(lo, "tcbStatus", path);
            tcbDate = Json.text(lo, "tcbDate", path);
            addAdvisories(lo, path);
            break;
        }
        if (tdxStatus == null) {
            fail("tcb_status", "no TCB level of FMSPC " + Hex.encode(pck.fmspc()) + " matches CPUSVN components "
                    + Arrays.toString(pck.tcbComponents()) + ", PCE SVN " + pck.pceSvn() + " and TEE_TCB_SVN "
                    + Hex.encode(teeTcbSvn) + " (Intel QVL: STATUS_TCB_NOT_SUPPORTED)");
            return null;
        }
        // 2. the TDX module
        String moduleStatus = UP_TO_DATE;
        if (major == 0) {
            JsonObject module = Json.optionalObject(tcb, "tdxModule", "tcb_info");
            if (module != null) {
                checkModule(module, "tcb_info.tdxModule");
            }
        } else {
            String moduleId = String.format("TDX_%02X", major);
            JsonObject identity = moduleIdentity(moduleId);
            if (identity == null) {
                fail("tdx_module", "TCB info has no TDX module identity " + moduleId + " for TEE_TCB_SVN "
                        + Hex.encode(teeTcbSvn) + " (Intel QVL: STATUS_TDX_MODULE_MISMATCH)");
                return null;
            }
            String path = "tcb_info.tdxModuleIdentities[" + moduleId + "]";
            checkModule(identity, path);
            JsonArray ml = Json.array(identity, "tcbLevels", path);
            moduleStatus = null;
            for (int i = 0; i < ml.size(); i++) {
                JsonObject lo = Json.element(ml, i, path + ".tcbLevels");
                String lp = path + ".tcbLevels[" + i + "]";
                if (Json.integer(Json.object(lo, "tcb", lp), "isvsvn", lp + ".tcb", 0xFF) <= (teeTcbSvn[0] & 0xFF)) {
                    moduleStatus = Json.text(lo, "tcbStatus", lp);
                    addAdvisories(lo, lp);
                    break;
                }
            }
            if (moduleStatus == null) {
                fail("tcb_status", "TDX module SVN " + (teeTcbSvn[0] & 0xFF) + " is below every level of " + moduleId
                        + " (Intel QVL: STATUS_TCB_NOT_SUPPORTED)");
                return null;
            }
        }
        String status = converge(tdxStatus, moduleStatus);
        // 3. TDX 1.5: a TD launched on an out-of-date module that was since updated in place
        if (teeTcbSvn2 != null && !REVOKED.equals(status)) {
            status = relaunch(levels, sgxStatus, status, moduleStatus);
        }
        return status;
    }

    /** Intel QVL {@code checkForRelaunch}; the QE part is applied by the caller's convergence. */
    private String relaunch(JsonArray levels, String sgxStatus, String tdxStatus, String moduleStatus) {
        boolean sgxFine = List.of(UP_TO_DATE, "SWHardeningNeeded", "ConfigurationNeeded",
                "ConfigurationAndSWHardeningNeeded").contains(sgxStatus);
        boolean tdxOld = OUT_OF_DATE.equals(tdxStatus) || "OutOfDateConfigurationNeeded".equals(tdxStatus);
        if (!sgxFine || !tdxOld || !OUT_OF_DATE.equals(moduleStatus) || levels.size() == 0) {
            return tdxStatus;
        }
        JsonObject latest = Json.object(Json.element(levels, 0, "tcb_info.tcbLevels"), "tcb",
                "tcb_info.tcbLevels[0]");
        JsonArray latestTdx = Json.array(latest, "tdxtcbcomponents", "tcb_info.tcbLevels[0].tcb");
        int latest2 = component(latestTdx, 2, "tcb_info.tcbLevels[0].tcb.tdxtcbcomponents");
        int needed0;
        if ((teeTcbSvn2[1] & 0xFF) == 0) {
            needed0 = component(latestTdx, 0, "tcb_info.tcbLevels[0].tcb.tdxtcbcomponents");
        } else {
            String moduleId = String.format("TDX_%02X", teeTcbSvn2[1] & 0xFF);
            JsonObject identity = moduleIdentity(moduleId);
            if (identity == null) {
                fail("tdx_module", "TCB info has no TDX module identity " + moduleId + " for TEE_TCB_SVN2 "
                        + Hex.encode(teeTcbSvn2) + " (Intel QVL: STATUS_TDX_MODULE_MISMATCH)");
                return tdxStatus;
            }
            String path = "tcb_info.tdxModuleIdentities[" + moduleId + "]";
            JsonArray ml = Json.array(identity, "tcbLevels", path);
            if (ml.size() == 0) {
                fail("tcb_status", moduleId + " has no TCB levels (Intel QVL: STATUS_TCB_NOT_SUPPORTED)");
                return tdxStatus;
            }
            needed0 = Json.integer(Json.object(Json.element(ml, 0, path + ".tcbLevels"), "tcb",
                    path + ".tcbLevels[0]"), "isvsvn", path + ".tcbLevels[0].tcb", 0xFF);
        }
        if ((teeTcbSvn2[0] & 0xFF) >= needed0 && (teeTcbSvn2[2] & 0xFF) >= latest2) {
            return isConfigurationNeeded(sgxStatus) || isConfigurationNeeded(tdxStatus) ? RELAUNCH_CONFIGURATION
                    : RELAUNCH;
        }
        return tdxStatus;
    }

    private static boolean isConfigurationNeeded(String status) {
        return List.of("ConfigurationNeeded", "OutOfDateConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
                RELAUNCH_CONFIGURATION).contains(status);
    }

    private JsonObject moduleIdentity(String moduleId) {
        JsonArray ids = Json.optionalArray(tcb, "tdxModuleIdentities", "tcb_info");
        for (int i = 0; ids != null && i < ids.size(); i++) {
            JsonObject m = Json.element(ids, i, "tcb_info.tdxModuleIdentities");
            if (moduleId.equalsIgnoreCase(Json.text(m, "id", "tcb_info.tdxModuleIdentities[" + i + "]"))) {
                return m;
            }
        }
        return null;
    }

    private void checkModule(JsonObject m, String path) {
        byte[] signer = Json.hex(m, "mrsigner", path, 48);
        if (!Arrays.equals(signer, mrSignerSeam)) {
            fail("tdx_module", "MRSIGNERSEAM " + Hex.encode(mrSignerSeam) + " is not " + path + ".mrsigner "
                    + Hex.encode(signer));
        }
        long attrs = LittleEndian.u64(Json.hex(m, "attributes", path, 8), 0);
        long mask = LittleEndian.u64(Json.hex(m, "attributesMask", path, 8), 0);
        if ((seamAttributes & mask) != attrs) {
            fail("tdx_module", String.format("SEAMATTRIBUTES 0x%X masked with 0x%X is not %s.attributes 0x%X",
                    seamAttributes, mask, path, attrs));
        }
    }

    private void addAdvisories(JsonObject level, String path) {
        JsonArray a = Json.optionalArray(level, "advisoryIDs", path);
        for (int i = 0; a != null && i < a.size(); i++) {
            String id = Json.text(a, i, path + ".advisoryIDs");
            if (!advisories.contains(id)) {
                advisories.add(id);
            }
        }
    }

    private static int[] unsigned(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    private static int component(JsonArray components, int i, String path) {
        if (i >= components.size()) {
            throw new Json.FormatException(path + " has " + components.size() + " entries, expected 16");
        }
        return Json.integer(Json.element(components, i, path), "svn", path + "[" + i + "]", 0xFF);
    }

    private static boolean atLeast(int[] actual, JsonArray components, int from, String path) {
        if (components.size() != 16) {
            throw new Json.FormatException(path + " has " + components.size() + " entries, expected 16");
        }
        for (int i = from; i < 16; i++) {
            if (actual[i] < component(components, i, path)) {
                return false;
            }
        }
        return true;
    }

    /**
     * Intel QVL's convergence of a platform status with the QE's or the TDX module's: an OutOfDate other side
     * makes UpToDate and SWHardeningNeeded OutOfDate and the two ConfigurationNeeded statuses
     * OutOfDateConfigurationNeeded; otherwise the worse of the two.
     */
    static String converge(String platform, String other) {
        if (OUT_OF_DATE.equals(other) && ("ConfigurationNeeded".equals(platform)
                || "ConfigurationAndSWHardeningNeeded".equals(platform))) {
            return "OutOfDateConfigurationNeeded";
        }
        return severity(platform) >= severity(other) ? platform : other;
    }

    static int severity(String status) {
        int i = ORDER.indexOf(status);
        return i < 0 ? ORDER.size() : i;
    }
}
