package org.example.cca.token;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A parsed CCA attestation token. Placeholder (see package-info). */
public final class CcaToken {

    /** The CBOR tag of the collection. */
    public static final long TAG_COLLECTION = 399;
    /** The collection's key of the platform token. */
    public static final long KEY_PLATFORM = 44234;
    /** The collection's key of the realm token. */
    public static final long KEY_REALM = 44241;
    static final long TAG_SIGN1 = 18;
    /** ES384's COSE algorithm id. */
    static final long ES384 = -35;

    /**
     * One COSE_Sign1.
     *
     * @param raw the tagged COSE_Sign1 bytes
     * @param protectedHeader the protected header bytes
     * @param payload the payload bytes
     * @param signature the signature (r || s)
     */
    public record Sign1(byte[] raw, byte[] protectedHeader, byte[] payload, byte[] signature) {
    }

    private final Sign1 platform;
    private final Sign1 realm;
    private final PlatformClaims platformClaims;
    private final RealmClaims realmClaims;

    private CcaToken(Sign1 platform, Sign1 realm, PlatformClaims pc, RealmClaims rc) {
        this.platform = platform;
        this.realm = realm;
        this.platformClaims = pc;
        this.realmClaims = rc;
    }

    /** @return the platform token */
    public Sign1 platform() {
        return platform;
    }

    /** @return the realm token */
    public Sign1 realm() {
        return realm;
    }

    /** @return the platform claims */
    public PlatformClaims platformClaims() {
        return platformClaims;
    }

    /** @return the realm claims */
    public RealmClaims realmClaims() {
        return realmClaims;
    }

    /**
     * @param tokenBytes the tag-399 collection
     * @return the token
     * @throws CcaTokenException naming the malformed field
     */
    public static CcaToken parse(byte[] tokenBytes) {
        Object root = Cbor.decode(tokenBytes, "token");
        if (!(root instanceof Cbor.Tagged t) || t.tag() != TAG_COLLECTION) {
            throw new CcaTokenException("token: not a CBOR tag 399 collection");
        }
        Map<Long, Object> m = map(t.value(), "collection");
        if (m.size() != 2) {
            throw new CcaTokenException("collection: " + m.size() + " entries, expected the platform and realm tokens");
        }
        Sign1 p = sign1(bytes(m, KEY_PLATFORM, "collection"), "platform token");
        Sign1 r = sign1(bytes(m, KEY_REALM, "collection"), "realm token");
        return new CcaToken(p, r, platformClaims(map(Cbor.decode(p.payload(), "platform claims"), "platform claims")),
                realmClaims(map(Cbor.decode(r.payload(), "realm claims"), "realm claims")));
    }

    private static Sign1 sign1(byte[] raw, String what) {
        Object o = Cbor.decode(raw, what);
        if (!(o instanceof Cbor.Tagged t) || t.tag() != TAG_SIGN1 || !(t.value() instanceof List<?> l)
                || l.size() != 4) {
            throw new CcaTokenException(what + ": not a tagged COSE_Sign1 of four items");
        }
        if (!(l.get(0) instanceof byte[] prot) || !(l.get(1) instanceof Map<?, ?> unprot) || !unprot.isEmpty()
                || !(l.get(2) instanceof byte[] payload) || !(l.get(3) instanceof byte[] sig)) {
            throw new CcaTokenException(what + ": COSE_Sign1 needs a protected bstr, an empty unprotected map, a "
                    + "payload and a signature");
        }
        Map<Long, Object> h = map(Cbor.decode(prot, what + " protected header"), what + " protected header");
        if (h.size() != 1 || !Long.valueOf(ES384).equals(h.get(1L))) {
            throw new CcaTokenException(what + " protected header: alg is not ES384 (-35)");
        }
        return new Sign1(raw.clone(), prot, payload, sig);
    }

    @SuppressWarnings("unchecked")
    static Map<Long, Object> map(Object o, String what) {
        if (!(o instanceof Map<?, ?>)) {
            throw new CcaTokenException(what + ": not a map");
        }
        return (Map<Long, Object>) o;
    }

    static byte[] bytes(Map<Long, Object> m, long key, String what) {
        if (!(m.get(key) instanceof byte[] b)) {
            throw new CcaTokenException(what + ": key " + key + " is missing or not a byte string");
        }
        return b;
    }

    static String text(Map<Long, Object> m, long key, String what) {
        if (!(m.get(key) instanceof String s)) {
            throw new CcaTokenException(what + ": key " + key + " is missing or not a text string");
        }
        return s;
    }

    private static RealmClaims realmClaims(Map<Long, Object> m) {
        String w = "realm claims";
        if (!(m.get(44239L) instanceof List<?> rem) || rem.size() != 4) {
            throw new CcaTokenException(w + ": key 44239 (REMs) is not an array of four");
        }
        List<byte[]> rems = new ArrayList<>();
        for (Object o : rem) {
            if (!(o instanceof byte[] b)) {
                throw new CcaTokenException(w + ": a REM is not a byte string");
            }
            rems.add(b);
        }
        if (m.size() != 8) {
            throw new CcaTokenException(w + ": " + m.size() + " claims, expected 8");
        }
        return new RealmClaims(bytes(m, 10, w), bytes(m, 44235, w), bytes(m, 44238, w), List.copyOf(rems),
                text(m, 44236, w), bytes(m, 44237, w), text(m, 44240, w), text(m, 265, w));
    }

    private static PlatformClaims platformClaims(Map<Long, Object> m) {
        String w = "platform claims";
        if (!(m.get(2395L) instanceof Long life)) {
            throw new CcaTokenException(w + ": key 2395 (lifecycle) is missing or not an integer");
        }
        if (!(m.get(2399L) instanceof List<?> sw)) {
            throw new CcaTokenException(w + ": key 2399 (sw components) is not an array");
        }
        List<PlatformClaims.SwComponent> comps = new ArrayList<>();
        for (Object o : sw) {
            Map<Long, Object> c = map(o, w + " sw component");
            comps.add(new PlatformClaims.SwComponent(text(c, 1, w), bytes(c, 2, w), text(c, 4, w), bytes(c, 5, w),
                    text(c, 6, w)));
        }
        if (m.size() != 9) {
            throw new CcaTokenException(w + ": " + m.size() + " claims, expected 9");
        }
        return new PlatformClaims(text(m, 265, w), bytes(m, 10, w), bytes(m, 2396, w), bytes(m, 256, w),
                bytes(m, 2401, w), life.intValue(), List.copyOf(comps), text(m, 2400, w), text(m, 2402, w));
    }

    static Map<Long, Object> encode(RealmClaims r) {
        Map<Long, Object> m = new LinkedHashMap<>();
        m.put(10L, r.challenge());
        m.put(44235L, r.personalizationValue());
        m.put(44238L, r.rim());
        m.put(44239L, new ArrayList<Object>(r.rems()));
        m.put(44236L, r.hashAlgorithmId());
        m.put(44237L, r.rakPublicKey());
        m.put(44240L, r.rakHashAlgorithm());
        m.put(265L, r.profile());
        return m;
    }

    static Map<Long, Object> encode(PlatformClaims p) {
        Map<Long, Object> m = new LinkedHashMap<>();
        m.put(265L, p.profile());
        m.put(10L, p.challenge());
        m.put(2396L, p.implementationId());
        m.put(256L, p.instanceId());
        m.put(2401L, p.config());
        m.put(2395L, (long) p.lifecycle());
        List<Object> sw = new ArrayList<>();
        for (PlatformClaims.SwComponent c : p.swComponents()) {
            Map<Long, Object> cm = new LinkedHashMap<>();
            cm.put(1L, c.type());
            cm.put(2L, c.measurement());
            cm.put(4L, c.version());
            cm.put(5L, c.signerId());
            cm.put(6L, c.hashAlgorithm());
            sw.add(cm);
        }
        m.put(2399L, sw);
        m.put(2400L, p.verificationService());
        m.put(2402L, p.hashAlgorithm());
        return m;
    }

    /** @return the Sig_structure bytes ("Signature1", protected, empty aad, payload) */
    static byte[] toBeSigned(byte[] protectedHeader, byte[] payload) {
        return Cbor.encode(List.of("Signature1", protectedHeader, new byte[0], payload));
    }
}
