package io.teebox.amd.abi;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Arrays;

import io.teebox.kit.codec.Layout;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;

/**
 * The SNP ID block (0x60 bytes) and ID authentication structure (0x1000 bytes) given to SNP_LAUNCH_FINISH: the
 * owner's expected launch digest and policy, signed ECDSA P-384/SHA-384 by its ID key, whose public part is
 * optionally signed by an author key. Keys are {curve u32 = 2, Qx[72] LE, Qy[72] LE} in 0x404 bytes, signatures
 * {R[72] LE, S[72] LE} in 0x200 bytes.
 */
public final class SnpIdBlock {

    /** ID_BLOCK layout. */
    public static final Layout ID_BLOCK = Layout.define("ID_BLOCK", 0x60).bytes("LD", 0x00, 48)
            .bytes("FAMILY_ID", 0x30, 16).bytes("IMAGE_ID", 0x40, 16).u32("VERSION", 0x50).u32("GUEST_SVN", 0x54)
            .u64("POLICY", 0x58).build();
    /** ID_AUTH_INFO layout. */
    public static final Layout ID_AUTH = Layout.define("ID_AUTH_INFO", 0x1000).u32("ID_KEY_ALGO", 0x000)
            .u32("AUTH_KEY_ALGO", 0x004).reserved(0x008, 0x38).bytes("ID_BLOCK_SIG", 0x040, 0x200)
            .bytes("ID_KEY", 0x240, 0x404).reserved(0x644, 0x3C).bytes("ID_KEY_SIG", 0x680, 0x200)
            .bytes("AUTHOR_KEY", 0x880, 0x404).reserved(0xC84, 0x37C).build();
    /** Size of a public key structure. */
    static final int KEY_SIZE = 0x404;
    /** Size of a signature structure. */
    static final int SIG_SIZE = 0x200;
    /** Algorithm 1: ECDSA P-384 with SHA-384. */
    public static final int ECDSA_P384_SHA384 = 1;

    private SnpIdBlock() {
    }

    /** @return the 0x404-byte public key structure */
    public static byte[] publicKey(PublicKey key) {
        byte[] out = new byte[0x404];
        out[0] = 2;
        BigInteger[] q = EcKeys.publicPoint(key);
        System.arraycopy(SevCertificate.le(q[0]), 0, out, 4, 72);
        System.arraycopy(SevCertificate.le(q[1]), 0, out, 0x4C, 72);
        return out;
    }

    /**
     * @param key a 0x404-byte public key structure
     * @return the key
     * @throws io.teebox.api.tee.TeeException INVALID_LENGTH if the structure is not 0x404 bytes, INVALID_PARAM if
     *             it is not a P-384 point
     */
    public static PublicKey parseKey(byte[] key) {
        if (key.length != KEY_SIZE) {
            throw SevStatus.INVALID_LENGTH.error(String.format("ID key structure is %d bytes, expected 0x%X",
                    key.length, KEY_SIZE));
        }
        if (key[0] != 2 || key[1] != 0 || key[2] != 0 || key[3] != 0) {
            throw SevStatus.INVALID_PARAM.error("ID key curve is " + (key[0] & 0xFF) + ", expected 2 (P-384)");
        }
        try {
            return EcKeys.publicKey("P-384", SevCertificate.fromLe(key, 4, 72), SevCertificate.fromLe(key, 0x4C, 72));
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_PARAM.error("ID key is not a P-384 point: " + e.getMessage());
        }
    }

    static byte[] sign(PrivateKey key, byte[] data) {
        BigInteger[] rs = Signatures.ecdsaSign(key, "SHA-384", data);
        byte[] sig = new byte[0x200];
        System.arraycopy(SevCertificate.le(rs[0]), 0, sig, 0, 72);
        System.arraycopy(SevCertificate.le(rs[1]), 0, sig, 72, 72);
        return sig;
    }

    /** @return whether sig (0x200 bytes; false for any other size) is a signature by key over data */
    public static boolean verify(PublicKey key, byte[] data, byte[] sig) {
        if (sig.length != SIG_SIZE) {
            return false;
        }
        return Signatures.ecdsaVerify(key, "SHA-384", data, SevCertificate.fromLe(sig, 0, 72),
                SevCertificate.fromLe(sig, 72, 72));
    }

    /**
     * Builds a signed ID block and its authentication structure.
     *
     * @param launchDigest the expected 48-byte launch digest
     * @param policy the guest policy
     * @param familyId 16 bytes
     * @param imageId 16 bytes
     * @param guestSvn the guest SVN
     * @param idKey the ID key
     * @param authorKey the author key, or null
     * @return {ID_BLOCK, ID_AUTH_INFO}
     */
    public static byte[][] build(byte[] launchDigest, long policy, byte[] familyId, byte[] imageId, long guestSvn,
            KeyPair idKey, KeyPair authorKey) {
        byte[] block = ID_BLOCK.create().set("LD", launchDigest).set("FAMILY_ID", familyId).set("IMAGE_ID", imageId)
                .set("VERSION", 1).set("GUEST_SVN", guestSvn).set("POLICY", policy).toBytes();
        byte[] idPub = publicKey(idKey.getPublic());
        Struct auth = ID_AUTH.create().set("ID_KEY_ALGO", ECDSA_P384_SHA384)
                .set("ID_BLOCK_SIG", sign(idKey.getPrivate(), block)).set("ID_KEY", idPub);
        if (authorKey != null) {
            auth.set("AUTH_KEY_ALGO", ECDSA_P384_SHA384).set("ID_KEY_SIG", sign(authorKey.getPrivate(), idPub))
                    .set("AUTHOR_KEY", publicKey(authorKey.getPublic()));
        }
        return new byte[][] {block, auth.toBytes()};
    }

    /** @return SHA-384 of a 0x404-byte key structure (ID_KEY_DIGEST / AUTHOR_KEY_DIGEST) */
    public static byte[] keyDigest(byte[] keyStruct) {
        return Digests.sha384(Arrays.copyOf(keyStruct, 0x404));
    }
}
