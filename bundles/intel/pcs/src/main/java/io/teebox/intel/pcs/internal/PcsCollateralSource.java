package io.teebox.intel.pcs.internal;

import io.teebox.api.tee.Bytes;
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.tdx.abi.PcsRequest;
import io.teebox.spi.collateral.CollateralSource;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The emulated Intel PCS as a collateral source ({@code collateral.vendor=intel}, {@code collateral.emulated=true}):
 * the documents its servlet serves (PCK CRLs, TCB info, the QE identity, the root CA CRL, the PCK certificates it
 * issued) and their issuer chains, answered in-process by kind and key ({@link PcsRequest}).
 * {@link #describe()} is the base URL the same PCS answers on.
 */
@Component(service = CollateralSource.class, immediate = true, property = {CollateralSource.VENDOR + "=intel",
    "collateral.emulated=true"})
public final class PcsCollateralSource implements CollateralSource {

    private final PcsServer pcs;

    /** @param pcs the emulated PCS */
    @Activate
    public PcsCollateralSource(@Reference(target = "(component.name=io.teebox.intel.pcs.internal.PcsServer)") IntelPcs pcs) {
        if (!(pcs instanceof PcsServer server)) {
            throw new IllegalArgumentException("the emulated PCS source serves this bundle's PCS, not " + pcs);
        }
        this.pcs = server;
    }

    /**
     * @throws IllegalArgumentException for a kind the PCS does not serve or a key it cannot read
     */
    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        if (kind.equals(TRUST_ANCHORS)) {
            // the vendor-neutral kind: the root this PCS vouches under (Intel's SGX root CA), the last certificate
            // of the QE identity's issuer chain
            java.util.List<java.security.cert.X509Certificate> chain = io.teebox.kit.x509.X509Authority
                    .certificatesFromPem(new String(fetch("qe_identity_issuer_chain", Map.of()).orElseThrow()
                            .value(), StandardCharsets.US_ASCII));
            return chain.isEmpty() ? Optional.empty() : Optional.of(Bytes.of(io.teebox.kit.x509.X509Authority
                    .toPem(chain.get(chain.size() - 1)).getBytes(StandardCharsets.US_ASCII)));
        }
        PcsRequest r;
        try {
            r = new PcsRequest(kind, key);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the emulated PCS refuses the " + kind + " request: " + e.getMessage(),
                    e);
        }
        PcsResources.Answer a;
        try {
            a = pcs.resources().answer(r);
        } catch (PcsResources.Refusal e) {
            if (e.status == 404) {
                return Optional.empty();
            }
            throw new IllegalArgumentException("the emulated PCS refuses the " + kind + " request: "
                    + e.getMessage());
        }
        if (r.issuerChainHeader().isPresent()) {
            return Optional.of(Bytes.of(a.issuerChain().getBytes(StandardCharsets.US_ASCII)));
        }
        return Optional.of(Bytes.of(a.body()));
    }

    @Override
    public String describe() {
        return pcs.baseUrl().toString();
    }
}
