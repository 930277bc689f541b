package org.example.cca.token;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A parsed CCA attestation token: CBOR tag 399 around {44234: platform COSE_Sign1 bstr, 44241: realm COSE_Sign1
 * bstr} (RMM specification DEN0137, "CCA attestation token"; draft-ffm-rats-cca-token). Parsing checks structure
 * and types only; signatures and the binding are checked by {@link CcaTokenVerifier}.
 */
public final class CcaToken {
    public static final int TAG_CCA_TOKEN = 399;
    public static final int KEY_PLATFORM_TOKEN = 44234;
    public static final int KEY_REALM_TOKEN = 44241;

    /** Realm claim keys (TF-RMM lib/attestation attestation_defs_priv.h). */
    public static final int REALM_CHALLENGE = 10;
    public static final int REALM_PROFILE = 265;
    public static final int REALM_PERSONALIZATION_VALUE = 44235;
    public static final int REALM_HASH_ALGO_ID = 44236;
    public static final int REALM_PUB_KEY = 44237;
    public static final int REALM_INITIAL_MEASUREMENT = 44238;
    public static final int REALM_EXTENSIBLE_MEASUREMENTS = 44239;
    public static final int REALM_PUB_KEY_HASH_ALGO_ID = 44240;

    /** Platform claim keys (PSA token, RFC 9783, as used by the CCA platform token). */
    public static final int PLATFORM_PROFILE = 265;
    public static final int PLATFORM_CHALLENGE = 10;
    public static final int PLATFORM_INSTANCE_ID = 256;
    public static final int PLATFORM_LIFECYCLE = 2395;
    public static final int PLATFORM_IMPLEMENTATION_ID = 2396;
    public static final int PLATFORM_SW_COMPONENTS = 2399;
    public static final int PLATFORM_VERIFICATION_SERVICE = 2400;
    public static final int PLATFORM_CONFIG = 2401;
    public static final int PLATFORM_HASH_ALGO_ID = 2402;

    /** Software component keys. */
    public static final int SWC_TYPE = 1;
    public static final int SWC_MEASUREMENT = 2;
    public static final int SWC_VERSION = 4;
    public static final int SWC_SIGNER_ID = 5;
    public static final int SWC_HASH_ALG_DESC = 6;

    private final byte[] encoded;
    private final CoseSign1 platform;
    private final CoseSign1 realm;
    private final PlatformClaims platformClaims;
    private final RealmClaims realmClaims;

    private CcaToken(byte[] encoded, CoseSign1 platform, CoseSign1 realm, PlatformClaims pc, RealmClaims rc) {
        this.encoded = encoded.clone();
        this.platform = platform;
        this.realm = realm;
        this.platformClaims = pc;
        this.realmClaims = rc;
    }

    /**
     * Parses a CCA attestation token.
     *
     * @throws CcaTokenException (one line naming the field) if the bytes are not a well-formed CCA token
     */
    public static CcaToken parse(byte[] tokenBytes) {
        if (tokenBytes == null) {
            throw new CcaTokenException("CCA token: null");
        }
        byte[] platformBytes = null;
        byte[] realmBytes = null;
        try (CborIn in = new CborIn(tokenBytes, "CCA token")) {
            in.startTaggedMap("collection", TAG_CCA_TOKEN);
            for (Long k = in.key("collection"); k != null; k = in.key("collection")) {
                if (k == KEY_PLATFORM_TOKEN) {
                    if (platformBytes != null) {
                        throw in.err("collection", "duplicate key 44234 (platform token)");
                    }
                    platformBytes = in.bstr("collection key 44234 (platform token)");
                } else if (k == KEY_REALM_TOKEN) {
                    if (realmBytes != null) {
                        throw in.err("collection", "duplicate key 44241 (realm token)");
                    }
                    realmBytes = in.bstr("collection key 44241 (realm token)");
                } else {
                    throw in.err("collection", "unexpected key " + k + " (want 44234 and 44241)");
                }
            }
            in.end("collection");
        }
        if (platformBytes == null) {
            throw new CcaTokenException("CCA token collection: missing key 44234 (platform token)");
        }
        if (realmBytes == null) {
            throw new CcaTokenException("CCA token collection: missing key 44241 (realm token)");
        }
        CoseSign1 platform = CoseSign1.parse(platformBytes, "platform token");
        CoseSign1 realm = CoseSign1.parse(realmBytes, "realm token");
        return new CcaToken(tokenBytes, platform, realm, parsePlatformClaims(platform.payload()),
                parseRealmClaims(realm.payload()));
    }

    /** The bytes this token was parsed from. */
    public byte[] encoded() {
        return encoded.clone();
    }

    /** The deterministic re-encoding of the collection (tag 399, platform then realm, as TF-RMM emits). */
    public byte[] encode() {
        return encodeCollection(platform.encode(), realm.encode());
    }

    static byte[] encodeCollection(byte[] platformSign1, byte[] realmSign1) {
        try (CborOut out = new CborOut()) {
            out.tag(TAG_CCA_TOKEN).map(2).key(KEY_PLATFORM_TOKEN).bstr(platformSign1)
                    .key(KEY_REALM_TOKEN).bstr(realmSign1).endMap();
            return out.toBytes();
        }
    }

    public CoseSign1 platformToken() {
        return platform;
    }

    public CoseSign1 realmToken() {
        return realm;
    }

    public PlatformClaims platformClaims() {
        return platformClaims;
    }

    public RealmClaims realmClaims() {
        return realmClaims;
    }

    // ---------------------------------------------------------------- realm claims

    /** Parses a realm token payload (the claims map). */
    public static RealmClaims parseRealmClaims(byte[] payload) {
        if (payload == null) {
            throw new CcaTokenException("realm claims: null");
        }
        String profile = null;
        byte[] challenge = null;
        byte[] rpv = null;
        byte[] rim = null;
        List<byte[]> rems = null;
        String hashAlg = null;
        byte[] rak = null;
        String rakHashAlg = null;
        Set<Long> seen = new HashSet<>();
        try (CborIn in = new CborIn(payload, "realm")) {
            in.startMap("claims");
            for (Long k = in.key("claims"); k != null; k = in.key("claims")) {
                if (!seen.add(k)) {
                    throw in.err("claims", "duplicate claim " + k);
                }
                switch (k.intValue() == k ? k.intValue() : Integer.MIN_VALUE) {
                    case REALM_CHALLENGE:
                        challenge = in.bstr("claim 10 (challenge)", 64);
                        break;
                    case REALM_PROFILE:
                        profile = in.tstr("claim 265 (profile)");
                        break;
                    case REALM_PERSONALIZATION_VALUE:
                        rpv = in.bstr("claim 44235 (personalization value)", 64);
                        break;
                    case REALM_HASH_ALGO_ID:
                        hashAlg = in.tstr("claim 44236 (hash algorithm id)");
                        break;
                    case REALM_PUB_KEY:
                        rak = in.bstr("claim 44237 (RAK public key)");
                        break;
                    case REALM_INITIAL_MEASUREMENT:
                        rim = in.bstr("claim 44238 (RIM)", 32, 48, 64);
                        break;
                    case REALM_EXTENSIBLE_MEASUREMENTS: {
                        String f = "claim 44239 (REMs)";
                        in.startArray(f);
                        rems = new ArrayList<>();
                        while (in.hasNextElement(f)) {
                            if (rems.size() == 4) {
                                throw in.err(f, "expected 4 measurements, got more");
                            }
                            rems.add(in.bstr(f + "[" + rems.size() + "]", 32, 48, 64));
                        }
                        if (rems.size() != 4) {
                            throw in.err(f, "expected 4 measurements, got " + rems.size());
                        }
                        break;
                    }
                    case REALM_PUB_KEY_HASH_ALGO_ID:
                        rakHashAlg = in.tstr("claim 44240 (RAK hash algorithm id)");
                        break;
                    default:
                        in.skipValue("claim " + k); // unknown claims are ignored (EAT)
                }
            }
            in.end("claims");
            require(in, challenge, "claim 10 (challenge)");
            require(in, rpv, "claim 44235 (personalization value)");
            require(in, hashAlg, "claim 44236 (hash algorithm id)");
            require(in, rak, "claim 44237 (RAK public key)");
            require(in, rim, "claim 44238 (RIM)");
            require(in, rems, "claim 44239 (REMs)");
            require(in, rakHashAlg, "claim 44240 (RAK hash algorithm id)");
            for (int i = 0; i < rems.size(); i++) {
                if (rems.get(i).length != rim.length) {
                    throw in.err("claim 44239 (REMs)[" + i + "]", "length " + rems.get(i).length
                            + " differs from the RIM's " + rim.length);
                }
            }
        }
        return new RealmClaims(profile, challenge, rpv, rim, rems, hashAlg, rak, rakHashAlg);
    }

    private static void require(CborIn in, Object v, String field) {
        if (v == null) {
            throw in.err(field, "missing");
        }
    }

    /**
     * Encodes realm claims as TF-RMM does: without a profile (legacy) in the order 10, 44236, 44240, 44235, 44237,
     * 44238, 44239 (the order of the genuine sample); with a profile in the order of current TF-RMM
     * (attest_realm_token_create): 10, 44235, 44237, 44236, 44240, 265, 44238, 44239.
     */
    public static byte[] encodeRealmClaims(RealmClaims c) {
        List<byte[]> rems = c.extensibleMeasurements();
        try (CborOut out = new CborOut()) {
            if (c.profile() == null) {
                out.map(7)
                        .key(REALM_CHALLENGE).bstr(c.challenge())
                        .key(REALM_HASH_ALGO_ID).tstr(c.hashAlgId())
                        .key(REALM_PUB_KEY_HASH_ALGO_ID).tstr(c.rakHashAlgId())
                        .key(REALM_PERSONALIZATION_VALUE).bstr(c.personalizationValue())
                        .key(REALM_PUB_KEY).bstr(c.rakPublicKey())
                        .key(REALM_INITIAL_MEASUREMENT).bstr(c.initialMeasurement());
            } else {
                out.map(8)
                        .key(REALM_CHALLENGE).bstr(c.challenge())
                        .key(REALM_PERSONALIZATION_VALUE).bstr(c.personalizationValue())
                        .key(REALM_PUB_KEY).bstr(c.rakPublicKey())
                        .key(REALM_HASH_ALGO_ID).tstr(c.hashAlgId())
                        .key(REALM_PUB_KEY_HASH_ALGO_ID).tstr(c.rakHashAlgId())
                        .key(REALM_PROFILE).tstr(c.profile())
                        .key(REALM_INITIAL_MEASUREMENT).bstr(c.initialMeasurement());
            }
            out.key(REALM_EXTENSIBLE_MEASUREMENTS).array(rems.size());
            for (byte[] r : rems) {
                out.bstr(r);
            }
            out.endArray().endMap();
            return out.toBytes();
        }
    }

    // ---------------------------------------------------------------- platform claims

    /** Parses a platform token payload (the claims map). */
    public static PlatformClaims parsePlatformClaims(byte[] payload) {
        if (payload == null) {
            throw new CcaTokenException("platform claims: null");
        }
        String profile = null;
        byte[] challenge = null;
        byte[] implId = null;
        byte[] instId = null;
        byte[] config = null;
        Long lifecycle = null;
        List<SwComponent> sw = null;
        String vsi = null;
        String hashAlg = null;
        Set<Long> seen = new HashSet<>();
        try (CborIn in = new CborIn(payload, "platform")) {
            in.startMap("claims");
            for (Long k = in.key("claims"); k != null; k = in.key("claims")) {
                if (!seen.add(k)) {
                    throw in.err("claims", "duplicate claim " + k);
                }
                switch (k.intValue() == k ? k.intValue() : Integer.MIN_VALUE) {
                    case PLATFORM_PROFILE:
                        profile = in.tstr("claim 265 (profile)");
                        break;
                    case PLATFORM_CHALLENGE:
                        challenge = in.bstr("claim 10 (challenge)", 32, 48, 64);
                        break;
                    case PLATFORM_IMPLEMENTATION_ID:
                        implId = in.bstr("claim 2396 (implementation id)", 32);
                        break;
                    case PLATFORM_INSTANCE_ID:
                        instId = in.bstr("claim 256 (instance id)", 33);
                        if (instId[0] != 0x01) {
                            throw in.err("claim 256 (instance id)", "expected UEID type 0x01 (RAND), got 0x"
                                    + String.format("%02x", instId[0] & 0xff));
                        }
                        break;
                    case PLATFORM_CONFIG:
                        config = in.bstr("claim 2401 (config)");
                        break;
                    case PLATFORM_LIFECYCLE:
                        lifecycle = in.uint("claim 2395 (lifecycle)", 0xffff);
                        break;
                    case PLATFORM_SW_COMPONENTS:
                        sw = swComponents(in);
                        break;
                    case PLATFORM_VERIFICATION_SERVICE:
                        vsi = in.tstr("claim 2400 (verification service)");
                        break;
                    case PLATFORM_HASH_ALGO_ID:
                        hashAlg = in.tstr("claim 2402 (hash algorithm id)");
                        break;
                    default:
                        in.skipValue("claim " + k);
                }
            }
            in.end("claims");
            require(in, profile, "claim 265 (profile)");
            require(in, challenge, "claim 10 (challenge)");
            require(in, implId, "claim 2396 (implementation id)");
            require(in, instId, "claim 256 (instance id)");
            require(in, config, "claim 2401 (config)");
            require(in, lifecycle, "claim 2395 (lifecycle)");
            require(in, sw, "claim 2399 (sw components)");
            require(in, hashAlg, "claim 2402 (hash algorithm id)");
        }
        return new PlatformClaims(profile, challenge, implId, instId, config, (int) (long) lifecycle, sw, vsi,
                hashAlg);
    }

    private static List<SwComponent> swComponents(CborIn in) {
        String f = "claim 2399 (sw components)";
        in.startArray(f);
        List<SwComponent> list = new ArrayList<>();
        while (in.hasNextElement(f)) {
            String e = f + "[" + list.size() + "]";
            in.startMap(e);
            String type = null;
            byte[] measurement = null;
            String version = null;
            byte[] signer = null;
            String desc = null;
            Set<Long> seen = new HashSet<>();
            for (Long k = in.key(e); k != null; k = in.key(e)) {
                if (!seen.add(k)) {
                    throw in.err(e, "duplicate key " + k);
                }
                if (k == SWC_TYPE) {
                    type = in.tstr(e + " key 1 (measurement type)");
                } else if (k == SWC_MEASUREMENT) {
                    measurement = in.bstr(e + " key 2 (measurement value)");
                } else if (k == SWC_VERSION) {
                    version = in.tstr(e + " key 4 (version)");
                } else if (k == SWC_SIGNER_ID) {
                    signer = in.bstr(e + " key 5 (signer id)");
                } else if (k == SWC_HASH_ALG_DESC) {
                    desc = in.tstr(e + " key 6 (measurement description)");
                } else {
                    in.skipValue(e + " key " + k);
                }
            }
            require(in, measurement, e + " key 2 (measurement value)");
            list.add(new SwComponent(type, measurement, version, signer, desc));
        }
        if (list.isEmpty()) {
            throw in.err(f, "empty (at least one component is required)");
        }
        return list;
    }

    /**
     * Encodes platform claims in the order TF-M / the genuine sample uses: 265, 10, 2396, 256, 2401, 2395, 2402,
     * 2399 (components: 1, 5, 4, 2, 6), 2400; absent optional claims are left out.
     *
     * @throws CcaTokenException if the challenge is null
     */
    public static byte[] encodePlatformClaims(PlatformClaims c) {
        if (c.challenge() == null) {
            throw new CcaTokenException("platform claim 10 (challenge): missing");
        }
        int n = 7 + (c.config() != null ? 1 : 0) + (c.verificationService() != null ? 1 : 0);
        try (CborOut out = new CborOut()) {
            out.map(n)
                    .key(PLATFORM_PROFILE).tstr(c.profile())
                    .key(PLATFORM_CHALLENGE).bstr(c.challenge())
                    .key(PLATFORM_IMPLEMENTATION_ID).bstr(c.implementationId())
                    .key(PLATFORM_INSTANCE_ID).bstr(c.instanceId());
            if (c.config() != null) {
                out.key(PLATFORM_CONFIG).bstr(c.config());
            }
            out.key(PLATFORM_LIFECYCLE).integer(c.lifecycle())
                    .key(PLATFORM_HASH_ALGO_ID).tstr(c.hashAlgId())
                    .key(PLATFORM_SW_COMPONENTS).array(c.swComponents().size());
            for (SwComponent s : c.swComponents()) {
                int m = 1 + (s.type() != null ? 1 : 0) + (s.signerId() != null ? 1 : 0)
                        + (s.version() != null ? 1 : 0) + (s.hashAlgDesc() != null ? 1 : 0);
                out.map(m);
                if (s.type() != null) {
                    out.key(SWC_TYPE).tstr(s.type());
                }
                if (s.signerId() != null) {
                    out.key(SWC_SIGNER_ID).bstr(s.signerId());
                }
                if (s.version() != null) {
                    out.key(SWC_VERSION).tstr(s.version());
                }
                out.key(SWC_MEASUREMENT).bstr(s.measurement());
                if (s.hashAlgDesc() != null) {
                    out.key(SWC_HASH_ALG_DESC).tstr(s.hashAlgDesc());
                }
                out.endMap();
            }
            out.endArray();
            if (c.verificationService() != null) {
                out.key(PLATFORM_VERIFICATION_SERVICE).tstr(c.verificationService());
            }
            out.endMap();
            return out.toBytes();
        }
    }

    static String hex(byte[] b) {
        if (b == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }
}
