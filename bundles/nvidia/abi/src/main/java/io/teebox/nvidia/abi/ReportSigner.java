package io.teebox.nvidia.abi;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Objects;

import io.teebox.kit.crypto.Signatures;

/**
 * Signs attestation reports as the GPU's attestation key does: ECDSA P-384 with SHA-384 over the request and the
 * response up to its signature, the signature written as raw r ‖ s (48 bytes each, big-endian).
 */
public final class ReportSigner {

    private final PrivateKey key;

    /**
     * @param key the P-384 private key whose public key the device leaf certificate carries
     * @throws IllegalArgumentException if it is not a P-384 key
     */
    public ReportSigner(PrivateKey key) {
        Objects.requireNonNull(key, "key");
        if (!(key instanceof ECPrivateKey ec) || ec.getParams().getCurve().getField().getFieldSize() != 384) {
            throw new IllegalArgumentException("the report signer needs an EC P-384 private key, got "
                    + key.getAlgorithm() + (key instanceof ECPrivateKey ec2 ? " with a "
                            + ec2.getParams().getCurve().getField().getFieldSize() + "-bit field" : ""));
        }
        this.key = key;
    }

    /**
     * @param request the verifier's GET_MEASUREMENTS request
     * @param response the response (its signature, if any, is replaced)
     * @return the signed report
     */
    public AttestationReport sign(GetMeasurementsRequest request, MeasurementsResponse response) {
        AttestationReport unsigned = new AttestationReport(request, response);
        BigInteger[] rs = Signatures.ecdsaSign(key, AttestationReport.HASH, unsigned.signedBytes());
        byte[] raw = Signatures.toRaw(rs[0], rs[1], 48);
        return new AttestationReport(request, response.withSignature(raw));
    }
}
