package io.teebox.amd.abi;

import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;

/**
 * The SEV-format certificate (0x824 bytes) of the PDH, PEK, OCA and CEK keys. EC public keys are a curve id and
 * Qx, Qy as 72-byte little-endian integers in a 0x404 field; ECDSA signatures are R and S as 72-byte little-endian
 * integers in a 0x200 field, over SHA-256 of bytes 0x000..0x413 (version through public key).
 */
public final class SevCertificate {

    /** Certificate size. */
    public static final int SIZE = 0x824;
    /** Bytes covered by the signatures. */
    public static final int SIGNED = 0x414;
    /** Public key usage: OCA. */
    public static final int USAGE_OCA = 0x1001;
    /** Public key usage: PEK. */
    public static final int USAGE_PEK = 0x1002;
    /** Public key usage: PDH. */
    public static final int USAGE_PDH = 0x1003;
    /** Public key usage: CEK. */
    public static final int USAGE_CEK = 0x1004;
    /** Usage of an empty signature slot. */
    public static final int USAGE_INVALID = 0x1000;
    /** Algorithm: ECDSA with SHA-256. */
    public static final int ALGO_ECDSA_SHA256 = 0x2;
    /** Algorithm: ECDH with SHA-256. */
    public static final int ALGO_ECDH_SHA256 = 0x3;
    /** Curve id of P-384. */
    public static final int CURVE_P384 = 2;
    /** Curve id of P-256. */
    public static final int CURVE_P256 = 1;
    private static final int INT = 72;

    /** The named-offset layout. */
    public static final Layout LAYOUT = Layout.define("SEV_CERT", SIZE)
            .u32("VERSION", 0x000).u8("API_MAJOR", 0x004).u8("API_MINOR", 0x005).reserved(0x006, 2)
            .u32("PUB_KEY_USAGE", 0x008).u32("PUB_KEY_ALGO", 0x00C).bytes("PUB_KEY", 0x010, 0x404)
            .u32("SIG1_USAGE", 0x414).u32("SIG1_ALGO", 0x418).bytes("SIG1", 0x41C, 0x200)
            .u32("SIG2_USAGE", 0x61C).u32("SIG2_ALGO", 0x620).bytes("SIG2", 0x624, 0x200)
            .build();

    private final Struct struct;

    private SevCertificate(Struct struct) {
        this.struct = struct;
    }

    /**
     * @param bytes 0x824 bytes
     * @return the certificate
     * @throws io.teebox.api.tee.TeeException INVALID_CERTIFICATE naming what is malformed
     */
    public static SevCertificate parse(byte[] bytes) {
        try {
            SevCertificate c = new SevCertificate(LAYOUT.parse(bytes));
            if (c.struct.u32("VERSION") != 1) {
                throw SevStatus.INVALID_CERTIFICATE.error("SEV certificate version is " + c.struct.u32("VERSION")
                        + ", expected 1");
            }
            c.publicKey();
            return c;
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_CERTIFICATE.error(e.getMessage());
        }
    }

    /**
     * Creates an unsigned certificate for an EC key.
     *
     * @param usage public key usage (all 32 bits: the u32 field as {@link #usage()} returns it)
     * @param algo public key algorithm
     * @param key a P-256 or P-384 public key
     * @param apiMajor firmware API major
     * @param apiMinor firmware API minor
     * @return the certificate with both signature slots empty
     */
    public static SevCertificate create(int usage, int algo, PublicKey key, int apiMajor, int apiMinor) {
        Struct s = LAYOUT.create().set("VERSION", 1).set("API_MAJOR", apiMajor).set("API_MINOR", apiMinor)
                .set("PUB_KEY_USAGE", Integer.toUnsignedLong(usage))
                .set("PUB_KEY_ALGO", Integer.toUnsignedLong(algo))
                .set("SIG1_USAGE", USAGE_INVALID).set("SIG2_USAGE", USAGE_INVALID);
        byte[] pub = new byte[0x404];
        String curve = EcKeys.curveOf(key);
        int id = "P-384".equals(curve) ? CURVE_P384 : CURVE_P256;
        pub[0] = (byte) id;
        BigInteger[] q = EcKeys.publicPoint(key);
        System.arraycopy(le(q[0]), 0, pub, 4, INT);
        System.arraycopy(le(q[1]), 0, pub, 4 + INT, INT);
        s.set("PUB_KEY", pub);
        return new SevCertificate(s);
    }

    /** @return a 72-byte little-endian encoding of a non-negative integer */
    public static byte[] le(BigInteger v) {
        byte[] be = v.toByteArray();
        byte[] out = new byte[INT];
        for (int i = 0; i < be.length && i < INT; i++) {
            out[i] = be[be.length - 1 - i];
        }
        return out;
    }

    /** @return the integer in a little-endian field */
    public static BigInteger fromLe(byte[] field, int off, int len) {
        byte[] be = new byte[len + 1];
        for (int i = 0; i < len; i++) {
            be[len - i] = field[off + i];
        }
        return new BigInteger(be);
    }

    /** @return the public key usage, the u32 field's 32 bits (values of 2^31 and above come back negative) */
    public int usage() {
        return (int) struct.u32("PUB_KEY_USAGE");
    }

    /** @return the public key algorithm, the u32 field's 32 bits */
    public int algorithm() {
        return (int) struct.u32("PUB_KEY_ALGO");
    }

    /** @return the firmware API version the certificate was made with, as {major, minor} */
    public int[] apiVersion() {
        return new int[] {struct.u8("API_MAJOR"), struct.u8("API_MINOR")};
    }

    /** @return the EC public key */
    public PublicKey publicKey() {
        byte[] pub = struct.bytes("PUB_KEY");
        long curve = pub[0] & 0xFF | (pub[1] & 0xFF) << 8;
        String name = curve == CURVE_P384 ? "P-384" : curve == CURVE_P256 ? "P-256" : null;
        if (name == null) {
            throw new IllegalArgumentException("SEV certificate curve id is " + curve + ", expected 1 (P-256) or 2 "
                    + "(P-384)");
        }
        return EcKeys.publicKey(name, fromLe(pub, 4, INT), fromLe(pub, 4 + INT, INT));
    }

    /**
     * Signs the certificate into a signature slot.
     *
     * @param slot 1 or 2
     * @param signerUsage the signing key's usage
     * @param signer the signing key
     * @return this certificate
     */
    public SevCertificate sign(int slot, int signerUsage, PrivateKey signer) {
        // Deterministic (RFC 6979): the firmware issues its certificates once and keeps them, so the same chip
        // gives the same certificate bytes after every restart.
        BigInteger[] rs = Signatures.ecdsaSignDeterministic(signer, "SHA-256", signedBytes());
        byte[] sig = new byte[0x200];
        System.arraycopy(le(rs[0]), 0, sig, 0, INT);
        System.arraycopy(le(rs[1]), 0, sig, INT, INT);
        struct.set("SIG" + slot + "_USAGE", Integer.toUnsignedLong(signerUsage))
                .set("SIG" + slot + "_ALGO", ALGO_ECDSA_SHA256)
                .set("SIG" + slot, sig);
        return this;
    }

    /**
     * @param signer a certificate whose key should have signed this one
     * @return true if one of the two signature slots holds a valid signature by it with its usage
     */
    public boolean signedBy(SevCertificate signer) {
        for (int slot = 1; slot <= 2; slot++) {
            if (struct.u32("SIG" + slot + "_USAGE") != Integer.toUnsignedLong(signer.usage())
                    || struct.u32("SIG" + slot + "_ALGO") != ALGO_ECDSA_SHA256) {
                continue;
            }
            byte[] sig = struct.bytes("SIG" + slot);
            if (Signatures.ecdsaVerify(signer.publicKey(), "SHA-256", signedBytes(), fromLe(sig, 0, INT),
                    fromLe(sig, INT, INT))) {
                return true;
            }
        }
        return false;
    }

    private byte[] signedBytes() {
        return Arrays.copyOf(struct.toBytes(), SIGNED);
    }

    /** @return the 0x824 bytes */
    public byte[] bytes() {
        return struct.toBytes();
    }
}
