package org.example.cca.token;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * EC key encodings used by the CCA token: the RAK claim (44237) as a raw uncompressed point (legacy token) or as a
 * CBOR COSE_Key {1: 2 (EC2), -1: crv, -2: x, -3: y} (current TF-RMM, t_cose_key_encode order), and PEM SPKI for
 * the CPAK. Only the JDK (SunEC) is used.
 */
public final class CcaKeys {
    private CcaKeys() {
    }

    /** The raw uncompressed point 0x04 || X || Y of an EC public key (coordinates left-padded to the field size). */
    public static byte[] rawPoint(ECPublicKey key) {
        int n = fieldBytes(key);
        byte[] out = new byte[1 + 2 * n];
        out[0] = 0x04;
        put(key.getW().getAffineX(), out, 1, n);
        put(key.getW().getAffineY(), out, 1 + n, n);
        return out;
    }

    /** The COSE_Key encoding {1: 2, -1: crv, -2: x, -3: y} (RFC 9053 section 7.1), as TF-RMM's t_cose emits it. */
    public static byte[] coseKey(ECPublicKey key) {
        int n = fieldBytes(key);
        int crv = n == 32 ? 1 : n == 48 ? 2 : n == 66 ? 3 : -1;
        if (crv < 0) {
            throw new CcaTokenException("RAK: unsupported EC curve (want P-256, P-384 or P-521)");
        }
        byte[] x = new byte[n];
        byte[] y = new byte[n];
        put(key.getW().getAffineX(), x, 0, n);
        put(key.getW().getAffineY(), y, 0, n);
        try (CborOut out = new CborOut()) {
            out.map(4).key(1).integer(2).key(-1).integer(crv).key(-2).bstr(x).key(-3).bstr(y).endMap();
            return out.toBytes();
        }
    }

    /**
     * Decodes the RAK claim: a raw uncompressed point (65, 97 or 133 bytes starting 0x04) or a COSE_Key map.
     *
     * @throws CcaTokenException naming claim 44237 if it is neither
     */
    public static ECPublicKey decodeRak(byte[] claim) {
        String f = "realm claim 44237 (RAK public key)";
        if (claim == null || claim.length == 0) {
            throw new CcaTokenException(f + ": empty");
        }
        if (claim[0] == 0x04) {
            int n = (claim.length - 1) / 2;
            if ((claim.length - 1) % 2 != 0 || (n != 32 && n != 48 && n != 66)) {
                throw new CcaTokenException(f + ": raw point of " + claim.length
                        + " bytes (want 65, 97 or 133)");
            }
            return ecKey(n, Arrays.copyOfRange(claim, 1, 1 + n), Arrays.copyOfRange(claim, 1 + n, 1 + 2 * n), f);
        }
        if ((claim[0] & 0xff) >> 5 != 5) {
            throw new CcaTokenException(f + ": neither a raw EC point (0x04...) nor a COSE_Key map");
        }
        Long kty = null;
        Long crv = null;
        byte[] x = null;
        byte[] y = null;
        try (CborIn in = new CborIn(claim, f)) {
            in.startMap("COSE_Key");
            for (Long k = in.key("COSE_Key"); k != null; k = in.key("COSE_Key")) {
                if (k == 1 && kty == null) {
                    kty = in.integer("COSE_Key kty (1)");
                } else if (k == -1 && crv == null) {
                    crv = in.integer("COSE_Key crv (-1)");
                } else if (k == -2 && x == null) {
                    x = in.bstr("COSE_Key x (-2)");
                } else if (k == -3 && y == null) {
                    y = in.bstr("COSE_Key y (-3)");
                } else if (k == 1 || k == -1 || k == -2 || k == -3) {
                    throw in.err("COSE_Key", "duplicate key " + k);
                } else {
                    in.skipValue("COSE_Key key " + k);
                }
            }
            in.end("COSE_Key");
        }
        if (kty == null || kty != 2) {
            throw new CcaTokenException(f + ": COSE_Key kty (1) must be 2 (EC2), got " + kty);
        }
        if (crv == null || crv < 1 || crv > 3) {
            throw new CcaTokenException(f + ": COSE_Key crv (-1) must be 1, 2 or 3 (P-256/384/521), got " + crv);
        }
        int n = crv == 1 ? 32 : crv == 2 ? 48 : 66;
        if (x == null || x.length != n || y == null || y.length != n) {
            throw new CcaTokenException(f + ": COSE_Key x (-2) and y (-3) must be " + n + " bytes each"
                    + " (y as a bstr; compressed points are not supported)");
        }
        return ecKey(n, x, y, f);
    }

    private static ECPublicKey ecKey(int n, byte[] x, byte[] y, String f) {
        String curve = n == 32 ? "secp256r1" : n == 48 ? "secp384r1" : "secp521r1";
        try {
            AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
            params.init(new ECGenParameterSpec(curve));
            ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
            ECPoint w = new ECPoint(new BigInteger(1, x), new BigInteger(1, y));
            return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CcaTokenException(f + ": not a valid " + curve + " point: " + CborIn.oneLine(e));
        }
    }

    /** Reads a PEM "PUBLIC KEY" (SubjectPublicKeyInfo) EC key, e.g. the published CPAK. */
    public static PublicKey publicKeyFromPem(String pem) {
        if (pem == null) {
            throw new CcaTokenException("PEM public key: null");
        }
        int b = pem.indexOf("-----BEGIN PUBLIC KEY-----");
        int e = pem.indexOf("-----END PUBLIC KEY-----");
        if (b < 0 || e < b) {
            throw new CcaTokenException("PEM public key: no BEGIN/END PUBLIC KEY block");
        }
        String body = pem.substring(b + "-----BEGIN PUBLIC KEY-----".length(), e).replaceAll("\\s", "");
        try {
            return KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(body)));
        } catch (GeneralSecurityException | IllegalArgumentException ex) {
            throw new CcaTokenException("PEM public key: not an EC SubjectPublicKeyInfo: " + CborIn.oneLine(ex));
        }
    }

    public static PublicKey publicKeyFromPem(byte[] pem) {
        return publicKeyFromPem(pem == null ? null : new String(pem, StandardCharsets.US_ASCII));
    }

    /** The JDK name for a CCA/IANA hash algorithm text id ("sha-256", "sha-384", "sha-512"), or null. */
    public static String jdkHash(String ianaName) {
        if (ianaName == null) {
            return null;
        }
        switch (ianaName) {
            case "sha-256": return "SHA-256";
            case "sha-384": return "SHA-384";
            case "sha-512": return "SHA-512";
            default: return null;
        }
    }

    /** hash(RAK claim bytes) with the given IANA hash name: what the platform challenge must equal. */
    public static byte[] rakHash(byte[] rakClaim, String ianaHashName) {
        String jdk = jdkHash(ianaHashName);
        if (jdk == null) {
            throw new CcaTokenException("realm claim 44240 (RAK hash algorithm id): unsupported \"" + ianaHashName
                    + "\" (want sha-256, sha-384 or sha-512)");
        }
        try {
            return MessageDigest.getInstance(jdk).digest(rakClaim);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(jdk + " missing from the JDK", e);
        }
    }

    static int fieldBytes(ECPublicKey key) {
        return (key.getParams().getCurve().getField().getFieldSize() + 7) / 8;
    }

    private static void put(BigInteger v, byte[] out, int off, int n) {
        byte[] b = v.toByteArray();
        int start = b.length > n ? b.length - n : 0;
        int len = b.length - start;
        System.arraycopy(b, start, out, off + n - len, len);
    }
}
