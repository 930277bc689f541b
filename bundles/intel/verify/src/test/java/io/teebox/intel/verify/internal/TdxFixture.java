package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.intel.tdx.Tdx;
import io.teebox.intel.tdx.abi.TdAttributes;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.internal.TdxBackend;
import io.teebox.intel.tdx.internal.TdxTesting;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * teebox's own TDX evidence at a fixed instant, for the forgery matrix, the verifier's fuzz target and its seeds: an
 * emulated Intel PCS (seed {@link TdxTesting#INTEL_SEED}, not served over HTTP) whose collateral is dated
 * {@link #PCS_TIME}, a backend of the default platform on it, and one running TD built from the default firmware
 * with RTMR2 extended by the text "kernel". {@link #AT} lies inside every validity period of that collateral and
 * of the certificates (2024-01-01 .. 2049-12-31).
 */
final class TdxFixture {

    /** The PCS's clock: collateral is issued 2026-05-31 and due 2026-06-30. */
    static final Instant PCS_TIME = Instant.parse("2026-06-01T00:00:00Z");
    /** When the evidence is appraised. */
    static final Clock AT = Clock.fixed(Instant.parse("2026-06-01T12:00:00Z"), ZoneOffset.UTC);
    /** The REPORTDATA the fixture's quotes carry. */
    static final byte[] NONCE = Arrays.copyOf("teebox TDX fixture nonce".getBytes(StandardCharsets.US_ASCII), 64);

    final IntelPcs pcs;
    final TdxBackend backend;
    final long td;
    final byte[] mrtd;

    /** The default platform, a TD with attributes SEPT_VE_DISABLE. */
    TdxFixture() {
        this(TdAttributes.SEPT_VE_DISABLE, TdxTesting::backend);
    }

    /**
     * @param attributes the TD's attributes
     * @param backends makes the backend on the fixture's PCS
     */
    TdxFixture(long attributes, Function<IntelPcs, TdxBackend> backends) {
        this(TdxTesting.offlinePcs(TdxTesting.INTEL_SEED, List.of(), Clock.fixed(PCS_TIME, ZoneOffset.UTC)),
                attributes, backends);
    }

    TdxFixture(IntelPcs pcs, long attributes, Function<IntelPcs, TdxBackend> backends) {
        this.pcs = pcs;
        this.backend = backends.apply(pcs);
        LaunchSession s = TdxTesting.build(backend, DefaultFirmware.image(), attributes, 1, new MapGuestMemory(1),
                Map.of());
        mrtd = s.measure().value();
        s.finish();
        td = s.handle();
        TdxTesting.guest(backend, td).rtmrExtend(2, Digests.sha384("kernel".getBytes(StandardCharsets.US_ASCII)), "kernel");
    }

    /** @return a Quote v4 of the TD with {@link #NONCE} */
    byte[] quoteV4() {
        return TdxTesting.guest(backend, td).getQuote(NONCE);
    }

    /**
     * @param bodyType 2 (TDX 1.0 body) or 3 (TDX 1.5 body)
     * @return a Quote v5 of the TD with {@link #NONCE}, signed with the platform's attestation key
     */
    byte[] quoteV5(int bodyType) {
        return TdxTesting.quoteV5(backend, td, NONCE, bodyType);
    }

    /** @return the PCS's collateral for the default platform's FMSPC, as JSON */
    String collateral() {
        return pcs.collateral(TdxTesting.fmspc());
    }

    /** @return the TD's event log */
    byte[] eventLog() {
        return TdxTesting.guest(backend, td).eventLog();
    }

    /** @return the PCS's root certificate, DER */
    byte[] root() {
        return pcs.rootCaCertificate();
    }

    /**
     * @param quote the quote
     * @param collateral collateral JSON, or null for none
     * @param log the event log, or null for none
     * @return TDX evidence
     */
    static Evidence evidence(byte[] quote, String collateral, byte[] log) {
        Map<String, byte[]> att = new LinkedHashMap<>();
        if (collateral != null) {
            att.put(Tdx.ATTACHMENT_COLLATERAL, collateral.getBytes(StandardCharsets.UTF_8));
        }
        if (log != null) {
            att.put(Tdx.ATTACHMENT_EVENT_LOG, log);
        }
        return new Evidence(Tdx.EVIDENCE_FORMAT, quote, List.of(), att);
    }

    /** @return the quote with the fixture's collateral and event log */
    Evidence evidence(byte[] quote) {
        return evidence(quote, collateral(), eventLog());
    }

    /** @return options at {@link #AT} trusting the PCS's root */
    VerificationOptions options(Map<String, String> refs, Map<String, String> policy) {
        return new VerificationOptions(AT, List.of(root()), refs, policy);
    }
}
