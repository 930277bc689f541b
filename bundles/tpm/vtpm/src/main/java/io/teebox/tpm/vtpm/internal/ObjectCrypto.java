package io.teebox.tpm.vtpm.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.util.Arrays;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Hmac;
import io.teebox.kit.crypto.Kdf;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.tpm.abi.Tpm2bDigest;
import io.teebox.tpm.abi.Tpm2bPrivate;
import io.teebox.tpm.abi.Tpm2bSensitiveCreate;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmEccCurve;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmWriter;
import io.teebox.tpm.abi.TpmsEccParms;
import io.teebox.tpm.abi.TpmsEccPoint;
import io.teebox.tpm.abi.TpmsKeyedHashParms;
import io.teebox.tpm.abi.TpmsRsaParms;
import io.teebox.tpm.abi.TpmtAsymScheme;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSignature;

/** Key generation from templates, the wrapping of sensitive areas under a parent, and signing. */
final class ObjectCrypto {

    private ObjectCrypto() {
    }

    /**
     * Makes an object from a template. All randomness comes from {@code entropy}, so a primary key made from a
     * hierarchy seed and its template is the same every time.
     */
    static TpmObject create(TpmtPublic template, Tpm2bSensitiveCreate sens, byte[] entropy, int hierarchy,
            byte[] parentQualifiedName) {
        checkAttributes(template, sens);
        TpmAlgId nameAlg = template.nameAlg();
        byte[] keySeed = Kdf.counterHmacSha256(entropy, "teebox-key".getBytes(), new byte[0], 32);
        byte[] seedValue = template.has(TpmtPublic.RESTRICTED) && template.has(TpmtPublic.DECRYPT)
                || template.type() == TpmAlgId.KEYEDHASH
                ? Kdf.counterHmacSha256(entropy, "teebox-seed".getBytes(), new byte[0], nameAlg.digestSize())
                : new byte[0];
        if (template.parameters() instanceof TpmsRsaParms rsa) {
            if (rsa.keyBits() != 2048 && rsa.keyBits() != 3072 && rsa.keyBits() != 4096) {
                throw new TpmException(TpmRc.KEY_SIZE, TpmRc.KEY_SIZE.withParameter(2), "TPMS_RSA_PARMS.keyBits is "
                        + rsa.keyBits() + ", expected 2048, 3072 or 4096");
            }
            if (rsa.exponent() != 0 && rsa.exponent() != 65537) {
                throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(2), "TPMS_RSA_PARMS.exponent is "
                        + Integer.toUnsignedString(rsa.exponent()) + ", expected 0 or 65537");
            }
            KeyPair kp = RsaKeys.fromSeed(rsa.keyBits(), keySeed);
            RSAPrivateCrtKey crt = (RSAPrivateCrtKey) kp.getPrivate();
            TpmtPublic pub = template.withUnique(TpmtPublic.uniqueOf(kp.getPublic(), rsa.keyBits() / 8));
            byte[] p = TpmtPublic.unsigned(crt.getPrimeP(), rsa.keyBits() / 16);
            return new TpmObject(pub, sens.userAuth(), seedValue, p, kp.getPrivate(), hierarchy, parentQualifiedName);
        }
        if (template.parameters() instanceof TpmsEccParms ecc) {
            TpmEccCurve c = ecc.curveID();
            if (c != TpmEccCurve.NIST_P256 && c != TpmEccCurve.NIST_P384) {
                throw new TpmException(TpmRc.CURVE, TpmRc.CURVE.withParameter(2), "TPMS_ECC_PARMS.curveID is "
                        + c.name() + ", expected NIST_P256 or NIST_P384");
            }
            KeyPair kp = EcKeys.fromSeed(c.jcaName(), keySeed);
            TpmtPublic pub = template.withUnique(TpmtPublic.uniqueOf(kp.getPublic(), c.keyBytes()));
            byte[] d = TpmtPublic.unsigned(((ECPrivateKey) kp.getPrivate()).getS(), c.keyBytes());
            return new TpmObject(pub, sens.userAuth(), seedValue, d, kp.getPrivate(), hierarchy, parentQualifiedName);
        }
        TpmsKeyedHashParms kh = (TpmsKeyedHashParms) template.parameters();
        byte[] data = sens.data();
        if (kh.scheme() != TpmAlgId.NULL && data.length == 0) {
            data = Kdf.counterHmacSha256(entropy, "teebox-hmac".getBytes(), new byte[0], kh.hashAlg().digestSize());
        }
        TpmtPublic pub = template.withUnique(new Tpm2bDigest(nameAlg.hash(seedValue, data)));
        return new TpmObject(pub, sens.userAuth(), seedValue, data, null, hierarchy, parentQualifiedName);
    }

    private static void checkAttributes(TpmtPublic t, Tpm2bSensitiveCreate sens) {
        boolean sign = t.has(TpmtPublic.SIGN);
        boolean decrypt = t.has(TpmtPublic.DECRYPT);
        boolean restricted = t.has(TpmtPublic.RESTRICTED);
        if (restricted && sign && decrypt) {
            throw attributes(t, "restricted, sign and decrypt are all set");
        }
        if (t.type() == TpmAlgId.KEYEDHASH) {
            TpmsKeyedHashParms kh = (TpmsKeyedHashParms) t.parameters();
            if (kh.scheme() == TpmAlgId.NULL && (sign || decrypt)) {
                throw attributes(t, "a sealed data object has sign or decrypt");
            }
            if (sens.data().length > 0 && t.has(TpmtPublic.SENSITIVE_DATA_ORIGIN)) {
                throw attributes(t, "sensitiveDataOrigin is set and data is supplied");
            }
            if (kh.scheme() == TpmAlgId.NULL && sens.data().length == 0 && !t.has(TpmtPublic.SENSITIVE_DATA_ORIGIN)) {
                throw attributes(t, "a sealed data object has no data");
            }
        } else if (sens.data().length > 0) {
            throw new TpmException(TpmRc.SIZE, TpmRc.SIZE.withParameter(1),
                    "TPMS_SENSITIVE_CREATE.data is set for an asymmetric key, expected empty");
        }
        if (restricted && decrypt && t.type() != TpmAlgId.KEYEDHASH) {
            var sym = t.parameters() instanceof TpmsRsaParms r ? r.symmetric() : ((TpmsEccParms) t.parameters())
                    .symmetric();
            if (sym.algorithm() == TpmAlgId.NULL) {
                throw new TpmException(TpmRc.SYMMETRIC, TpmRc.SYMMETRIC.withParameter(2),
                        "a restricted decryption key has symmetric TPM_ALG_NULL, expected a block cipher");
            }
        }
    }

    private static TpmException attributes(TpmtPublic t, String what) {
        return new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withParameter(2), String.format(
                "TPMA_OBJECT 0x%08x is inconsistent: %s", t.objectAttributes(), what));
    }

    /** TPMT_SENSITIVE: sensitiveType, authValue, seedValue, sensitive. */
    static byte[] marshalSensitive(TpmObject o) {
        return new TpmWriter().u16(o.publicArea.type().value()).tpm2b(o.authValue).tpm2b(o.seedValue)
                .tpm2b(o.sensitive).toByteArray();
    }

    /** Rebuilds an object from its public area and TPMT_SENSITIVE. */
    static TpmObject fromSensitive(TpmtPublic pub, byte[] sensitiveArea, int hierarchy, byte[] parentQualifiedName) {
        TpmReader r = new TpmReader(sensitiveArea);
        int type = r.u16("TPMT_SENSITIVE.sensitiveType");
        if (type != pub.type().value()) {
            throw new TpmException(TpmRc.TYPE, String.format("TPMT_SENSITIVE.sensitiveType is 0x%04x, expected 0x%04x",
                    type, pub.type().value()));
        }
        byte[] auth = r.tpm2b(64, "TPMT_SENSITIVE.authValue");
        byte[] seed = r.tpm2b(64, "TPMT_SENSITIVE.seedValue");
        byte[] sens = r.tpm2b(1024, "TPMT_SENSITIVE.sensitive");
        r.end("TPMT_SENSITIVE");
        PrivateKey priv = null;
        try {
            if (pub.parameters() instanceof TpmsRsaParms) {
                RSAPublicKey rp = (RSAPublicKey) pub.publicKey();
                BigInteger n = rp.getModulus();
                BigInteger e = rp.getPublicExponent();
                BigInteger p = new BigInteger(1, sens);
                BigInteger[] qr = n.divideAndRemainder(p);
                if (p.signum() == 0 || qr[1].signum() != 0) {
                    throw new TpmException(TpmRc.BINDING, "the RSA prime does not divide the public modulus");
                }
                BigInteger q = qr[0];
                BigInteger phi = p.subtract(BigInteger.ONE).multiply(q.subtract(BigInteger.ONE));
                BigInteger d = e.modInverse(phi);
                priv = KeyFactory.getInstance("RSA").generatePrivate(new RSAPrivateCrtKeySpec(n, e, d, p, q,
                        d.mod(p.subtract(BigInteger.ONE)), d.mod(q.subtract(BigInteger.ONE)), q.modInverse(p)));
            } else if (pub.parameters() instanceof TpmsEccParms ecc) {
                KeyPair kp = EcKeys.fromPrivate(ecc.curveID().jcaName(), new BigInteger(1, sens));
                TpmsEccPoint pt = (TpmsEccPoint) TpmtPublic.uniqueOf(kp.getPublic(), ecc.curveID().keyBytes());
                if (!Arrays.equals(pt.x(), ((TpmsEccPoint) pub.unique()).x())
                        || !Arrays.equals(pt.y(), ((TpmsEccPoint) pub.unique()).y())) {
                    throw new TpmException(TpmRc.BINDING, "the ECC private key does not match the public point");
                }
                priv = kp.getPrivate();
            } else {
                byte[] unique = ((Tpm2bDigest) pub.unique()).buffer();
                if (!MessageDigest.isEqual(unique, pub.nameAlg().hash(seed, sens))) {
                    throw new TpmException(TpmRc.BINDING, "the keyed-hash unique is not H(seedValue || data)");
                }
            }
        } catch (GeneralSecurityException | ArithmeticException e) {
            throw new TpmException(TpmRc.BINDING, "the sensitive area does not match the public area");
        }
        return new TpmObject(pub, auth, seed, sens, priv, hierarchy, parentQualifiedName);
    }

    /**
     * TPM2B_PRIVATE of this TPM: integrity (TPM2B_DIGEST, HMAC-SHA256 over the encrypted part and the Name) and
     * TPMT_SENSITIVE in AES-128-CFB, keyed from the parent's seedValue and the object's Name.
     */
    static Tpm2bPrivate wrap(TpmObject parent, TpmObject child) {
        byte[] name = child.name.name();
        byte[] enc = cfb(Cipher.ENCRYPT_MODE, parent.seedValue, name,
                new TpmWriter().tpm2b(marshalSensitive(child)).toByteArray());
        byte[] integrity = Hmac.sha256(integrityKey(parent.seedValue), enc, name);
        return new Tpm2bPrivate(new TpmWriter().tpm2b(integrity).bytes(enc).toByteArray());
    }

    static TpmObject unwrap(TpmObject parent, TpmtPublic pub, Tpm2bPrivate priv) {
        byte[] name = pub.name().name();
        TpmReader r = new TpmReader(priv.buffer());
        byte[] integrity = r.tpm2b(32, "TPM2B_PRIVATE.integrity");
        byte[] enc = r.bytes(r.remaining(), "TPM2B_PRIVATE.sensitive");
        if (!MessageDigest.isEqual(integrity, Hmac.sha256(integrityKey(parent.seedValue), enc, name))) {
            throw new TpmException(TpmRc.INTEGRITY, TpmRc.INTEGRITY.withParameter(1),
                    "TPM2B_PRIVATE integrity does not match its parent and public area");
        }
        TpmReader s = new TpmReader(cfb(Cipher.DECRYPT_MODE, parent.seedValue, name, enc));
        byte[] sens = s.tpm2b(2048, "TPM2B_SENSITIVE");
        return fromSensitive(pub, sens, parent.hierarchy, parent.qualifiedName);
    }

    private static byte[] integrityKey(byte[] seed) {
        return Kdf.counterHmacSha256(seed, "INTEGRITY".getBytes(), new byte[0], 32);
    }

    static byte[] cfb(int mode, byte[] seed, byte[] context, byte[] data) {
        byte[] k = Kdf.counterHmacSha256(seed, "STORAGE".getBytes(), context, 16);
        try {
            Cipher c = Cipher.getInstance("AES/CFB/NoPadding");
            c.init(mode, new SecretKeySpec(k, "AES"), new IvParameterSpec(new byte[16]));
            return c.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CFB is not available", e);
        }
    }

    /** Signs a message as TPM2_Quote and TPM2_Sign do: the scheme's hash over the message. */
    static TpmtSignature sign(TpmObject key, TpmAlgId scheme, TpmAlgId hash, byte[] message) {
        try {
            if (scheme == TpmAlgId.ECDSA) {
                Signature s = Signature.getInstance(TpmtSignature.jcaAlgorithm(scheme, hash));
                s.initSign(key.privateKey);
                s.update(message);
                BigInteger[] rs = Signatures.fromDer(s.sign());
                int len = ((TpmsEccParms) key.publicArea.parameters()).curveID().keyBytes();
                return TpmtSignature.ecdsa(hash, TpmtPublic.unsigned(rs[0], len), TpmtPublic.unsigned(rs[1], len));
            }
            Signature s = Signature.getInstance(TpmtSignature.jcaAlgorithm(scheme, hash));
            if (scheme == TpmAlgId.RSAPSS) {
                s.setParameter(TpmtSignature.pssParameters(hash));
            }
            s.initSign(key.privateKey);
            s.update(message);
            return TpmtSignature.rsa(scheme, hash, s.sign());
        } catch (GeneralSecurityException e) {
            throw new TpmException(TpmRc.SCHEME, "the key cannot sign with TPM_ALG_" + scheme.name() + " and TPM_ALG_"
                    + hash.name());
        }
    }

    /** Decrypts as TPM2_RSA_Decrypt does: OAEP with the scheme's hash for the digest and MGF1, or PKCS#1 v1.5. */
    static byte[] rsaDecrypt(TpmObject key, TpmtAsymScheme scheme, byte[] label, byte[] cipherText) {
        try {
            Cipher c;
            if (scheme.scheme() == TpmAlgId.OAEP) {
                String h = scheme.hashAlg().jcaName();
                c = Cipher.getInstance("RSA/ECB/OAEPPadding");
                c.init(Cipher.DECRYPT_MODE, key.privateKey, new javax.crypto.spec.OAEPParameterSpec(h, "MGF1",
                        new java.security.spec.MGF1ParameterSpec(h), new javax.crypto.spec.PSource.PSpecified(
                                label)));
            } else {
                c = Cipher.getInstance("RSA/ECB/PKCS1Padding");
                c.init(Cipher.DECRYPT_MODE, key.privateKey);
            }
            return c.doFinal(cipherText);
        } catch (GeneralSecurityException e) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1), "cipherText does not decrypt with the "
                    + "key under TPM_ALG_" + scheme.scheme().name() + ": the padding is wrong");
        }
    }
}
