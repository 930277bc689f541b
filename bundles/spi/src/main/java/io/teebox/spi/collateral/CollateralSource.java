package io.teebox.spi.collateral;

import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import io.teebox.api.tee.Bytes;

/**
 * A source of vendor collateral, registered with the service property {@value #VENDOR} naming the vendor whose
 * collateral it serves ({@code "amd"}, {@code "intel"}, {@code "nvidia"}); several may be present and verifiers try
 * them in ranking order.
 */
@ConsumerType
public interface CollateralSource {

    /** The service property naming the vendor. */
    String VENDOR = "collateral.vendor";

    /**
     * The one vendor-neutral kind (key: none): the root certificates the source's vendor services vouch under, as
     * PEM (an emulated AMD KDS answers its ARKs, an emulated Intel PCS the SGX root CA, NVIDIA's services their
     * device-identity and reference-value roots), for relying parties that trust this machine's emulated vendors.
     */
    String TRUST_ANCHORS = "trust_anchors";

    /**
     * @param kind what is asked for in the vendor's terms, for example {@code "vcek"}, {@code "cert_chain"},
     *            {@code "crl"}, {@code "tcb"}, {@code "qe_identity"}, {@code "pckcrl"}
     * @param key what identifies it, for example {@code product=Milan, hwid=..., blSPL=...} or {@code fmspc=...}
     * @return the collateral as the vendor's service serves it, or empty if this source has none
     * @throws java.io.UncheckedIOException if the source exists but cannot be reached
     */
    Optional<Bytes> fetch(String kind, Map<String, String> key);

    /** @return where the collateral comes from, for messages (a URL, a directory) */
    String describe();
}
