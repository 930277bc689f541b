package io.teebox.disk.luks2;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A keyslot to enrol when a volume is created: the bytes that open it and how they are stretched. A passphrase, the
 * contents of a key file and a raw key (32 or 64 bytes unsealed from a vTPM or released by a key broker) are all the
 * same to LUKS2: the bytes go into the KDF as they are, as systemd-cryptenroll and clevis do.
 *
 * @param kdf the key derivation
 * @param secret the passphrase, key-file or raw-key bytes; copied
 */
public record NewKeyslot(Kdf kdf, byte[] secret) {

    /**
     * Checks and copies the arguments.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the secret is empty
     */
    public NewKeyslot {
        Objects.requireNonNull(kdf, "kdf");
        Objects.requireNonNull(secret, "secret");
        if (secret.length == 0) {
            throw new IllegalArgumentException("keyslot secret is empty, expected at least 1 byte");
        }
        secret = secret.clone();
    }

    /**
     * A keyslot opened by a text passphrase, taken as its UTF-8 bytes (as cryptsetup reads a terminal).
     *
     * @param kdf the key derivation
     * @param passphrase the passphrase
     * @return the keyslot
     * @throws IllegalArgumentException if the passphrase is empty
     */
    public static NewKeyslot passphrase(Kdf kdf, String passphrase) {
        return new NewKeyslot(kdf, passphrase.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The secret.
     *
     * @return a copy of the secret bytes
     */
    @Override
    public byte[] secret() {
        return secret.clone();
    }
}
