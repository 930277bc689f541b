package org.example.cca.rmm.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.example.cca.rmm.HashAlgorithm;
import java.security.interfaces.ECPublicKey;
import org.example.cca.token.CcaKeys;
import org.example.cca.token.CcaTokenSigner;
import org.example.cca.token.SwComponent;
import org.example.cca.token.PlatformClaims;
import org.example.cca.token.RealmClaims;

/**
 * What the RMM puts into a realm's attestation token (RSI_ATTESTATION_TOKEN_INIT/CONTINUE): the realm claims from
 * the realm's RD (challenge, RPV, RIM, REMs, its hash algorithm, the RAK's public key) signed with the RAK, and the
 * platform claims the platform's security processor (RSE in Arm's reference design) signs with the CPAK, bound to
 * the RAK by its challenge. The only place the backend builds token claims.
 */
final class TokenIssuer {

    /** Platform claim values of the emulated platform. */
    static final byte[] IMPLEMENTATION_ID = Arrays.copyOf("teebox emulated Arm CCA platform".getBytes(
            StandardCharsets.US_ASCII), 32);
    /** PSA lifecycle "secured" (0x3000). */
    static final int LIFECYCLE_SECURED = 0x3000;
    static final String VERIFICATION_SERVICE = "https://veraison.example/.well-known/veraison/verification";

    private TokenIssuer() {
    }

    static byte[] token(Rmm rmm, Realm r, byte[] challenge) {
        List<byte[]> rems = List.of(r.rems[0].clone(), r.rems[1].clone(), r.rems[2].clone(), r.rems[3].clone());
        // the current TF-RMM shape: realm profile claim, the RAK as a COSE_Key, the platform's 2023 profile
        RealmClaims realm = new RealmClaims(RealmClaims.PROFILE_2023, challenge, r.params.rpv(), r.rim.value(), rems,
                r.algorithm.tokenName(), CcaKeys.coseKey((ECPublicKey) r.rak.getPublic()),
                HashAlgorithm.SHA_256.tokenName());
        return new CcaTokenSigner().sign(realm, platform(rmm), r.rak.getPrivate(), rmm.cpak().getPrivate());
    }

    /** @return the platform claims, challenge unset (the signer binds it to the RAK) */
    static PlatformClaims platform(Rmm rmm) {
        byte[] instance = new byte[33];
        instance[0] = 0x01; // EAT UEID type RAND: the hash of the CPAK's public key
        System.arraycopy(HashAlgorithm.SHA_256.hash(Rmm.point(rmm.cpak().getPublic())), 0, instance, 1, 32);
        List<SwComponent> sw = List.of(component("BL1", "1.0.0"), component("BL2", "2.11.0"),
                component("BL31", "2.11.0"), component("RMM", "1.0.0"));
        return new PlatformClaims(PlatformClaims.PROFILE_2023, null, IMPLEMENTATION_ID, instance, new byte[] {(byte) 0xCF,
            0, 0, 0}, LIFECYCLE_SECURED, sw, VERIFICATION_SERVICE, HashAlgorithm.SHA_256.tokenName());
    }

    private static SwComponent component(String type, String version) {
        byte[] measurement = HashAlgorithm.SHA_256.hash(("teebox emulated " + type + " " + version)
                .getBytes(StandardCharsets.US_ASCII));
        byte[] signer = HashAlgorithm.SHA_256.hash("teebox emulated firmware signer".getBytes(
                StandardCharsets.US_ASCII));
        return new SwComponent(type, measurement, version, signer, HashAlgorithm.SHA_256.tokenName());
    }
}
