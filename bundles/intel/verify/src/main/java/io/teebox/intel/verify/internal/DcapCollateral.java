package io.teebox.intel.verify.internal;

import io.teebox.api.attestation.Evidence;
import io.teebox.intel.tdx.Tdx;
import io.teebox.kit.hex.Hex;
import io.teebox.spi.collateral.CollateralSource;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509CRL;
import java.util.List;

/**
 * Check {@code collateral}: the DCAP collateral of an appraisal, from the evidence attachment {@code collateral} or,
 * without it, from the Intel collateral sources in ranking order ({@link PcsCollateral}) for the PCK certificate's
 * FMSPC; its CRLs must be DER (check {@code crl}). The claim {@code collateral} says where it came from.
 */
final class DcapCollateral {

    /** The two CRLs of the collateral: the root CA's and the PCK (platform or processor) CA's. */
    record Crls(X509CRL root, X509CRL pck) {
    }

    private DcapCollateral() {
    }

    /** @return the collateral, or null after a {@code collateral} failure */
    static Collateral obtain(Evidence evidence, List<CollateralSource> sources, PckExtensions pck, Findings out) {
        byte[] attached = evidence.attachment(Tdx.ATTACHMENT_COLLATERAL);
        try {
            if (attached != null) {
                out.claim("collateral", "attached");
                return DcapChain.CACHE.memo("collateral", () -> Collateral.parse(new String(attached,
                        StandardCharsets.UTF_8)), attached);
            }
            if (sources.isEmpty()) {
                out.fail("collateral", "the evidence carries no collateral and no Intel PCS is available (no "
                        + "collateral source " + CollateralSource.VENDOR + "=intel)");
                return null;
            }
            if (pck == null) {
                out.fail("collateral", "no FMSPC to fetch collateral for (the PCK certificate was not usable)");
                return null;
            }
            PcsCollateral.Fetched fetched = PcsCollateral.fetch(sources, Hex.encode(pck.fmspc()));
            out.claim("collateral", fetched.from());
            return fetched.collateral();
        } catch (IllegalArgumentException e) {
            out.fail("collateral", e.getMessage());
            return null;
        }
    }

    /** @return the collateral's CRLs, or null after a {@code crl} failure (one is not DER) */
    static Crls crls(Collateral c, Findings out) {
        try {
            return new Crls(DcapChain.CACHE.crl(c.rootCaCrl()), DcapChain.CACHE.crl(c.pckCrl()));
        } catch (IllegalArgumentException e) {
            out.fail("crl", "a CRL in the collateral is not DER: " + e.getMessage());
            return null;
        }
    }
}
