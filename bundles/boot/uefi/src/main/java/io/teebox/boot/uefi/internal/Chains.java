package io.teebox.boot.uefi.internal;

import io.teebox.kit.crypto.BouncyCastle;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The issuer walk UEFI firmware does from a PKCS#7 signer to a trusted certificate: names and signatures only, no
 * validity dates (firmware has no trusted time) and no revocation lists (dbx does that job).
 */
public final class Chains {

    private static final int MAX_DEPTH = 8;

    private Chains() {
    }

    /**
     * The path from a signer to an anchor through the carried certificates.
     *
     * @param signer the signer's certificate
     * @param carried the certificates the SignedData carries
     * @param anchor the trusted certificate
     * @return the path from the signer with the anchor last, or empty if the signer does not lead to the anchor
     */
    public static List<X509Certificate> pathTo(X509Certificate signer, Collection<X509Certificate> carried,
            X509Certificate anchor) {
        List<X509Certificate> path = new ArrayList<>();
        X509Certificate current = signer;
        for (int depth = 0; depth < MAX_DEPTH; depth++) {
            path.add(current);
            if (current.equals(anchor)) {
                return path;
            }
            if (issuedBy(current, anchor)) {
                path.add(anchor);
                return path;
            }
            X509Certificate next = null;
            for (X509Certificate c : carried) {
                if (!path.contains(c) && issuedBy(current, c)) {
                    next = c;
                    break;
                }
            }
            if (next == null) {
                return List.of();
            }
            current = next;
        }
        return List.of();
    }

    private static boolean issuedBy(X509Certificate cert, X509Certificate issuer) {
        if (!cert.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
            return false;
        }
        try {
            cert.verify(issuer.getPublicKey(), BouncyCastle.provider());
            return true;
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }
}
