package io.teebox.attestation.service.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import io.teebox.api.tee.Bytes;
import io.teebox.spi.collateral.CollateralSource;

/**
 * The roots of this machine's emulated vendor services, asked of their collateral sources by the vendors' own
 * collateral kinds: the last (self-signed) certificate of an AMD KDS {@code cert_chain} per product line (the ARK),
 * and of the Intel PCS's QE identity issuer chain (the SGX root CA); and every certificate of the vendor-neutral kind
 * {@code trust_anchors} (PEM), which a vendor's emulated services answer with the roots they vouch under (NVIDIA's
 * device-identity and reference-value roots). A source that has none is passed over.
 */
final class EmulatedRoots {

    private EmulatedRoots() {
    }

    static List<byte[]> of(Collection<CollateralSource> sources, Consumer<String> log) {
        List<byte[]> out = new ArrayList<>();
        for (CollateralSource s : sources) {
            for (String line : List.of("Milan", "Genoa", "Turin")) {
                add(s, "cert_chain", Map.of("product", line, "signer", "vcek"), true, out, log);
            }
            add(s, "qe_identity_issuer_chain", Map.of(), true, out, log);
            add(s, "trust_anchors", Map.of(), false, out, log);
        }
        return List.copyOf(out);
    }

    /** Adds the last certificate of a PEM chain the source gives (its root), or every certificate of it. */
    private static void add(CollateralSource s, String kind, Map<String, String> key, boolean lastOnly,
            List<byte[]> out, Consumer<String> log) {
        try {
            Bytes b = s.fetch(kind, key).orElse(null);
            if (b == null) {
                return;
            }
            List<byte[]> chain = AttestationEngine.pemCertificates(new String(b.value(), StandardCharsets.US_ASCII));
            List<byte[]> roots = lastOnly && !chain.isEmpty() ? chain.subList(chain.size() - 1, chain.size()) : chain;
            for (byte[] root : roots) {
                if (out.stream().noneMatch(r -> java.util.Arrays.equals(r, root))) {
                    out.add(root);
                }
            }
        } catch (RuntimeException e) {
            log.accept(s.describe() + " gives no " + kind + " " + key + ": " + e.getMessage());
        }
    }
}
