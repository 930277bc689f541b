package io.teebox.tpm.abi;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;

import io.teebox.kit.crypto.EcKeys;

/**
 * TPMT_PUBLIC (Part 2, 12.2.4): type, nameAlg, objectAttributes (TPMA_OBJECT), authPolicy, parameters and unique,
 * for RSA, ECC and keyed-hash objects.
 *
 * @param type RSA, ECC or KEYEDHASH
 * @param nameAlg the hash of the object's Name
 * @param objectAttributes TPMA_OBJECT bits
 * @param authPolicy the policy digest that authorizes use in a policy session, or empty
 * @param parameters the parameters matching the type
 * @param unique the public key (RSA modulus, ECC point) or the keyed hash's unique digest
 */
public record TpmtPublic(TpmAlgId type, TpmAlgId nameAlg, int objectAttributes, Tpm2bDigest authPolicy,
        TpmuPublicParms parameters, TpmuPublicId unique) {

    /** TPMA_OBJECT.fixedTPM. */
    public static final int FIXED_TPM = 1 << 1;
    /** TPMA_OBJECT.stClear. */
    public static final int ST_CLEAR = 1 << 2;
    /** TPMA_OBJECT.fixedParent. */
    public static final int FIXED_PARENT = 1 << 4;
    /** TPMA_OBJECT.sensitiveDataOrigin. */
    public static final int SENSITIVE_DATA_ORIGIN = 1 << 5;
    /** TPMA_OBJECT.userWithAuth. */
    public static final int USER_WITH_AUTH = 1 << 6;
    /** TPMA_OBJECT.adminWithPolicy. */
    public static final int ADMIN_WITH_POLICY = 1 << 7;
    /** TPMA_OBJECT.noDA. */
    public static final int NO_DA = 1 << 10;
    /** TPMA_OBJECT.encryptedDuplication. */
    public static final int ENCRYPTED_DUPLICATION = 1 << 11;
    /** TPMA_OBJECT.restricted. */
    public static final int RESTRICTED = 1 << 16;
    /** TPMA_OBJECT.decrypt. */
    public static final int DECRYPT = 1 << 17;
    /** TPMA_OBJECT.sign (also sign/encrypt). */
    public static final int SIGN = 1 << 18;
    /** TPMA_OBJECT.x509sign. */
    public static final int X509SIGN = 1 << 19;
    /** The reserved bits of TPMA_OBJECT: 0, 3, 8, 9, 12 to 15 and 20 to 31. */
    public static final int RESERVED = 0xFFF0F309;

    /**
     * Checks that the parameters and unique field match the type and the policy fits the name hash.
     *
     * @throws TpmException with TPM_RC_TYPE, TPM_RC_SELECTOR or TPM_RC_RESERVED_BITS if they do not
     */
    public TpmtPublic {
        boolean ok = switch (type) {
            case RSA -> parameters instanceof TpmsRsaParms && unique instanceof Tpm2bPublicKeyRsa;
            case ECC -> parameters instanceof TpmsEccParms && unique instanceof TpmsEccPoint;
            case KEYEDHASH -> parameters instanceof TpmsKeyedHashParms && unique instanceof Tpm2bDigest;
            default -> throw new TpmException(TpmRc.TYPE, "TPMT_PUBLIC.type is TPM_ALG_" + type.name()
                    + ", expected TPM_ALG_RSA, TPM_ALG_ECC or TPM_ALG_KEYEDHASH");
        };
        if (!ok) {
            throw new TpmException(TpmRc.SELECTOR, "TPMT_PUBLIC of type TPM_ALG_" + type.name() + " has "
                    + parameters.getClass().getSimpleName() + " and " + unique.getClass().getSimpleName()
                    + ", expected the parameters and unique of that type");
        }
        if ((objectAttributes & RESERVED) != 0) {
            throw new TpmException(TpmRc.RESERVED_BITS, String.format(
                    "TPMT_PUBLIC.objectAttributes is 0x%08x, reserved bits 0x%08x are set", objectAttributes,
                    objectAttributes & RESERVED));
        }
    }

    /**
     * Parses one.
     *
     * @param in the reader
     * @return the public area
     * @throws TpmException with the code of the first bad field, TPM_RC_INSUFFICIENT if truncated
     */
    public static TpmtPublic parse(TpmReader in) {
        int t = in.u16("TPMT_PUBLIC.type");
        TpmAlgId type;
        try {
            type = TpmAlgId.fromValue(t);
        } catch (TpmException e) {
            throw new TpmException(TpmRc.TYPE, String.format("TPMT_PUBLIC.type is 0x%04x, expected TPM_ALG_RSA, "
                    + "TPM_ALG_ECC or TPM_ALG_KEYEDHASH", t));
        }
        TpmAlgId nameAlg = TpmAlgId.hashFromValue(in.u16("TPMT_PUBLIC.nameAlg"), false);
        int attrs = in.u32("TPMT_PUBLIC.objectAttributes");
        Tpm2bDigest policy = Tpm2bDigest.parse(in);
        switch (type) {
            case RSA:
                return new TpmtPublic(type, nameAlg, attrs, policy, TpmsRsaParms.parse(in), Tpm2bPublicKeyRsa.parse(in));
            case ECC:
                return new TpmtPublic(type, nameAlg, attrs, policy, TpmsEccParms.parse(in), TpmsEccPoint.parse(in));
            case KEYEDHASH:
                return new TpmtPublic(type, nameAlg, attrs, policy, TpmsKeyedHashParms.parse(in), Tpm2bDigest.parse(in));
            default:
                throw new TpmException(TpmRc.TYPE, "TPMT_PUBLIC.type is TPM_ALG_" + type.name()
                        + ", expected TPM_ALG_RSA, TPM_ALG_ECC or TPM_ALG_KEYEDHASH");
        }
    }

    /**
     * Parses a TPMT_PUBLIC that fills the whole array.
     *
     * @param data the marshalled TPMT_PUBLIC
     * @return the public area
     * @throws TpmException as {@link #parse}, or TPM_RC_SIZE if bytes follow it
     */
    public static TpmtPublic fromBytes(byte[] data) {
        TpmReader r = new TpmReader(data);
        TpmtPublic p = parse(r);
        r.end("TPMT_PUBLIC");
        return p;
    }

    /**
     * Writes it.
     *
     * @param out the writer
     */
    public void write(TpmWriter out) {
        out.u16(type.value()).u16(nameAlg.value()).u32(objectAttributes);
        authPolicy.write(out);
        parameters.write(out);
        unique.write(out);
    }

    /**
     * Marshals it.
     *
     * @return the TPMT_PUBLIC bytes
     */
    public byte[] toBytes() {
        TpmWriter w = new TpmWriter();
        write(w);
        return w.toByteArray();
    }

    /**
     * The object's Name: nameAlg || H_nameAlg(TPMT_PUBLIC) (Part 1, 16).
     *
     * @return the Name
     */
    public Tpm2bName name() {
        return Tpm2bName.of(nameAlg, toBytes());
    }

    /**
     * The same area with another unique field (what CreatePrimary fills in).
     *
     * @param newUnique the unique field
     * @return the new area
     */
    public TpmtPublic withUnique(TpmuPublicId newUnique) {
        return new TpmtPublic(type, nameAlg, objectAttributes, authPolicy, parameters, newUnique);
    }

    /**
     * Whether an attribute bit is set.
     *
     * @param bit one of the TPMA_OBJECT constants
     * @return true if set
     */
    public boolean has(int bit) {
        return (objectAttributes & bit) != 0;
    }

    /**
     * The public key of an RSA or ECC object as a JCA key.
     *
     * @return an RSAPublicKey or ECPublicKey
     * @throws TpmException with TPM_RC_KEY for a keyed-hash object or a unique field that is not a key
     */
    public PublicKey publicKey() {
        try {
            if (parameters instanceof TpmsRsaParms rsa) {
                long e = rsa.exponent() == 0 ? 65537 : rsa.exponent() & 0xFFFFFFFFL;
                byte[] n = ((Tpm2bPublicKeyRsa) unique).buffer();
                return KeyFactory.getInstance("RSA").generatePublic(
                        new RSAPublicKeySpec(new BigInteger(1, n), BigInteger.valueOf(e)));
            }
            if (parameters instanceof TpmsEccParms ecc) {
                TpmsEccPoint p = (TpmsEccPoint) unique;
                return EcKeys.publicKey(ecc.curveID().jcaName(), new BigInteger(1, p.x()), new BigInteger(1, p.y()));
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TpmException(TpmRc.KEY, "TPMT_PUBLIC.unique is not a valid public key of its type");
        }
        throw new TpmException(TpmRc.KEY, "TPMT_PUBLIC.type is TPM_ALG_" + type.name() + ", expected an asymmetric key");
    }

    /**
     * The unique field for a JCA public key.
     *
     * @param key an RSA or EC public key
     * @param keyBytes the size of the modulus or coordinate in bytes
     * @return the TPM2B_PUBLIC_KEY_RSA or TPMS_ECC_POINT
     * @throws TpmException with TPM_RC_KEY for another key type
     */
    public static TpmuPublicId uniqueOf(PublicKey key, int keyBytes) {
        if (key instanceof RSAPublicKey rsa) {
            return new Tpm2bPublicKeyRsa(unsigned(rsa.getModulus(), keyBytes));
        }
        if (key instanceof ECPublicKey ec) {
            return new TpmsEccPoint(unsigned(ec.getW().getAffineX(), keyBytes),
                    unsigned(ec.getW().getAffineY(), keyBytes));
        }
        throw new TpmException(TpmRc.KEY, "public key is " + key.getAlgorithm() + ", expected RSA or EC");
    }

    /**
     * A non-negative integer as exactly len big-endian bytes.
     *
     * @param v the value
     * @param len the length
     * @return the bytes, left-padded with zeros
     * @throws IllegalArgumentException if the value does not fit
     */
    public static byte[] unsigned(BigInteger v, int len) {
        byte[] b = v.toByteArray();
        if (b.length == len) {
            return b;
        }
        if (b.length == len + 1 && b[0] == 0) {
            return java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        if (b.length > len) {
            throw new IllegalArgumentException("integer is " + b.length + " bytes, expected at most " + len);
        }
        byte[] out = new byte[len];
        System.arraycopy(b, 0, out, len - b.length, b.length);
        return out;
    }
}
