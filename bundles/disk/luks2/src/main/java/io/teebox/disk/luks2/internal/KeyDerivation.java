package io.teebox.disk.luks2.internal;

import io.teebox.disk.luks2.Kdf;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.bouncycastle.crypto.params.KeyParameter;

/** The keyslot and digest KDFs: PBKDF2-HMAC-SHA256 and Argon2id (version 0x13), over the secret bytes as given. */
public final class KeyDerivation {

    private KeyDerivation() {
    }

    /**
     * Derives a key.
     *
     * @param kdf the parameters
     * @param secret the passphrase or key bytes
     * @param salt the salt
     * @param length the key length in bytes
     * @return the derived key
     */
    public static byte[] derive(Kdf kdf, byte[] secret, byte[] salt, int length) {
        if (kdf instanceof Kdf.Pbkdf2 p) {
            return pbkdf2Sha256(secret, salt, p.iterations(), length);
        }
        Kdf.Argon2id a = (Kdf.Argon2id) kdf;
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withIterations(a.time()).withMemoryAsKB(a.memory()).withParallelism(a.cpus())
                .withSalt(salt).build();
        Argon2BytesGenerator gen = new Argon2BytesGenerator();
        gen.init(params);
        byte[] out = new byte[length];
        gen.generateBytes(secret, out);
        return out;
    }

    /**
     * PBKDF2 with HMAC-SHA256.
     *
     * @param secret the password bytes
     * @param salt the salt
     * @param iterations the iteration count
     * @param length the output length in bytes
     * @return the derived bytes
     */
    public static byte[] pbkdf2Sha256(byte[] secret, byte[] salt, int iterations, int length) {
        PKCS5S2ParametersGenerator gen = new PKCS5S2ParametersGenerator(new SHA256Digest());
        gen.init(secret, salt, iterations);
        return ((KeyParameter) gen.generateDerivedParameters(length * 8)).getKey();
    }
}
