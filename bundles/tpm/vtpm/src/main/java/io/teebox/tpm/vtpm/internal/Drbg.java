package io.teebox.tpm.vtpm.internal;

import io.teebox.kit.crypto.Hmac;
import io.teebox.tpm.abi.TpmWriter;

/** The TPM's random number source: HMAC-SHA256 over a secret key and a counter, so a seeded TPM is reproducible. */
final class Drbg {

    private final byte[] key;
    private long counter;

    Drbg(byte[] key, long counter) {
        this.key = key.clone();
        this.counter = counter;
    }

    synchronized byte[] next(int n) {
        byte[] out = new byte[n];
        for (int done = 0; done < n; ) {
            byte[] block = Hmac.sha256(key, "teebox-vtpm-rng".getBytes(), new TpmWriter().u64(counter++).toByteArray());
            int k = Math.min(block.length, n - done);
            System.arraycopy(block, 0, out, done, k);
            done += k;
        }
        return out;
    }

    byte[] key() {
        return key.clone();
    }

    long counter() {
        return counter;
    }
}
