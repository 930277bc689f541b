package io.teebox.nvidia.rim;

import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * NVIDIA's services, emulated (one DS service): the PKI that provisions GPUs and signs reference values, shaped
 * like NVIDIA's and kept in the platform's state directory; the RIM service ({@code GET /v1/rim/{id}}) and the
 * OCSP responder on the platform's HTTP server, at the paths NVIDIA's verifier uses.
 */
@ProviderType
public interface NvidiaServices {

    /**
     * Provisions a GPU as NVIDIA's factory does: issues its "GH100 A01 GSP BROM" certificate for the device's
     * identity key. The GPU signs its own "GH100 A01 GSP FMC LF" alias certificate under it.
     *
     * @param deviceIdentityKey the GPU's identity public key (P-384)
     * @param serial the certificate's serial number (the device's unique id)
     * @return leaf first: the BROM certificate, "NVIDIA GH100 Provisioner ICA 1", "NVIDIA GH100 Identity" and the
     *         root "NVIDIA Device Identity CA"; the same for the same key and serial
     */
    List<X509Certificate> provision(PublicKey deviceIdentityKey, BigInteger serial);

    /** @return the device-identity root, "NVIDIA Device Identity CA", which verifiers are given */
    X509Certificate deviceRoot();

    /** @return the reference-value root, "NVIDIA CoRIM signing Root CA", which verifiers are given */
    X509Certificate rimRoot();

    /**
     * Signs a RIM under the reference-value PKI and publishes it on the RIM service, as NVIDIA's release does for a
     * driver or a VBIOS; publishing the same content again changes nothing.
     *
     * @param rim what the RIM states
     * @return the signed SWID tag, XML as served
     */
    byte[] publish(RimContent rim);

    /** @return the RIM service's base URL, for example {@code http://127.0.0.1:8440/nvidia/rim} */
    String rimServiceUrl();

    /** @return the OCSP responder's URL */
    String ocspUrl();

    /**
     * Revokes a certificate this PKI issued (a GPU's BROM certificate, an intermediate, a RIM signer): the OCSP
     * responder answers "revoked" (keyCompromise) for it from now on, also after a restart.
     *
     * @param serial the certificate's serial number
     * @since 1.1
     */
    void revoke(BigInteger serial);
}
