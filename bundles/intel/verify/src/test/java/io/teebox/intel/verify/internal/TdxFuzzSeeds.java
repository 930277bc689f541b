package io.teebox.intel.verify.internal;

import io.teebox.intel.pcs.IntelPcs;
import static io.teebox.kit.testing.Fuzzing.frame;
import static io.teebox.kit.testing.Fuzzing.utf8;

import com.google.gson.JsonParser;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.Quote;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.QuoteV5;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.tdx.abi.TdParams;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;

/**
 * Writes the seed inputs of the TDX fuzz targets into {@code src/test/resources/<package>/<Test>Inputs/<method>/}
 * of the module each target lives in (intel/abi, intel/tdx or this one, {@link #moduleOf}), with a README.md in each
 * {@code <Test>Inputs} folder naming the source of every file. Not a test: run once from this module's directory
 * with the test classpath (see docs/fuzzing.md). The genuine samples are read from the
 * module's own copy of go-tdx-guest's test data ({@code src/test/resources/vectors/intel-tdx}); teebox's outputs
 * come from {@link TdxFixture} (emulated PCS dated {@link TdxFixture#PCS_TIME}, default platform).
 */
public final class TdxFuzzSeeds {

    /** The Intel modules whose fuzz targets get seeds, relative to this module (the directory this runs in). */
    private static final List<Path> MODULES = List.of(Path.of("."), Path.of("../abi"), Path.of("../tdx"));
    private static final Map<Path, List<String>> README = new LinkedHashMap<>();
    private static final Instant GENUINE_V4_NOW = Instant.parse("2023-07-01T01:00:00Z");
    private static final Instant COS_NOW = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant V5_NOW = Instant.parse("2026-02-03T00:00:00Z");

    private TdxFuzzSeeds() {
    }

    private static void write(String pkg, String test, String method, String name, byte[] data, String source)
            throws IOException {
        Path inputs = moduleOf(pkg, test).resolve("src/test/resources").resolve(pkg.replace('.', '/'))
                .resolve(test + "Inputs");
        Path dir = inputs.resolve(method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
        README.computeIfAbsent(inputs, k -> new ArrayList<>()).add("| " + name + " | " + data.length + " | "
                + source + " |");
        System.out.println(test + "/" + name + ": " + data.length + " bytes");
    }

    /**
     * @return the module whose test sources hold the fuzz target, so that its seeds go beside it (the abi targets in
     *         intel/abi, the TD_PARAMS and TDREPORT ones in intel/tdx, the verifier's here)
     * @throws IllegalStateException if no Intel module holds it
     */
    static Path moduleOf(String pkg, String test) {
        Path source = Path.of("src/test/java").resolve(pkg.replace('.', '/')).resolve(test + ".java");
        for (Path m : MODULES) {
            if (Files.isRegularFile(m.resolve(source))) {
                return m.normalize();
            }
        }
        throw new IllegalStateException("no module of " + MODULES + " holds " + source + ": run TdxFuzzSeeds from "
                + "bundles/intel/verify");
    }

    private static void readmes() throws IOException {
        for (Map.Entry<Path, List<String>> e : README.entrySet()) {
            String test = e.getKey().getFileName().toString().replace("Inputs", "");
            StringBuilder b = new StringBuilder("# Seeds of " + test + "\n\n"
                    + "Replayed by every `mvn verify` (regression mode) and the starting corpus of `tools/fuzz 60s "
                    + "tdx:" + test + "` (docs/fuzzing.md). Written by `TdxFuzzSeeds` (test sources) except where a row "
                    + "says otherwise. Genuine samples come from the module's copy of go-tdx-guest's test data "
                    + "(`src/test/resources/vectors/intel-tdx`, README there: google/go-tdx-guest @ 91f9a52f, "
                    + "Apache-2.0, via the team's `vectors/vendor/intel-tdx`). teebox's own outputs come from the "
                    + "emulated Intel PCS (seed `teebox-intel-test`, collateral dated 2026-06-01) and the default TDX "
                    + "platform (`teebox-intel-platform-0`), appraised at 2026-06-01T12:00Z. Files named `crash-*` are "
                    + "inputs a fuzzing run found, kept as regression seeds (see the rows).\n\n"
                    + "| file | bytes | source |\n|---|---|---|\n");
            e.getValue().forEach(l -> b.append(l).append('\n'));
            Path readme = e.getKey().resolve("README.md");
            if (Files.exists(readme)) {
                // keep rows written by hand (crash files, copied samples) below the generated ones
                String old = Files.readString(readme);
                int hand = old.indexOf("<!-- by hand -->");
                if (hand >= 0) {
                    b.append('\n').append(old.substring(hand));
                }
            }
            Files.writeString(readme, b.toString());
        }
    }

    static byte[] vector(String name) {
        return GenuineTdxEvidenceTest.vector(name);
    }

    /** The genuine CCEL log without its 0xFF padding (four 0xFF bytes kept as the terminator). */
    static byte[] ccelTrimmed() {
        byte[] log = vector("ccel/ccel_data.dat");
        int end = log.length;
        while (end > 0 && log[end - 1] == (byte) 0xFF) {
            end--;
        }
        byte[] t = Arrays.copyOf(log, end + 4);
        Arrays.fill(t, end, end + 4, (byte) 0xFF);
        if (!EventLog.parse(t).equals(EventLog.parse(log))) {
            throw new IllegalStateException("trimming the CCEL log changed its events");
        }
        return t;
    }

    /** The type-6/type-5 signature data of a quote, framed as QuoteSignatureDataFuzzTest reads it. */
    static byte[] signatureData(byte[] quote) {
        Quote q = Quote.parse(quote);
        int at = q.signedBytes().length;
        return Arrays.copyOfRange(quote, at, q.toBytes().length);
    }

    static byte[] sgxExtension(X509Certificate pck) {
        return ASN1OctetString.getInstance(pck.getExtensionValue(PckExtensions.OID_SGX)).getOctets();
    }

    static X509Certificate pckOf(byte[] quote) {
        return X509Authority.certificatesFromPem(Quote.parse(quote).pckChainText()).get(0);
    }

    static byte[] tcbSeed(String tcbInfo, byte[] quote, String qeStatus) {
        Quote q = Quote.parse(quote);
        PckExtensions p = PckExtensions.of(pckOf(quote));
        byte[] comps = new byte[16];
        for (int i = 0; i < 16; i++) {
            comps[i] = (byte) p.tcbComponents()[i];
        }
        var b = q.body();
        byte[] svn2 = b.layout().hasField("TEE_TCB_SVN2") ? b.bytes("TEE_TCB_SVN2") : new byte[0];
        byte[] attrs = new byte[8];
        io.teebox.kit.codec.LittleEndian.put64(attrs, 0, b.u64("SEAMATTRIBUTES"));
        return frame(utf8(tcbInfo), b.bytes("TEE_TCB_SVN"), svn2, b.bytes("MRSIGNERSEAM"), attrs, comps,
                new byte[] {(byte) p.pceSvn(), (byte) (p.pceSvn() >> 8)}, p.fmspc(), p.pceId(),
                utf8(qeStatus == null ? "" : qeStatus));
    }

    static byte[] epoch(Instant t) {
        byte[] b = new byte[8];
        io.teebox.kit.codec.LittleEndian.put64(b, 0, t.getEpochSecond());
        return b;
    }

    /** A TdxQuoteVerifierFuzzTest input; prints the appraisal it gets. */
    static byte[] verifierSeed(byte[] quote, String collateral, byte[] log, Instant at, List<byte[]> roots,
            String refs, String policy) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(frame(new byte[] {0}, quote, collateral == null ? new byte[0] : utf8(collateral),
                log == null ? new byte[0] : log, at == null ? new byte[0] : epoch(at),
                new byte[] {(byte) roots.size()}));
        roots.forEach(r -> out.writeBytes(frame(r)));
        out.writeBytes(frame(utf8(refs), utf8(policy)));
        Evidence e = TdxFixture.evidence(quote, collateral, log);
        var v = new TdxQuoteVerifier().verify(e, new VerificationOptions(at == null ? TdxFixture.AT
                : Clock.fixed(at, ZoneOffset.UTC), roots, TdxQuoteVerifierFuzzTest.options(refs),
                TdxQuoteVerifierFuzzTest.options(policy)));
        System.out.println("  appraisal: " + (v.accepted() ? "accepted" : "rejected " + v.failures()));
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        final String abi = "io.teebox.intel.tdx.abi";
        final String internal = "io.teebox.intel.tdx.internal";
        final String verify = "io.teebox.intel.verify.internal";
        byte[] sprE4 = vector("tdx_prod_quote_SPR_E4.dat");
        byte[] v5 = vector("quote_v5_sample.dat");
        byte[] cos = vector("ccel/cos-113-tdx-quote.dat");
        byte[] ccel = ccelTrimmed();

        TdxFixture f = new TdxFixture();
        byte[] ourV4 = f.quoteV4();
        byte[] ourV5Tdx10 = f.quoteV5(Quote.BODY_TYPE_TDX10);
        byte[] ourV5Tdx15 = f.quoteV5(Quote.BODY_TYPE_TDX15);
        String ourCollateral = f.collateral();
        byte[] ourLog = f.eventLog();
        TdxTesting.guest(f.backend, f.td).rtmrExtend(3, new byte[48], "container image sha384:00..");
        byte[] ourLog2 = f.eventLog();
        byte[] ourV4AfterIpl = f.quoteV4();

        String genuineV4Collateral = GenuineTdxEvidenceTest.collateral("sample_tcbInfo_response",
                "pck_chain_from_tdx_prod_quote_SPR_E4.pem");
        String genuineV5Collateral = GenuineTdxEvidenceTest.collateral("sample_tcbinfo_response_v5",
                "pck_chain_from_quote_v5_sample.pem");

        // quotes
        String m4 = "quoteV4ParsesOrRefusesTyped";
        write(abi, "QuoteV4FuzzTest", m4, "genuine-spr-e4-v4", sprE4, "genuine: tdx_prod_quote_SPR_E4.dat (Quote "
                + "v4 with go-tdx-guest's 39 trailing bytes)");
        write(abi, "QuoteV4FuzzTest", m4, "genuine-cos-113-v4", cos, "genuine: ccel/cos-113-tdx-quote.dat (Quote v4 "
                + "in an 8000-byte buffer)");
        write(abi, "QuoteV4FuzzTest", m4, "teebox-v4", ourV4, "teebox: Quote v4 of the fixture TD");
        String m5 = "quoteV5ParsesOrRefusesTyped";
        write(abi, "QuoteV5FuzzTest", m5, "genuine-v5-tdx15", v5, "genuine: quote_v5_sample.dat (Quote v5, body "
                + "type 3)");
        write(abi, "QuoteV5FuzzTest", m5, "teebox-v5-tdx10", ourV5Tdx10, "teebox: Quote v5 with body type 2, made "
                + "from the fixture's v4 (TdxTesting.quoteV5)");
        write(abi, "QuoteV5FuzzTest", m5, "teebox-v5-tdx15", ourV5Tdx15, "teebox: Quote v5 with body type 3");
        String mq = "quoteParsesEitherVersionOrRefusesTyped";
        write(abi, "QuoteFuzzTest", mq, "genuine-spr-e4-v4", sprE4, "genuine: tdx_prod_quote_SPR_E4.dat");
        write(abi, "QuoteFuzzTest", mq, "genuine-v5-tdx15", v5, "genuine: quote_v5_sample.dat");
        write(abi, "QuoteFuzzTest", mq, "teebox-v4", ourV4, "teebox: Quote v4");
        write(abi, "QuoteFuzzTest", mq, "teebox-v5-tdx10", ourV5Tdx10, "teebox: Quote v5, body type 2");
        String ms = "signatureDataParsesOrRefusesTyped";
        write(abi, "QuoteSignatureDataFuzzTest", ms, "genuine-spr-e4", signatureData(sprE4), "genuine: the "
                + "signature-data length and signature data of tdx_prod_quote_SPR_E4.dat (offset 632)");
        write(abi, "QuoteSignatureDataFuzzTest", ms, "genuine-v5", signatureData(v5), "genuine: the same of "
                + "quote_v5_sample.dat (offset 702)");
        write(abi, "QuoteSignatureDataFuzzTest", ms, "teebox-v4", signatureData(ourV4), "teebox: the same of the "
                + "fixture's Quote v4");

        // event logs
        String me = "eventLogParsesOrRefusesTyped";
        write(abi, "EventLogFuzzTest", me, "genuine-ccel-cos-113", ccel, "genuine: ccel/ccel_data.dat (TDVF, shim, "
                + "GRUB; 43 events) without its 0xFF padding, four 0xFF bytes kept as the end marker");
        write(abi, "EventLogFuzzTest", me, "teebox-ev-action", ourLog, "teebox: the fixture TD's log (EV_ACTION "
                + "\"kernel\" into RTMR2)");
        write(abi, "EventLogFuzzTest", me, "teebox-ev-action-and-ipl", ourLog2, "teebox: the same with an EV_IPL "
                + "extend of RTMR3");

        // TD_PARAMS
        String mp = "tdParamsParseOrTdhMngInitRefusesTyped";
        write(abi, "TdParamsFuzzTest", mp, "teebox-defaults", TdParams.defaults(TdAttributes.SEPT_VE_DISABLE, 1)
                .toBytes(), "teebox: TdParams.defaults(SEPT_VE_DISABLE, 1), what a launch without td-params uses");
        write(abi, "TdParamsFuzzTest", mp, "teebox-owner-values", TdParams.builder().attributes(
                TdAttributes.SEPT_VE_DISABLE | TdAttributes.DEBUG).maxVcpus(2).configFlags(TdParams.CONFIG_MAX_GPAW)
                .mrConfigId(Arrays.copyOf(utf8("config id"), 48)).mrOwner(Arrays.copyOf(utf8("owner"), 48))
                .mrOwnerConfig(Arrays.copyOf(utf8("owner config"), 48)).build().toBytes(), "teebox: a TD_PARAMS "
                + "with DEBUG, 2 vCPUs, a 52-bit GPA width and owner values");

        // TDREPORT
        String mr = "tdReportParsesOrTheQuotingEnclaveRefusesTyped";
        write(internal, "TdReportFuzzTest", mr, "teebox-tdreport", TdxTesting.guest(f.backend, f.td).tdReport(TdxFixture.NONCE),
                "teebox: TDG.MR.REPORT of the fixture TD (default platform: its MAC verifies with the target's "
                        + "quoting enclave)");
        write(internal, "TdReportFuzzTest", mr, "teebox-tdreport-zero-data", TdxTesting.guest(f.backend, f.td).tdReport(new byte[64]),
                "teebox: the same with zero REPORTDATA");

        // collateral
        String mc = "collateralParsesOrRefusesNamingTheField";
        write(verify, "CollateralFuzzTest", mc, "teebox-collateral", utf8(ourCollateral), "teebox: the emulated "
                + "PCS's collateral JSON (IntelPcs.collateral)");
        write(verify, "CollateralFuzzTest", mc, "genuine-spr-e4-collateral", utf8(genuineV4Collateral), "genuine: "
                + "go-tdx-guest's PCS responses, CRLs and issuer chains for FMSPC 50806f000000 in DCAP-QVL's field "
                + "names (as GenuineTdxEvidenceTest assembles them)");
        write(verify, "CollateralFuzzTest", mc, "genuine-tcbinfo-response", vector("sample_tcbInfo_response"),
                "genuine: sample_tcbInfo_response (a PCS response, for rawMember)");
        write(verify, "CollateralFuzzTest", mc, "genuine-qe-identity-response", vector("sample_qeIdentity_response"),
                "genuine: sample_qeIdentity_response");

        // TCB info
        String mt = "tcbInfoGivesAStatusOrAFailureNamingTheMember";
        String ourTcb = JsonParser.parseString(ourCollateral).getAsJsonObject().get("tcb_info").getAsString();
        String ourQe = JsonParser.parseString(ourCollateral).getAsJsonObject().get("qe_identity").getAsString();
        write(verify, "TcbInfoFuzzTest", mt, "teebox-uptodate", tcbSeed(ourTcb, ourV4, "UpToDate"), "teebox: the "
                + "PCS's tcbInfo with the fixture quote's TEE_TCB_SVN and PCK (UpToDate)");
        write(verify, "TcbInfoFuzzTest", mt, "teebox-tdx15-relaunch-path", tcbSeed(ourTcb, ourV5Tdx15, null),
                "teebox: the same with the TDX 1.5 body of the fixture's Quote v5 (TEE_TCB_SVN2)");
        byte[] old = tcbSeed(ourTcb, ourV4, "OutOfDate");
        write(verify, "TcbInfoFuzzTest", mt, "teebox-outofdate-qe", old, "teebox: the same converged with an "
                + "OutOfDate QE");
        write(verify, "TcbInfoFuzzTest", mt, "genuine-spr-e4", tcbSeed(Collateral.rawMember(text(
                "sample_tcbInfo_response"), "tcbInfo"), sprE4, "UpToDate"), "genuine: sample_tcbInfo_response's "
                + "tcbInfo with tdx_prod_quote_SPR_E4.dat's TEE_TCB_SVN and PCK (no level matches)");
        write(verify, "TcbInfoFuzzTest", mt, "genuine-v5", tcbSeed(Collateral.rawMember(text(
                "sample_tcbinfo_response_v5"), "tcbInfo"), v5, null), "genuine: sample_tcbinfo_response_v5's tcbInfo "
                + "with quote_v5_sample.dat's TDX 1.5 body and PCK (UpToDate)");

        // QE identity
        String mi = "qeIdentityGivesAnAppraisalNeverAnException";
        write(verify, "QeIdentityFuzzTest", mi, "teebox-qe-identity", utf8(ourQe), "teebox: the PCS's TD_QE "
                + "identity (accepted)");
        write(verify, "QeIdentityFuzzTest", mi, "genuine-qe-identity", utf8(Collateral.rawMember(text(
                "sample_qeIdentity_response"), "enclaveIdentity")), "genuine: sample_qeIdentity_response's "
                + "enclaveIdentity (its dates are 2023: rejected at 2026)");

        // PCK extensions
        String mx = "pckExtensionReadsOrRefusesNamingThePart";
        write(verify, "PckExtensionsFuzzTest", mx, "genuine-spr-e4-pck", sgxExtension(pckOf(sprE4)), "genuine: the "
                + "SGX extension value of tdx_prod_quote_SPR_E4.dat's PCK certificate");
        write(verify, "PckExtensionsFuzzTest", mx, "genuine-v5-pck", sgxExtension(pckOf(v5)), "genuine: the same "
                + "of quote_v5_sample.dat's PCK");
        write(verify, "PckExtensionsFuzzTest", mx, "genuine-cos-113-pck", sgxExtension(pckOf(cos)), "genuine: the "
                + "same of cos-113-tdx-quote.dat's PCK");
        write(verify, "PckExtensionsFuzzTest", mx, "teebox-pck", sgxExtension(pckOf(ourV4)), "teebox: the same "
                + "of the default platform's PCK (IntelAuthority.sgxExtension)");

        // the verifier
        String mv = "verifierAlwaysGivesAnAppraisal";
        List<byte[]> ours = List.of(f.root());
        List<byte[]> intel = List.of(GenuineTdxEvidenceTest.intelRoot());
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "teebox-v4-accepted", verifierSeed(ourV4, ourCollateral, ourLog,
                null, ours, "mrtd=" + Hex.encode(f.mrtd) + "\nreport_data=" + Hex.encode(TdxFixture.NONCE),
                "min_tee_tcb_svn=0501"), "teebox: Quote v4, collateral, event log, root, MRTD and nonce (accepted)");
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "teebox-v4-ipl-event", verifierSeed(ourV4AfterIpl,
                ourCollateral, ourLog2, null, ours, "", "allowed_tcb_status=UpToDate,OutOfDate"), "teebox: a later "
                + "quote with an EV_IPL event in the log (accepted)");
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "teebox-v5-tdx15-accepted", verifierSeed(ourV5Tdx15,
                ourCollateral, ourLog, null, ours, "", ""), "teebox: Quote v5 with the TDX 1.5 body (accepted)");
        TdxFixture debug = new TdxFixture(TdAttributes.SEPT_VE_DISABLE | TdAttributes.DEBUG, TdxTesting::backend);
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "teebox-debug-td", verifierSeed(debug.quoteV4(),
                debug.collateral(), null, null, ours, "", "allow_debug=true"), "teebox: a debug TD, allowed by the "
                + "policy (accepted)");
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "genuine-spr-e4", verifierSeed(sprE4, genuineV4Collateral,
                null, GENUINE_V4_NOW, intel, "", ""), "genuine: tdx_prod_quote_SPR_E4.dat, its collateral and Intel's "
                + "root at 2023-07-01T01:00Z (only tcb_status fails: no level matches)");
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "genuine-cos-113-ccel", verifierSeed(cos, null, ccel, COS_NOW,
                intel, "report_data=" + Hex.encode(vector("ccel/nonce.dat")), ""), "genuine: cos-113-tdx-quote.dat "
                + "with its CCEL log at 2025-01-01 (only collateral fails: none for its FMSPC)");
        write(verify, "TdxQuoteVerifierFuzzTest", mv, "genuine-v5", verifierSeed(v5, genuineV5Collateral, null,
                V5_NOW, intel, "", ""), "genuine: quote_v5_sample.dat with go-tdx-guest's v5 collateral at 2026-02-03 "
                + "(rejected for the collateral's dates; quote, QE report and chain verify)");
        readmes();
    }

    private static String text(String name) {
        return new String(vector(name), StandardCharsets.UTF_8);
    }
}
