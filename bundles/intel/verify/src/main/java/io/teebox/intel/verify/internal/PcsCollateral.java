package io.teebox.intel.verify.internal;

import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;
import io.teebox.spi.collateral.CollateralSources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The DCAP collateral a quote's evidence lacks, fetched from the Intel collateral sources ({@code
 * collateral.vendor=intel}) in ranking order, as a verifier fetches it from Intel's PCS: the platform CA's PCK CRL,
 * the root CA CRL, the TCB info of the PCK certificate's FMSPC and the TD QE identity, each with its issuer chain.
 * A source that has a document not or fails is passed over and the next one asked.
 */
final class PcsCollateral {

    /** What was fetched, and a description of where from (the claim {@code collateral}). */
    record Fetched(Collateral collateral, String from) {
    }

    private PcsCollateral() {
    }

    /**
     * @param sources the sources, best first
     * @param fmspc the FMSPC of the PCK certificate, hex
     * @return the collateral and where it came from
     * @throws IllegalArgumentException if no source has a document, or one is not what a PCS serves
     */
    static Fetched fetch(List<CollateralSource> sources, String fmspc) {
        Set<String> problems = new LinkedHashSet<>();
        Map<String, String> from = new LinkedHashMap<>();
        Map<String, String> ca = Map.of("ca", "platform");
        Map<String, String> f = Map.of("fmspc", fmspc);
        byte[] pckCrl = get(sources, "pckcrl", ca, from, problems);
        String pckChain = text(get(sources, "pckcrl_issuer_chain", ca, from, problems));
        byte[] rootCrl = get(sources, "rootcacrl", Map.of(), from, problems);
        String tcb = text(get(sources, "tcb", f, from, problems));
        String tcbChain = text(get(sources, "tcb_issuer_chain", f, from, problems));
        String qe = text(get(sources, "qe_identity", Map.of(), from, problems));
        String qeChain = text(get(sources, "qe_identity_issuer_chain", Map.of(), from, problems));
        Set<String> where = new LinkedHashSet<>(from.values());
        String described;
        if (where.size() == 1) {
            described = where.iterator().next();
        } else {
            List<String> parts = new ArrayList<>();
            from.forEach((kind, source) -> parts.add(kind + " from " + source));
            described = String.join("; ", parts);
        }
        if (!problems.isEmpty()) {
            described += "; not from " + String.join("; ", problems);
        }
        return new Fetched(Collateral.fromPcs(pckCrl, pckChain, rootCrl, tcb, tcbChain, qe, qeChain,
                from.get("tcb")), described);
    }

    private static byte[] get(List<CollateralSource> sources, String kind, Map<String, String> key,
            Map<String, String> from, Set<String> problems) {
        for (CollateralSource s : sources) {
            Optional<CollateralSources.Answer> a = CollateralSources.ask(s, kind, key, problems);
            if (a.isPresent()) {
                from.put(kind, s.describe());
                Bytes b = a.get().value();
                return b.value();
            }
        }
        throw new IllegalArgumentException("no Intel collateral source has the " + kind + (key.isEmpty() ? ""
                : " for " + key) + (problems.isEmpty() ? "" : " (" + String.join("; ", problems) + ")"));
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
