package org.example.cca.token;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A COSE_Sign1 (RFC 9052 section 4.2), tag 18: [protected bstr, unprotected map, payload bstr, signature bstr].
 * The signature is r||s (RFC 9053 section 2.1). Immutable; accessors return copies.
 */
public final class CoseSign1 {
    /** COSE algorithm ids this package signs and verifies (RFC 9053). */
    public static final int ES256 = -7;
    public static final int ES384 = -35;
    public static final int ES512 = -36;

    private final byte[] protectedHeader;
    private final Map<Object, Object> unprotectedHeader;
    private final byte[] payload;
    private final byte[] signature;
    private final int alg;

    CoseSign1(byte[] protectedHeader, Map<Object, Object> unprotectedHeader, byte[] payload, byte[] signature,
              int alg) {
        this.protectedHeader = protectedHeader.clone();
        this.unprotectedHeader = Collections.unmodifiableMap(new LinkedHashMap<>(unprotectedHeader));
        this.payload = payload.clone();
        this.signature = signature.clone();
        this.alg = alg;
    }

    /** Parses a tagged COSE_Sign1; {@code what} names it in errors ("platform token", "realm token"). */
    public static CoseSign1 parse(byte[] bytes, String what) {
        if (bytes == null) {
            throw new CcaTokenException(what + ": null");
        }
        try (CborIn in = new CborIn(bytes, what)) {
            in.startTaggedArray("COSE_Sign1", 18);
            byte[] prot = in.bstr("protected header");
            Object unprot = in.value("unprotected header");
            if (!(unprot instanceof Map)) {
                throw in.err("unprotected header", "expected a map");
            }
            byte[] payload = in.bstr("payload");
            byte[] sig = in.bstr("signature");
            in.endArray("COSE_Sign1");
            in.end("COSE_Sign1");
            @SuppressWarnings("unchecked")
            Map<Object, Object> u = (Map<Object, Object>) unprot;
            return new CoseSign1(prot, u, payload, sig, algOf(prot, what));
        }
    }

    private static int algOf(byte[] prot, String what) {
        if (prot.length == 0) {
            throw new CcaTokenException(what + " protected header: empty, no alg (1)");
        }
        Long alg = null;
        try (CborIn in = new CborIn(prot, what)) {
            in.startMap("protected header");
            for (Long k = in.key("protected header"); k != null; k = in.key("protected header")) {
                if (k == 1) {
                    if (alg != null) {
                        throw in.err("protected header", "duplicate key 1 (alg)");
                    }
                    alg = in.integer("protected header alg (1)");
                } else {
                    in.skipValue("protected header key " + k);
                }
            }
            in.end("protected header");
        }
        if (alg == null) {
            throw new CcaTokenException(what + " protected header: no alg (1)");
        }
        if (alg < Integer.MIN_VALUE || alg > Integer.MAX_VALUE) {
            throw new CcaTokenException(what + " protected header alg (1): out of range: " + alg);
        }
        return (int) (long) alg;
    }

    /** The COSE algorithm id from the protected header (key 1). */
    public int alg() {
        return alg;
    }

    /** The serialized protected header map (the bstr's content). */
    public byte[] protectedHeader() {
        return protectedHeader.clone();
    }

    /** The unprotected header as generic values (Long, byte[], String, Boolean, List, Map). */
    public Map<Object, Object> unprotectedHeader() {
        return unprotectedHeader;
    }

    public byte[] payload() {
        return payload.clone();
    }

    public byte[] signature() {
        return signature.clone();
    }

    /** The deterministic encoding: tag 18 and the four fields as definite-length items. */
    public byte[] encode() {
        try (CborOut out = new CborOut()) {
            out.tag(18).array(4).bstr(protectedHeader).value(unprotectedHeader).bstr(payload).bstr(signature)
                    .endArray();
            return out.toBytes();
        }
    }

    /** Sig_structure = ["Signature1", protected, external_aad = h'', payload] (RFC 9052 section 4.4). */
    public byte[] toBeSigned() {
        return toBeSigned(protectedHeader, payload);
    }

    static byte[] toBeSigned(byte[] protectedHeader, byte[] payload) {
        try (CborOut out = new CborOut()) {
            out.array(4).tstr("Signature1").bstr(protectedHeader).bstr(new byte[0]).bstr(payload).endArray();
            return out.toBytes();
        }
    }

    /** The serialized protected header {1: alg}. */
    static byte[] protectedHeaderFor(int alg) {
        try (CborOut out = new CborOut()) {
            out.map(1).key(1).integer(alg).endMap();
            return out.toBytes();
        }
    }

    /** JDK signature algorithm and the expected curve size in bits for a COSE alg, or null if unsupported. */
    static String jdkAlgorithm(int alg) {
        switch (alg) {
            case ES256: return "SHA256withECDSAinP1363Format";
            case ES384: return "SHA384withECDSAinP1363Format";
            case ES512: return "SHA512withECDSAinP1363Format";
            default: return null;
        }
    }

    static int curveBits(int alg) {
        switch (alg) {
            case ES256: return 256;
            case ES384: return 384;
            case ES512: return 521;
            default: return -1;
        }
    }

    static int algForCurveBits(int bits) {
        switch (bits) {
            case 256: return ES256;
            case 384: return ES384;
            case 521: return ES512;
            default: throw new CcaTokenException("signing key: unsupported EC curve size " + bits
                    + " (want P-256, P-384 or P-521)");
        }
    }
}
