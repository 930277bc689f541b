package io.teebox.disk.luks2.internal;

import io.teebox.disk.luks2.Kdf;
import io.teebox.disk.luks2.Luks2Exception;
import io.teebox.disk.luks2.Luks2Exception.Reason;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * Seals a volume key into a luks2 keyslot and opens it again, as cryptsetup's luks2_keyslot_set_key and get_key do:
 * the KDF stretches the secret into the area key, the volume key is AF-split, and the split material (rounded up to
 * whole 512-byte sectors) is encrypted with aes-xts-plain64 whose sector numbers start at 0 at the area's start.
 */
public final class Keyslots {

    /** The AF stripes cryptsetup uses, LUKS_STRIPES. */
    public static final int STRIPES = 4000;
    /** The encryption of keyslot areas and data segments written here. */
    public static final String CIPHER = "aes-xts-plain64";

    private Keyslots() {
    }

    /**
     * Writes a keyslot area.
     *
     * @param ch the image
     * @param slot the keyslot, whose area and kdf parameters are used
     * @param secret the passphrase or key bytes
     * @param volumeKey the volume key
     * @param random the source of the AF stripes
     */
    public static void seal(FileChannel ch, Metadata.Keyslot slot, byte[] secret, byte[] volumeKey,
            SecureRandom random) {
        byte[] areaKey = KeyDerivation.derive(slot.kdf(), secret, slot.salt(), slot.areaKeySize());
        byte[] material = Arrays.copyOf(AfSplitter.split(volumeKey, slot.stripes(), random),
                AfSplitter.splitSize(volumeKey.length, slot.stripes()));
        new XtsPlain64(areaKey, 512).encrypt(material, 0, material.length, 0);
        Arrays.fill(areaKey, (byte) 0);
        HeaderStore.writeAt(ch, slot.areaOffset(), material);
    }

    /**
     * Opens a keyslot and checks the volume key it yields against the keyslot's digest.
     *
     * @param ch the image
     * @param metadata the metadata
     * @param id the keyslot id
     * @param secret the passphrase or key bytes
     * @return the volume key
     * @throws Luks2Exception DIGEST_MISMATCH if the key fails the digest, UNSUPPORTED for another cipher or hash,
     *         TRUNCATED if the area lies past the end of the image
     */
    public static byte[] open(FileChannel ch, Metadata metadata, int id, byte[] secret) {
        Metadata.Keyslot slot = metadata.keyslots().get(id);
        if (slot == null) {
            throw new Luks2Exception(Reason.BAD_METADATA, "keyslot " + id + " does not exist, expected one of "
                    + metadata.keyslots().keySet());
        }
        String where = "keyslots." + id;
        if (!slot.areaEncryption().equals(CIPHER)) {
            throw new Luks2Exception(Reason.UNSUPPORTED, where + ".area.encryption is '" + slot.areaEncryption()
                    + "', expected '" + CIPHER + "'");
        }
        if (slot.areaKeySize() != 32 && slot.areaKeySize() != 64) {
            throw new Luks2Exception(Reason.UNSUPPORTED, where + ".area.key_size is " + slot.areaKeySize()
                    + ", expected 32 or 64");
        }
        if (!slot.afHash().equals("sha256")) {
            throw new Luks2Exception(Reason.UNSUPPORTED, where + ".af.hash is '" + slot.afHash()
                    + "', expected 'sha256'");
        }
        if (slot.keySize() < 1 || slot.stripes() < 1) {
            throw new Luks2Exception(Reason.BAD_METADATA, where + " has key_size " + slot.keySize() + " and "
                    + slot.stripes() + " stripes, expected both positive");
        }
        int size = AfSplitter.splitSize(slot.keySize(), slot.stripes());
        if (size > slot.areaSize()) {
            throw new Luks2Exception(Reason.BAD_OFFSET, where + ".area.size is " + slot.areaSize()
                    + ", expected at least the " + size + " bytes of its AF material");
        }
        Metadata.Digest digest = metadata.digestOf(id);
        if (!digest.hash().equals("sha256")) {
            throw new Luks2Exception(Reason.UNSUPPORTED, "the digest of keyslot " + id + " has hash '"
                    + digest.hash() + "', expected 'sha256'");
        }
        byte[] material = HeaderStore.readAt(ch, slot.areaOffset(), size, "area of keyslot " + id);
        byte[] areaKey = KeyDerivation.derive(slot.kdf(), secret, slot.salt(), slot.areaKeySize());
        new XtsPlain64(areaKey, 512).decrypt(material, 0, material.length, 0);
        Arrays.fill(areaKey, (byte) 0);
        byte[] volumeKey = AfSplitter.merge(material, slot.keySize(), slot.stripes());
        Arrays.fill(material, (byte) 0);
        byte[] check = KeyDerivation.pbkdf2Sha256(volumeKey, digest.salt(), digest.iterations(),
                digest.digest().length);
        if (!MessageDigest.isEqual(check, digest.digest())) {
            Arrays.fill(volumeKey, (byte) 0);
            throw new Luks2Exception(Reason.DIGEST_MISMATCH, "keyslot " + id + " yields a volume key that does not "
                    + "match its digest: a wrong secret or a damaged keyslot area");
        }
        return volumeKey;
    }

    /**
     * The digest of a volume key.
     *
     * @param volumeKey the key
     * @param salt the digest salt
     * @param iterations the PBKDF2 iterations
     * @return the 32-byte digest
     */
    public static byte[] digest(byte[] volumeKey, byte[] salt, int iterations) {
        return KeyDerivation.pbkdf2Sha256(volumeKey, salt, iterations, 32);
    }

    /**
     * A keyslot descriptor for a new keyslot.
     *
     * @param kdf its kdf
     * @param keySize the volume key length
     * @param areaOffset its area offset
     * @param areaSize its area size
     * @param random the source of the salt
     * @return the descriptor
     */
    public static Metadata.Keyslot describe(Kdf kdf, int keySize, long areaOffset, long areaSize,
            SecureRandom random) {
        byte[] salt = new byte[Metadata.SALT_SIZE];
        random.nextBytes(salt);
        return new Metadata.Keyslot(keySize, STRIPES, "sha256", areaOffset, areaSize, CIPHER, 64, kdf, salt);
    }
}
