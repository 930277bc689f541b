package io.teebox.disk.luks2;

/** The key derivation of one luks2 keyslot, as its JSON "kdf" object names it. */
public sealed interface Kdf permits Kdf.Pbkdf2, Kdf.Argon2id {

    /**
     * The JSON "type" of this KDF.
     *
     * @return "pbkdf2" or "argon2id"
     */
    String type();

    /**
     * PBKDF2 with HMAC-SHA256.
     *
     * @param iterations the iteration count, at least 1 (cryptsetup itself never writes fewer than 1000)
     */
    record Pbkdf2(int iterations) implements Kdf {
        /**
         * Checks the parameters.
         *
         * @throws IllegalArgumentException if iterations is below 1
         */
        public Pbkdf2 {
            if (iterations < 1) {
                throw new IllegalArgumentException("pbkdf2 iterations is " + iterations + ", expected at least 1");
            }
        }

        @Override
        public String type() {
            return "pbkdf2";
        }
    }

    /**
     * Argon2id, version 0x13.
     *
     * @param time the number of passes, at least 1
     * @param memory the memory in KiB, at least 8 per lane
     * @param cpus the parallelism (lanes), 1 to 16777215
     */
    record Argon2id(int time, int memory, int cpus) implements Kdf {
        /**
         * Checks the parameters.
         *
         * @throws IllegalArgumentException if a parameter is out of Argon2's range
         */
        public Argon2id {
            if (time < 1) {
                throw new IllegalArgumentException("argon2id time is " + time + ", expected at least 1");
            }
            if (cpus < 1 || cpus > 0xFFFFFF) {
                throw new IllegalArgumentException("argon2id cpus is " + cpus + ", expected 1..16777215");
            }
            if (memory < 8L * cpus) {
                throw new IllegalArgumentException("argon2id memory is " + memory + " KiB, expected at least "
                        + 8L * cpus + " (8 per cpu)");
            }
        }

        @Override
        public String type() {
            return "argon2id";
        }
    }
}
