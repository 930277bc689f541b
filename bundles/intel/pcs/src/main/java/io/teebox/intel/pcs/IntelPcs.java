package io.teebox.intel.pcs;

import java.net.URI;
import java.security.PublicKey;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The emulated Intel Provisioning Certification Service: Intel's key hierarchy (Intel SGX Root CA, PCK Platform CA,
 * TCB Signing), the PCK certificates it issues to platforms, and the DCAP collateral it signs (CRLs, TCB info v3,
 * QE identity v2), served over HTTP on loopback at the PCS v4 paths.
 */
@ProviderType
public interface IntelPcs {

    /** @return where the PCS listens, for example {@code http://127.0.0.1:41234}; PCS v4 paths go below it */
    URI baseUrl();

    /** @return the DER Intel SGX Root CA certificate verifiers trust; the same bytes for the same seed */
    byte[] rootCaCertificate();

    /**
     * Issues the PCK certificate of a platform, as Intel does when the platform registers.
     *
     * @param ppid the platform provisioning id (16 bytes)
     * @param cpuSvn the CPUSVN the certificate is for (16 bytes)
     * @param pceSvn the PCE SVN
     * @param pceId the PCE id (2 bytes)
     * @param fmspc the platform's FMSPC (6 bytes)
     * @param pckKey the PCK public key (P-256)
     * @return the DER chain: PCK certificate, Intel SGX PCK Platform CA, Intel SGX Root CA
     */
    List<byte[]> certifyPck(byte[] ppid, byte[] cpuSvn, int pceSvn, byte[] pceId, byte[] fmspc, PublicKey pckKey);

    /**
     * @param fmspc the platform's FMSPC, hex
     * @return the DCAP collateral for TDX quotes from platforms of that FMSPC as JSON (see
     *         {@link io.teebox.intel.tdx.Tdx#ATTACHMENT_COLLATERAL})
     * @throws IllegalArgumentException if the FMSPC is not hex of 6 bytes
     */
    String collateral(String fmspc);
}
