package io.teebox.intel.pcs.internal;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.teebox.api.testing.ServletHost;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.kit.hex.Hex;
import io.teebox.spi.collateral.CollateralSource;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The emulated Intel PCS of a test platform for other modules' tests (this module's test-jar): on HTTP on a free
 * loopback port or offline, the in-process collateral source it registers, and collateral re-signed with its TCB
 * Signing key.
 */
public final class EmulatedPcs {

    private static final Map<IntelPcs, ServletHost> HOSTS = new ConcurrentHashMap<>();

    private EmulatedPcs() {
    }

    /**
     * @param seed Intel's seed
     * @param revokedPpids PPIDs to revoke
     * @return a PCS served by a real HTTP server on an ephemeral loopback port; stop it with {@link #stop}
     */
    public static IntelPcs serve(String seed, List<String> revokedPpids) {
        return serve(seed, revokedPpids, Clock.systemUTC());
    }

    /**
     * @param seed Intel's seed
     * @param revokedPpids PPIDs to revoke
     * @param clock the PCS's clock (a fixed clock gives the same bytes on every request)
     * @return a PCS served by a real HTTP server on an ephemeral loopback port; stop it with {@link #stop}
     */
    public static IntelPcs serve(String seed, List<String> revokedPpids, Clock clock) {
        ServletHost host = new ServletHost();
        PcsServer pcs = new PcsServer(seed, revokedPpids, clock, host);
        try {
            host.serve("/sgx/certification/v4/*", pcs).serve("/tdx/certification/v4/*", pcs)
                    .serve("/IntelSGXRootCA.der", pcs).start();
        } catch (Exception e) {
            throw new IllegalStateException("the test PCS cannot start: " + e, e);
        }
        HOSTS.put(pcs, host);
        return pcs;
    }

    /** @param pcs a PCS from {@link #serve} (others are ignored) */
    public static void stop(IntelPcs pcs) {
        ServletHost host = HOSTS.remove(pcs);
        if (host != null) {
            try {
                host.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * A PCS that is not served over HTTP, dated by the given clock (a fixed clock gives the same bytes).
     *
     * @param seed Intel's seed
     * @param revokedPpids PPIDs to revoke
     * @param clock the PCS's clock
     * @return the PCS; its base URL leads nowhere
     */
    public static IntelPcs offline(String seed, List<String> revokedPpids, Clock clock) {
        return new PcsServer(seed, revokedPpids, clock, () -> "http://127.0.0.1:9");
    }

    /**
     * @param pcs a PCS of this class
     * @return the in-process collateral source the PCS bundle registers beside it
     */
    public static CollateralSource source(IntelPcs pcs) {
        return new PcsCollateralSource(pcs);
    }

    /**
     * @param pcs a PCS of this class
     * @param data what to sign
     * @return the r||s signature of the PCS's Intel SGX TCB Signing key
     */
    public static byte[] signCollateral(IntelPcs pcs, byte[] data) {
        return ((PcsServer) pcs).authority().signCollateral(data);
    }

    /**
     * Replaces one signed document of a collateral JSON and signs it with the PCS's TCB Signing key.
     *
     * @param pcs the PCS whose key signs
     * @param collateral collateral JSON from that PCS
     * @param member {@code tcb_info} or {@code qe_identity}
     * @param json the new document
     * @return the collateral JSON with the document and its signature replaced
     */
    public static String resigned(IntelPcs pcs, String collateral, String member, String json) {
        JsonObject c = JsonParser.parseString(collateral).getAsJsonObject();
        c.addProperty(member, json);
        c.addProperty(member + "_signature", Hex.encode(signCollateral(pcs, json.getBytes(StandardCharsets.UTF_8))));
        return c.toString();
    }
}
