package io.teebox.amd.kds.internal;

import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import io.teebox.amd.abi.KdsRequest;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.platform.HttpEndpoint;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.x509.X509Authority;
import io.teebox.spi.collateral.CollateralSource;

/**
 * The emulated KDS as a collateral source ({@code collateral.vendor=amd}, {@code collateral.emulated=true}): the
 * resources the KDS serves on HTTP, answered in-process for verifiers that look collateral up by kind and key
 * ({@link KdsRequest}). {@link #describe()} is the base URL the same KDS answers on.
 */
@Component(service = CollateralSource.class, immediate = true, property = {CollateralSource.VENDOR + "=amd",
    "collateral.emulated=true"})
public final class KdsCollateralSource implements CollateralSource {

    private final KdsResources resources;
    private final HttpEndpoint endpoint;

    /**
     * @param sp the secure processor whose keys are served
     * @param endpoint where the same KDS answers on HTTP
     */
    @Activate
    public KdsCollateralSource(@Reference AmdSecureProcessor sp, @Reference HttpEndpoint endpoint) {
        this.resources = new KdsResources(sp);
        this.endpoint = endpoint;
    }

    /**
     * @throws IllegalArgumentException for a kind the KDS does not serve or a key it cannot read
     */
    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        if (kind.equals(TRUST_ANCHORS)) {
            return trustAnchors();
        }
        try {
            return Optional.of(Bytes.of(resources.answer(new KdsRequest(kind, key)).body()));
        } catch (KdsResources.Refusal e) {
            if (e.status == 404) {
                return Optional.empty();
            }
            throw new IllegalArgumentException("the emulated KDS refuses the " + kind + " request: "
                    + e.getMessage());
        }
    }

    /** @return the ARK of each product line the KDS serves (the last certificate of its cert_chain), PEM */
    private Optional<Bytes> trustAnchors() {
        StringBuilder pem = new StringBuilder();
        for (String line : java.util.List.of("Milan", "Genoa", "Turin")) {
            fetch("cert_chain", Map.of("product", line, "signer", "vcek")).ifPresent(chain -> {
                java.util.List<java.security.cert.X509Certificate> certs = X509Authority.certificatesFromPem(
                        new String(chain.value(), java.nio.charset.StandardCharsets.US_ASCII));
                if (!certs.isEmpty()) {
                    pem.append(X509Authority.toPem(certs.get(certs.size() - 1)));
                }
            });
        }
        return pem.length() == 0 ? Optional.empty() : Optional.of(Bytes.of(pem.toString().getBytes(
                java.nio.charset.StandardCharsets.US_ASCII)));
    }

    @Override
    public String describe() {
        return endpoint.baseUrl();
    }
}
