package io.teebox.intel.tdx.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.pcs.internal.EmulatedPcs;
import io.teebox.intel.qe.internal.QuotingEnclave;
import io.teebox.intel.qe.internal.QuotingEnclaves;
import io.teebox.intel.tdx.TdxGuest;
import io.teebox.intel.tdx.TdxHost;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.intel.tdx.module.internal.TdxModules;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.TdxMetadataSection;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Test platforms: an emulated Intel PCS and TDX backends on it, and the firmware vectors. */
public final class TdxTesting {

    /** The seed of the test Intel PCS. */
    public static final String INTEL_SEED = "teebox-intel-test";

    private TdxTesting() {
    }

    /** @return a PCS served by a real HTTP server on an ephemeral loopback port; stop it with {@link #stop} */
    public static IntelPcs pcs() {
        return pcs(INTEL_SEED, List.of());
    }

    /**
     * @param seed Intel's seed
     * @param revokedPpids PPIDs to revoke
     * @return a PCS
     */
    public static IntelPcs pcs(String seed, List<String> revokedPpids) {
        return EmulatedPcs.serve(seed, revokedPpids);
    }

    /** @param pcs a PCS from this class */
    public static void stop(IntelPcs pcs) {
        EmulatedPcs.stop(pcs);
    }

    private static TdxBackend on(TdxModule module, IntelPcs pcs, int qeSvn) {
        return new TdxBackend(module, new QuotingEnclave(module, pcs, qeSvn));
    }

    /**
     * @param b a backend
     * @param td a TD's handle
     * @return the TD's guest interface (TDCALLs, GetQuote, its loads and stores)
     */
    public static TdxGuest guest(TdxBackend b, long td) {
        return b.guest(td);
    }

    /**
     * @param b a backend
     * @param td a TD's handle
     * @return the host's SEAMCALLs on the TD's Secure EPT
     */
    public static TdxHost host(TdxBackend b, long td) {
        return b.host(td);
    }

    /** @return a TDX backend with the default platform, its module's state kept in memory */
    public static TdxBackend backend(IntelPcs pcs) {
        return on(TdxModules.module(), pcs, 4);
    }

    /**
     * @param pcs the PCS
     * @param firstHkid the first private HKID
     * @param count how many
     * @param teeTcbSvn TEE_TCB_SVN hex
     * @return a backend
     */
    static TdxBackend backend(IntelPcs pcs, int firstHkid, int count, String teeTcbSvn) {
        return on(TdxModules.module(firstHkid, count, teeTcbSvn, null), pcs, 4);
    }

    /**
     * @param pcs the PCS
     * @param teeTcbSvn TEE_TCB_SVN hex
     * @return a backend whose module reports that TEE_TCB_SVN
     */
    public static TdxBackend backendWithTcb(IntelPcs pcs, String teeTcbSvn) {
        return backend(pcs, 32, 32, teeTcbSvn);
    }

    /**
     * @param pcs the PCS
     * @param seed the platform seed
     * @return a backend of another platform (another PPID, PCK key and report key)
     */
    public static TdxBackend backendWithSeed(IntelPcs pcs, String seed) {
        return on(TdxModules.module(32, 32, null, seed), pcs, 4);
    }

    /** @return the default platform's PPID in hex */
    public static String ppid() {
        return TdxModules.ppid();
    }

    /**
     * What a TDX module update does: the running module revision hands its TDs over; a new revision (new objects,
     * same configuration) takes them, and the quoting enclave and the backend restart on it.
     *
     * @param old the running backend
     * @param pcs the PCS
     * @return the new revision
     */
    public static TdxBackend update(TdxBackend old, IntelPcs pcs) {
        return on(TdxModules.update(old.module()), pcs, 4);
    }

    /** @return the default platform's FMSPC in hex */
    public static String fmspc() {
        return TdxModules.fmspc();
    }

    public static byte[] resource(String path) {
        try (InputStream in = TdxTesting.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return synthetic-ovmf.fd */
    public static byte[] syntheticOvmf() {
        return resource("/vectors/firmware/synthetic-ovmf.fd");
    }

    /** @return the expected value of a case of expected.json */
    public static String expected(String name) {
        JsonObject json = JsonParser.parseString(new String(resource("/vectors/firmware/expected.json"),
                StandardCharsets.UTF_8)).getAsJsonObject();
        for (JsonElement e : json.getAsJsonArray("cases")) {
            if (e.getAsJsonObject().get("name").getAsString().equals(name)) {
                return e.getAsJsonObject().get("expected").getAsString();
            }
        }
        throw new IllegalStateException("no case " + name + " in expected.json");
    }

    /**
     * Builds a TD from a firmware's TDVF metadata as the hypervisor does: each section placed and added (NORMAL if
     * it has MR.EXTEND, UNMEASURED otherwise, skipped if PAGE.AUG), then TDH.VP.INIT for each vCPU.
     */
    public static LaunchSession build(TdxBackend backend, byte[] firmware, long attributes, int vcpus, MapGuestMemory mem,
            Map<String, byte[]> ownerParameters) {
        OvmfImage image = OvmfImage.parse(firmware);
        LaunchSession s = backend.begin(new LaunchRequest(attributes, ownerParameters, vcpus, "SPR"), mem);
        for (TdxMetadataSection sec : image.tdxMetadata()) {
            if (sec.pageAug()) {
                continue;
            }
            byte[] content = new byte[(int) sec.memoryDataSize()];
            System.arraycopy(firmware, (int) sec.dataOffset(), content, 0, (int) sec.rawDataSize());
            mem.place(sec.memoryAddress(), content);
            s.addPages(sec.memoryAddress(), content.length, sec.extendMr() ? PageType.NORMAL : PageType.UNMEASURED);
        }
        for (int i = 0; i < vcpus; i++) {
            s.addVcpuState(i);
        }
        return s;
    }

    /**
     * Replaces one signed document of a collateral JSON and signs it with the PCS's Intel SGX TCB Signing key, so a
     * test can hand the verifier collateral of the wrong shape that still verifies.
     *
     * @param pcs the PCS whose key signs
     * @param collateral collateral JSON from that PCS
     * @param member {@code tcb_info} or {@code qe_identity}
     * @param json the new document
     * @return the collateral JSON with the document and its signature replaced
     */
    public static String resigned(IntelPcs pcs, String collateral, String member, String json) {
        return EmulatedPcs.resigned(pcs, collateral, member, json);
    }

    /**
     * A PCS that is not served over HTTP, for tests that only need its keys and collateral (fuzz targets, seed
     * writers, matrices): its collateral is dated by the given clock, so a fixed clock gives the same bytes.
     *
     * @param seed Intel's seed
     * @param revokedPpids PPIDs to revoke
     * @param clock the PCS's clock
     * @return the PCS; its base URL leads nowhere
     */
    public static IntelPcs offlinePcs(String seed, List<String> revokedPpids, Clock clock) {
        return EmulatedPcs.offline(seed, revokedPpids, clock);
    }

    /**
     * @param pcs the PCS
     * @param qeSvn the quoting enclave's ISVSVN
     * @return a backend of the default platform whose quoting enclave has that SVN
     */
    public static TdxBackend backendWithQeSvn(IntelPcs pcs, int qeSvn) {
        return on(TdxModules.module(), pcs, qeSvn);
    }

    /**
     * A Quote v5 of a TD, made from the backend's Quote v4 and TDREPORT and signed with the backend's attestation
     * key (teebox's quoting enclave emits only v4): the same header with VERSION 5, a body of type 2 (the TDX 1.0
     * body) or 3 (TDX 1.5: TEE_TCB_SVN2 and SERVTD_HASH of the TDREPORT added), the same signature data.
     *
     * @param b the backend
     * @param td the TD
     * @param reportData REPORTDATA
     * @param bodyType 2 or 3
     * @return the quote bytes
     */
    public static byte[] quoteV5(TdxBackend b, long td, byte[] reportData, int bodyType) {
        io.teebox.intel.tdx.abi.QuoteV4 v4 = io.teebox.intel.tdx.abi.QuoteV4.parse(guest(b, td).getQuote(reportData));
        io.teebox.intel.tdx.abi.TdReport report = io.teebox.intel.tdx.abi.TdReport.parse(guest(b, td).tdReport(reportData));
        io.teebox.kit.codec.Layout layout = io.teebox.intel.tdx.abi.QuoteV5.layoutOf(bodyType);
        io.teebox.kit.codec.Struct body = layout.create();
        byte[] v4Body = v4.body().toBytes();
        byte[] all = body.toBytes();
        System.arraycopy(v4Body, 0, all, 0, v4Body.length);
        body = layout.parse(all);
        if (layout.hasField("TEE_TCB_SVN2")) {
            body.set("TEE_TCB_SVN2", report.teeTcbInfo().bytes("TEE_TCB_SVN2")).set("MRSERVICETD",
                    report.servTdHash());
        }
        io.teebox.kit.codec.Struct header = v4.header().set("VERSION", io.teebox.intel.tdx.abi.QuoteV5.VERSION);
        io.teebox.intel.tdx.abi.QuoteV5 unsigned = new io.teebox.intel.tdx.abi.QuoteV5(header, bodyType, body,
                new byte[64], v4.attestationKey(), v4.qeReport(), v4.qeReportSignature(), v4.qeAuthData(),
                v4.pckChainPem());
        java.math.BigInteger[] rs = io.teebox.kit.crypto.Signatures.ecdsaSign(attestationKey(b), "SHA-256", unsigned.signedBytes());
        return new io.teebox.intel.tdx.abi.QuoteV5(header, bodyType, body, io.teebox.kit.crypto.Signatures.toRaw(
                rs[0], rs[1], 32), v4.attestationKey(), v4.qeReport(), v4.qeReportSignature(), v4.qeAuthData(),
                v4.pckChainPem()).toBytes();
    }

    /**
     * @param b a backend
     * @return the private half of its quoting enclave's attestation key, for tests that sign as the QE would
     */
    public static java.security.PrivateKey attestationKey(TdxBackend b) {
        return QuotingEnclaves.attestationKey(b.quotingEnclave());
    }
}
