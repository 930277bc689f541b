package io.teebox.boot.uefi;

import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;

/**
 * What the firmware decided about one image and why, in one line
 * ("image shim.efi is signed by CN=..., which is not in db").
 *
 * @param image the image's name, e.g. "shimx64.efi"
 * @param allowed whether the image may run
 * @param reason the rule that decided
 * @param detail the one-line explanation
 * @param authority the db or dbx certificate that decided, if a certificate did
 */
public record Verdict(String image, boolean allowed, Reason reason, String detail,
        Optional<X509Certificate> authority) {

    /** The rule that decided. */
    public enum Reason {
        /** SecureBoot is 0: every image runs. */
        SECURE_BOOT_DISABLED(true),
        /** A signature leads to a certificate in db and none to dbx. */
        SIGNED_BY_DB(true),
        /** The image's hash is in db. */
        HASH_IN_DB(true),
        /** The image is not a PE32+ image a loader accepts. */
        MALFORMED(false),
        /** The image's hash is in dbx. */
        HASH_REVOKED(false),
        /** A signature leads to a certificate in dbx. */
        CERTIFICATE_REVOKED(false),
        /** The image has no signature and its hash is not in db. */
        UNSIGNED(false),
        /** The signature carries a hash that is not the image's (the image was changed after signing). */
        HASH_MISMATCH(false),
        /** The signer's signature does not verify. */
        SIGNATURE_INVALID(false),
        /** The signature verifies but leads to no certificate in db. */
        UNTRUSTED_SIGNER(false);

        private final boolean allows;

        Reason(boolean allows) {
            this.allows = allows;
        }

        /**
         * Whether this reason lets the image run.
         *
         * @return true for the allowing reasons
         */
        public boolean allows() {
            return allows;
        }
    }

    /**
     * Checks that the verdict agrees with its reason.
     *
     * @throws IllegalArgumentException if {@code allowed} differs from {@code reason.allows()}
     */
    public Verdict {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(authority, "authority");
        if (allowed != reason.allows()) {
            throw new IllegalArgumentException("verdict " + (allowed ? "allows" : "refuses") + " for reason "
                    + reason + ", which " + (reason.allows() ? "allows" : "refuses"));
        }
    }

    @Override
    public String toString() {
        return (allowed ? "allowed: " : "refused: ") + detail;
    }
}
