package io.teebox.nvidia.abi;

import java.math.BigInteger;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Objects;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.Signatures;

/**
 * The H100's attestation report as NVIDIA's driver returns it and NVIDIA's verifier reads it: the 37-byte SPDM 1.1
 * GET_MEASUREMENTS request followed by the MEASUREMENTS response, whose last 96 bytes are an ECDSA P-384 (SHA-384)
 * signature, raw r ‖ s, over everything before them. The SPDM 1.1 signature has no signing-context prefix (that came
 * with SPDM 1.2).
 *
 * @param request the GET_MEASUREMENTS request with the verifier's nonce
 * @param response the MEASUREMENTS response
 */
public record AttestationReport(GetMeasurementsRequest request, MeasurementsResponse response) {

    /** The evidence format of a GPU's report with its device certificate chain. */
    public static final String EVIDENCE_FORMAT = "nvidia-gpu-spdm-measurements";
    /** The hash of the report's signature. */
    public static final String HASH = "SHA-384";

    /** Checks the parts are present. */
    public AttestationReport {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(response, "response");
    }

    /**
     * Parses a report.
     *
     * @param bytes the request followed by the response
     * @return the report
     * @throws MalformedStructureException naming the field and its offset in the report if it is not one
     */
    public static AttestationReport parse(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < GetMeasurementsRequest.LENGTH) {
            throw new MalformedStructureException(GetMeasurementsRequest.STRUCT, null, "the report is " + bytes.length
                    + " bytes, shorter than the " + GetMeasurementsRequest.LENGTH + "-byte GET_MEASUREMENTS request "
                    + "it begins with");
        }
        GetMeasurementsRequest req = GetMeasurementsRequest.parse(Arrays.copyOf(bytes,
                GetMeasurementsRequest.LENGTH));
        MeasurementsResponse resp = MeasurementsResponse.read(Arrays.copyOfRange(bytes,
                GetMeasurementsRequest.LENGTH, bytes.length), GetMeasurementsRequest.LENGTH);
        return new AttestationReport(req, resp);
    }

    /** @return the report's bytes: request, then response */
    public byte[] encode() {
        byte[] signed = signedBytes();
        byte[] out = Arrays.copyOf(signed, signed.length + MeasurementsResponse.SIGNATURE_LENGTH);
        System.arraycopy(response.signature(), 0, out, signed.length, MeasurementsResponse.SIGNATURE_LENGTH);
        return out;
    }

    /** @return the bytes the signature covers: the request, then the response without its last 96 bytes */
    public byte[] signedBytes() {
        byte[] req = request.encode();
        byte[] resp = response.encodeUnsigned();
        byte[] out = Arrays.copyOf(req, req.length + resp.length);
        System.arraycopy(resp, 0, out, req.length, resp.length);
        return out;
    }

    /** @return the offset of the signature in the report */
    public int signatureOffset() {
        return GetMeasurementsRequest.LENGTH + response.encodeUnsigned().length;
    }

    /**
     * @param key the device leaf certificate's public key (P-384)
     * @return true only if the signature verifies over {@link #signedBytes()} with it
     */
    public boolean verify(PublicKey key) {
        BigInteger[] rs = Signatures.fromRaw(response.signature());
        try {
            return Signatures.ecdsaVerify(key, HASH, signedBytes(), rs[0], rs[1]);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** @return the verifier's nonce the request carries */
    public byte[] nonce() {
        return request.nonce();
    }

    /** @return the response's opaque data */
    public OpaqueData opaqueData() {
        return response.opaqueData();
    }
}
