package io.teebox.tpm.abi;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

import io.teebox.kit.crypto.Signatures;

/**
 * TPMT_SIGNATURE (Part 2, 11.3.4): sigAlg, then for RSASSA and RSAPSS the hash and a TPM2B_PUBLIC_KEY_RSA, for
 * ECDSA the hash and two TPM2B_ECC_PARAMETER (r, s), for TPM_ALG_NULL nothing.
 *
 * @param sigAlg RSASSA, RSAPSS, ECDSA or NULL
 * @param hash the signature's hash, NULL for NULL
 * @param sig the RSA signature (RSASSA, RSAPSS) or r (ECDSA); empty for NULL
 * @param s the ECDSA s; empty otherwise
 */
public record TpmtSignature(TpmAlgId sigAlg, TpmAlgId hash, byte[] sig, byte[] s) {

    /**
     * Checks the algorithm.
     *
     * @throws TpmException with TPM_RC_SCHEME for an unsupported sigAlg
     */
    public TpmtSignature {
        if (sigAlg != TpmAlgId.RSASSA && sigAlg != TpmAlgId.RSAPSS && sigAlg != TpmAlgId.ECDSA
                && sigAlg != TpmAlgId.NULL) {
            throw new TpmException(TpmRc.SCHEME, "TPMT_SIGNATURE.sigAlg is TPM_ALG_" + sigAlg.name()
                    + ", expected RSASSA, RSAPSS, ECDSA or NULL");
        }
        sig = sig.clone();
        s = s.clone();
    }

    /**
     * An RSA signature.
     *
     * @param sigAlg RSASSA or RSAPSS
     * @param hash the hash
     * @param sig the signature
     * @return the TPMT_SIGNATURE
     */
    public static TpmtSignature rsa(TpmAlgId sigAlg, TpmAlgId hash, byte[] sig) {
        return new TpmtSignature(sigAlg, hash, sig, new byte[0]);
    }

    /**
     * An ECDSA signature.
     *
     * @param hash the hash
     * @param r r, big-endian
     * @param s s, big-endian
     * @return the TPMT_SIGNATURE
     */
    public static TpmtSignature ecdsa(TpmAlgId hash, byte[] r, byte[] s) {
        return new TpmtSignature(TpmAlgId.ECDSA, hash, r, s);
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the signature
     * @throws TpmException with TPM_RC_SCHEME, TPM_RC_HASH or TPM_RC_SIZE for bad fields
     */
    public static TpmtSignature parse(TpmReader in) {
        int alg = in.u16("TPMT_SIGNATURE.sigAlg");
        TpmAlgId a;
        try {
            a = TpmAlgId.fromValue(alg);
        } catch (TpmException e) {
            throw new TpmException(TpmRc.SCHEME, String.format(
                    "TPMT_SIGNATURE.sigAlg is 0x%04x, expected RSASSA, RSAPSS, ECDSA or NULL", alg));
        }
        if (a == TpmAlgId.NULL) {
            return new TpmtSignature(a, TpmAlgId.NULL, new byte[0], new byte[0]);
        }
        if (a != TpmAlgId.RSASSA && a != TpmAlgId.RSAPSS && a != TpmAlgId.ECDSA) {
            throw new TpmException(TpmRc.SCHEME, "TPMT_SIGNATURE.sigAlg is TPM_ALG_" + a.name()
                    + ", expected RSASSA, RSAPSS, ECDSA or NULL");
        }
        TpmAlgId h = TpmAlgId.hashFromValue(in.u16("TPMT_SIGNATURE.signature.hash"), false);
        if (a == TpmAlgId.ECDSA) {
            byte[] r = in.tpm2b(TpmsEccPoint.MAX_SIZE, "TPMS_SIGNATURE_ECDSA.signatureR");
            byte[] s = in.tpm2b(TpmsEccPoint.MAX_SIZE, "TPMS_SIGNATURE_ECDSA.signatureS");
            return new TpmtSignature(a, h, r, s);
        }
        return new TpmtSignature(a, h, in.tpm2b(Tpm2bPublicKeyRsa.MAX_SIZE, "TPMS_SIGNATURE_RSA.sig"), new byte[0]);
    }

    /**
     * Parses a TPMT_SIGNATURE that fills the whole array.
     *
     * @param data the bytes
     * @return the signature
     * @throws TpmException as {@link #parse}, TPM_RC_SIZE if bytes follow it
     */
    public static TpmtSignature fromBytes(byte[] data) {
        TpmReader r = new TpmReader(data);
        TpmtSignature s = parse(r);
        r.end("TPMT_SIGNATURE");
        return s;
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(sigAlg.value());
        if (sigAlg == TpmAlgId.NULL) {
            return;
        }
        out.u16(hash.value()).tpm2b(sig);
        if (sigAlg == TpmAlgId.ECDSA) {
            out.tpm2b(s);
        }
    }

    /**
     * Marshals it.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toByteArray();
    }

    /**
     * The PSS parameters a TPM signs with: MGF1 with the signature's hash and a salt as long as the digest.
     *
     * @param hash the hash
     * @return the parameters
     */
    public static PSSParameterSpec pssParameters(TpmAlgId hash) {
        return new PSSParameterSpec(hash.jcaName(), "MGF1", new MGF1ParameterSpec(hash.jcaName()), hash.digestSize(),
                1);
    }

    /**
     * The JCA algorithm name of this signature, e.g. "SHA256withRSA".
     *
     * @param sigAlg RSASSA, RSAPSS or ECDSA
     * @param hash the hash
     * @return the name
     */
    public static String jcaAlgorithm(TpmAlgId sigAlg, TpmAlgId hash) {
        String h = hash.jcaName().replace("-", "");
        return switch (sigAlg) {
            case RSASSA -> h + "withRSA";
            case RSAPSS -> "RSASSA-PSS";
            case ECDSA -> h + "withECDSA";
            default -> throw new TpmException(TpmRc.SCHEME, "sigAlg is TPM_ALG_" + sigAlg.name()
                    + ", expected RSASSA, RSAPSS or ECDSA");
        };
    }

    /**
     * Verifies this signature over a message (for a quote, the marshalled TPMS_ATTEST).
     *
     * @param key the signer's public key
     * @param message the signed bytes (hashed here with the signature's hash)
     * @return true if the signature is valid
     * @throws TpmException with TPM_RC_SCHEME if sigAlg is NULL
     */
    public boolean verify(PublicKey key, byte[] message) {
        try {
            Signature v = Signature.getInstance(jcaAlgorithm(sigAlg, hash));
            if (sigAlg == TpmAlgId.RSAPSS) {
                v.setParameter(pssParameters(hash));
            }
            v.initVerify(key);
            v.update(message);
            byte[] encoded = sigAlg == TpmAlgId.ECDSA
                    ? Signatures.toDer(new BigInteger(1, sig), new BigInteger(1, s)) : sig;
            return v.verify(encoded);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
