package io.teebox.kit.crypto;

import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The one Bouncy Castle provider instance teebox uses. It is never registered with
 * {@link java.security.Security#addProvider}: pass it to {@code getInstance(algorithm, provider)} calls.
 */
public final class BouncyCastle {

    private BouncyCastle() {
    }

    private static final class Holder {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    /**
     * The shared provider instance, created on first use.
     *
     * @return the Bouncy Castle provider
     */
    public static Provider provider() {
        return Holder.PROVIDER;
    }
}
