package io.teebox.intel.tdx.internal;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.IntelPcs;
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

    private static final java.util.Map<PcsServer, io.teebox.api.testing.ServletHost> HOSTS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** @return a PCS served by a real HTTP server on an ephemeral loopback port; stop it with {@link #stop} */
    public static PcsServer pcs() {
        return pcs(INTEL_SEED, List.of());
    }

    /**
     * @param seed Intel's seed
     * @param revokedPpids PPIDs to revoke
     * @return a PCS
     */
    public static PcsServer pcs(String seed, List<String> revokedPpids) {
        io.teebox.api.testing.ServletHost host = new io.teebox.api.testing.ServletHost();
        PcsServer pcs = new PcsServer(seed, revokedPpids, Clock.systemUTC(), host);
        try {
            host.serve("/sgx/certification/v4/*", pcs).serve("/tdx/certification/v4/*", pcs)
                    .serve("/IntelSGXRootCA.der", pcs).start();
        } catch (Exception e) {
            throw new IllegalStateException("the test PCS cannot start: " + e, e);
        }
        HOSTS.put(pcs, host);
        return pcs;
    }

    /** @param pcs a PCS from this class */
    public static void stop(IntelPcs pcs) {
        io.teebox.api.testing.ServletHost host = HOSTS.remove(pcs);
        if (host != null) {
            try {
                host.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** @return a TDX backend with the default platform, its state kept in memory */
    public static TdxBackend backend(IntelPcs pcs) {
        return new TdxBackend(TdxPlatform.defaults(), pcs, new ModuleStore.InMemory());
    }

    /**
     * @param pcs the PCS
     * @param firstHkid the first private HKID
     * @param count how many
     * @param teeTcbSvn TEE_TCB_SVN hex
     * @return a backend
     */
    static TdxBackend backend(IntelPcs pcs, int firstHkid, int count, String teeTcbSvn, ModuleStore store) {
        TdxPlatform d = TdxPlatform.defaults();
        TdxPlatform p = new TdxPlatform(d.moduleVersion(), io.teebox.kit.hex.Hex.decode(teeTcbSvn), d.cpuSvn(),
                d.pceSvn(), d.fmspc(), firstHkid, firstHkid + count - 1, d.qeSvn(), d.seed());
        return new TdxBackend(p, pcs, store);
    }

    /**
     * @param pcs the PCS
     * @param teeTcbSvn TEE_TCB_SVN hex
     * @return a backend whose module reports that TEE_TCB_SVN
     */
    public static TdxBackend backendWithTcb(IntelPcs pcs, String teeTcbSvn) {
        return backend(pcs, 32, 32, teeTcbSvn, new ModuleStore.InMemory());
    }

    /**
     * @param pcs the PCS
     * @param seed the platform seed
     * @return a backend of another platform (another PPID, PCK key and report key)
     */
    public static TdxBackend backendWithSeed(IntelPcs pcs, String seed) {
        TdxPlatform d = TdxPlatform.defaults();
        return new TdxBackend(new TdxPlatform(d.moduleVersion(), d.teeTcbSvn(), d.cpuSvn(), d.pceSvn(), d.fmspc(),
                d.firstHkid(), d.lastHkid(), d.qeSvn(), seed), pcs, new ModuleStore.InMemory());
    }

    /** @return the default platform's PPID in hex */
    public static String ppid() {
        return io.teebox.kit.hex.Hex.encode(TdxPlatform.defaults().ppid());
    }

    /**
     * What a bundle update does to the backend: the running revision is deactivated and hands its TDs over; a new
     * revision (new objects, same configuration) takes them.
     *
     * @param old the running backend
     * @param pcs the PCS
     * @return the new revision
     */
    public static TdxBackend update(TdxBackend old, IntelPcs pcs) {
        old.handOver();
        return new TdxBackend(old.module().platform(), pcs, old.store());
    }

    /** @param backend a backend whose state is handed to the next one, as a bundle update does */
    static void stop(TdxBackend backend) {
        backend.handOver();
    }

    /** @return the default platform's FMSPC in hex */
    public static String fmspc() {
        return io.teebox.kit.hex.Hex.encode(TdxPlatform.defaults().fmspc());
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
    public static String resigned(PcsServer pcs, String collateral, String member, String json) {
        JsonObject c = JsonParser.parseString(collateral).getAsJsonObject();
        c.addProperty(member, json);
        c.addProperty(member + "_signature", io.teebox.kit.hex.Hex.encode(pcs.authority().signCollateral(
                json.getBytes(StandardCharsets.UTF_8))));
        return c.toString();
    }
}
