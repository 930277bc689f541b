package io.teebox.intel.pcs.internal;

import io.teebox.intel.tdx.abi.IntelIdentities;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * The DCAP collateral the emulated Intel PCS signs: TCB info v3 for TDX (id "TDX", with the TDX module and its
 * identity "TDX_01") and the TD QE identity v2 (id "TD_QE"), each the exact compact JSON string that is signed, its
 * r||s signature by the TCB Signing key, and the CRLs. Issue dates start at the beginning of the previous UTC day and
 * the collateral is valid for 30 days, so the bytes change once a day.
 */
final class IntelCollateral {

    /** One platform TCB level. */
    record TcbLevel(int[] sgx, int pceSvn, int[] tdx, String date, String status, List<String> advisories) {
    }

    /** One TCB level of an enclave or module identity (ISVSVN only). */
    record IsvLevel(int isvSvn, String date, String status, List<String> advisories) {
    }

    static final int TCB_EVALUATION_DATA_NUMBER = 17;
    /** The platform TCB levels, newest first. TDX component 1 is the module's major version (TDX 1.5). */
    static final List<TcbLevel> PLATFORM_LEVELS = List.of(
            new TcbLevel(new int[] {3, 3, 2, 2, 4, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0}, 13,
                    new int[] {5, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "2024-11-13T00:00:00Z", "UpToDate",
                    List.of()),
            new TcbLevel(new int[] {2, 2, 2, 2, 3, 1, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0}, 13,
                    new int[] {3, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "2024-03-13T00:00:00Z", "OutOfDate",
                    List.of("INTEL-SA-01036", "INTEL-SA-01079")),
            new TcbLevel(new int[] {1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, 5,
                    new int[] {1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "2018-01-04T00:00:00Z", "Revoked",
                    List.of("INTEL-SA-00106")));
    /** The TDX module identity TDX_01 (module major version 1): its ISVSVN levels. */
    static final List<IsvLevel> MODULE_LEVELS = List.of(
            new IsvLevel(5, "2024-11-13T00:00:00Z", "UpToDate", List.of()),
            new IsvLevel(3, "2024-03-13T00:00:00Z", "OutOfDate", List.of("INTEL-SA-01036")));
    /** The TD QE identity's ISVSVN levels. */
    static final List<IsvLevel> QE_LEVELS = List.of(
            new IsvLevel(4, "2024-03-13T00:00:00Z", "UpToDate", List.of()),
            new IsvLevel(2, "2023-08-09T00:00:00Z", "OutOfDate", List.of("INTEL-SA-00837")));

    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'", Locale.ROOT)
            .withZone(java.time.ZoneOffset.UTC);
    private static final String[][] SGX_NAMES = {{"BIOS", "Early Microcode Update"},
        {"OS/VMM", "SGX Late Microcode Update"}, {"OS/VMM", "TXT SINIT"}, {"BIOS", null}, {"BIOS", null},
        {"BIOS", null}, {null, null}, {"OS/VMM", "SEAMLDR ACM"}};
    private static final String[][] TDX_NAMES = {{"OS/VMM", "TDX Module"}, {"OS/VMM", "TDX Module"},
        {"OS/VMM", "TDX Late Microcode Update"}};

    private final IntelAuthority authority;

    IntelCollateral(IntelAuthority authority) {
        this.authority = authority;
    }

    static Instant issueDate(Instant now) {
        return now.truncatedTo(ChronoUnit.DAYS).minus(1, ChronoUnit.DAYS);
    }

    /**
     * @param fmspc 12 hex digits
     * @param now the current time
     * @return the signed tcbInfo object as compact JSON
     */
    String tcbInfo(String fmspc, Instant now) {
        Instant issue = issueDate(now);
        JsonObject t = new JsonObject();
        t.addProperty("id", "TDX");
        t.addProperty("version", 3);
        t.addProperty("issueDate", ISO.format(issue));
        t.addProperty("nextUpdate", ISO.format(issue.plus(30, ChronoUnit.DAYS)));
        t.addProperty("fmspc", fmspc.toLowerCase(Locale.ROOT));
        t.addProperty("pceId", Hex.encode(IntelIdentities.pceId()));
        t.addProperty("tcbType", 0);
        t.addProperty("tcbEvaluationDataNumber", TCB_EVALUATION_DATA_NUMBER);
        JsonObject module = new JsonObject();
        module.addProperty("mrsigner", Hex.encode(IntelIdentities.mrSignerSeam()).toUpperCase(Locale.ROOT));
        module.addProperty("attributes", "0000000000000000");
        module.addProperty("attributesMask", "FFFFFFFFFFFFFFFF");
        t.add("tdxModule", module);
        JsonObject identity = new JsonObject();
        identity.addProperty("id", "TDX_01");
        identity.addProperty("mrsigner", Hex.encode(IntelIdentities.mrSignerSeam()).toUpperCase(Locale.ROOT));
        identity.addProperty("attributes", "0000000000000000");
        identity.addProperty("attributesMask", "FFFFFFFFFFFFFFFF");
        identity.add("tcbLevels", isvLevels(MODULE_LEVELS));
        JsonArray identities = new JsonArray();
        identities.add(identity);
        t.add("tdxModuleIdentities", identities);
        JsonArray levels = new JsonArray();
        for (TcbLevel l : PLATFORM_LEVELS) {
            JsonObject tcb = new JsonObject();
            tcb.add("sgxtcbcomponents", components(l.sgx(), SGX_NAMES));
            tcb.addProperty("pcesvn", l.pceSvn());
            tcb.add("tdxtcbcomponents", components(l.tdx(), TDX_NAMES));
            JsonObject level = new JsonObject();
            level.add("tcb", tcb);
            level.addProperty("tcbDate", l.date());
            level.addProperty("tcbStatus", l.status());
            if (!l.advisories().isEmpty()) {
                JsonArray a = new JsonArray();
                l.advisories().forEach(a::add);
                level.add("advisoryIDs", a);
            }
            levels.add(level);
        }
        t.add("tcbLevels", levels);
        return GSON.toJson(t);
    }

    /**
     * @param now the current time
     * @return the signed enclaveIdentity object (TD_QE, version 2) as compact JSON
     */
    String qeIdentity(Instant now) {
        Instant issue = issueDate(now);
        JsonObject q = new JsonObject();
        q.addProperty("id", IntelIdentities.QE_ID);
        q.addProperty("version", 2);
        q.addProperty("issueDate", ISO.format(issue));
        q.addProperty("nextUpdate", ISO.format(issue.plus(30, ChronoUnit.DAYS)));
        q.addProperty("tcbEvaluationDataNumber", TCB_EVALUATION_DATA_NUMBER);
        q.addProperty("miscselect", "00000000");
        q.addProperty("miscselectMask", "FFFFFFFF");
        q.addProperty("attributes", IntelIdentities.QE_ATTRIBUTES);
        q.addProperty("attributesMask", IntelIdentities.QE_ATTRIBUTES_MASK);
        q.addProperty("mrsigner", Hex.encode(IntelIdentities.qeMrSigner()).toUpperCase(Locale.ROOT));
        q.addProperty("isvprodid", IntelIdentities.QE_ISVPRODID);
        q.add("tcbLevels", isvLevels(QE_LEVELS));
        return GSON.toJson(q);
    }

    /** @return the PCS response body of /tdx/certification/v4/tcb: {"tcbInfo":...,"signature":"hex"} */
    String tcbInfoResponse(String fmspc, Instant now) {
        String json = tcbInfo(fmspc, now);
        return "{\"tcbInfo\":" + json + ",\"signature\":\"" + sign(json) + "\"}";
    }

    /** @return the PCS response body of /tdx/certification/v4/qe/identity */
    String qeIdentityResponse(Instant now) {
        String json = qeIdentity(now);
        return "{\"enclaveIdentity\":" + json + ",\"signature\":\"" + sign(json) + "\"}";
    }

    /**
     * @param fmspc 12 hex digits
     * @param now the current time
     * @return the collateral for that FMSPC as one JSON object with DCAP-QVL's field names
     */
    String collateral(String fmspc, Instant now) {
        String tcb = tcbInfo(fmspc, now);
        String qe = qeIdentity(now);
        JsonObject c = new JsonObject();
        c.addProperty("pck_crl_issuer_chain", authority.pckCrlIssuerChain());
        c.addProperty("root_ca_crl", Hex.encode(X509Authority.toDer(authority.rootCrl(now))));
        c.addProperty("pck_crl", Hex.encode(X509Authority.toDer(authority.pckCrl(now))));
        c.addProperty("tcb_info_issuer_chain", authority.tcbIssuerChain());
        c.addProperty("tcb_info", tcb);
        c.addProperty("tcb_info_signature", sign(tcb));
        c.addProperty("qe_identity_issuer_chain", authority.tcbIssuerChain());
        c.addProperty("qe_identity", qe);
        c.addProperty("qe_identity_signature", sign(qe));
        return new GsonBuilder().disableHtmlEscaping().setPrettyPrinting().create().toJson(c);
    }

    private String sign(String json) {
        return Hex.encode(authority.signCollateral(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonArray isvLevels(List<IsvLevel> levels) {
        JsonArray out = new JsonArray();
        for (IsvLevel l : levels) {
            JsonObject tcb = new JsonObject();
            tcb.addProperty("isvsvn", l.isvSvn());
            JsonObject level = new JsonObject();
            level.add("tcb", tcb);
            level.addProperty("tcbDate", l.date());
            level.addProperty("tcbStatus", l.status());
            if (!l.advisories().isEmpty()) {
                JsonArray a = new JsonArray();
                l.advisories().forEach(a::add);
                level.add("advisoryIDs", a);
            }
            out.add(level);
        }
        return out;
    }

    private static JsonArray components(int[] svns, String[][] names) {
        JsonArray out = new JsonArray();
        for (int i = 0; i < svns.length; i++) {
            JsonObject c = new JsonObject();
            c.addProperty("svn", svns[i]);
            if (i < names.length && names[i][0] != null) {
                c.addProperty("category", names[i][0]);
                if (names[i][1] != null) {
                    c.addProperty("type", names[i][1]);
                }
            }
            out.add(c);
        }
        return out;
    }
}
