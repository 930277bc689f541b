package io.teebox.boot.uefi;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The image verification a UEFI firmware applies when it loads an image from media (UEFI 2.10, 32.5; edk2
 * SecurityPkg DxeImageVerificationLib). With SecureBoot off every image runs. Otherwise an image whose SHA-256
 * Authenticode hash is in dbx is refused; each Authenticode signature whose hash matches the image and whose
 * signature verifies is then checked: one leading to a dbx certificate refuses the image, one leading to a db
 * certificate allows it; failing that, the image's hash in db allows it; everything else is refused, with the first
 * reason found. Certificate validity dates are not checked, as firmware has no trusted time. Immutable.
 */
public final class SecureBootPolicy {

    private final SecureBootVariables variables;

    /**
     * Creates the policy of a platform.
     *
     * @param variables the platform's PK, KEK, db, dbx and SecureBoot
     */
    public SecureBootPolicy(SecureBootVariables variables) {
        this.variables = Objects.requireNonNull(variables, "variables");
    }

    /**
     * The variables the policy applies.
     *
     * @return the variables
     */
    public SecureBootVariables variables() {
        return variables;
    }

    /**
     * Decides whether an image may run.
     *
     * @param name the image's name for the verdict, e.g. "grubx64.efi"
     * @param image the file's bytes
     * @return the verdict; never throws for a bad image (it is refused as {@link Verdict.Reason#MALFORMED})
     * @throws MalformedStructureException if db or dbx holds an EFI_CERT_X509 entry that is not a certificate
     */
    public Verdict evaluate(String name, byte[] image) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(image, "image");
        if (!variables.secureBoot()) {
            return verdict(name, Verdict.Reason.SECURE_BOOT_DISABLED, "Secure Boot is off: image " + name
                    + " runs unchecked", null);
        }
        PeImage pe;
        try {
            pe = PeImage.parse(image);
        } catch (MalformedStructureException e) {
            return verdict(name, Verdict.Reason.MALFORMED, "image " + name + " is not a valid PE32+ image: "
                    + e.getMessage(), null);
        }
        byte[] hash = Authenticode.hash(pe, "SHA-256");
        String hex = Hex.encode(hash);
        if (variables.dbx().containsSha256(hash)) {
            return verdict(name, Verdict.Reason.HASH_REVOKED, "image " + name + " hash " + hex
                    + " is revoked in dbx", null);
        }
        List<X509Certificate> db = variables.db().certificates();
        List<X509Certificate> dbx = variables.dbx().certificates();
        Verdict allowed = null;
        Verdict firstFailure = null;
        int signatures = 0;
        for (WinCertificate entry : pe.certificates()) {
            if (entry.certificateType() != WinCertificate.WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
                continue;
            }
            signatures++;
            Verdict failure;
            AuthenticodeSignature sig;
            try {
                sig = AuthenticodeSignature.parse(entry.certificate());
            } catch (MalformedStructureException e) {
                failure = verdict(name, Verdict.Reason.SIGNATURE_INVALID, "image " + name + " signature "
                        + signatures + " is malformed: " + e.getMessage(), null);
                firstFailure = firstFailure == null ? failure : firstFailure;
                continue;
            }
            String signer = sig.signer().getSubjectX500Principal().getName();
            if (!sig.matches(pe)) {
                failure = verdict(name, Verdict.Reason.HASH_MISMATCH, "image " + name + " is signed by " + signer
                        + " over " + sig.digestAlgorithm() + " " + Hex.encode(sig.digest())
                        + ", but the image's hash is " + hex, null);
            } else if (!sig.signatureValid()) {
                failure = verdict(name, Verdict.Reason.SIGNATURE_INVALID, "image " + name + " carries a signature"
                        + " by " + signer + " that does not verify with its certificate's key", null);
            } else {
                for (X509Certificate revoked : dbx) {
                    if (sig.chainsTo(revoked)) {
                        return verdict(name, Verdict.Reason.CERTIFICATE_REVOKED, "image " + name + " is signed by "
                                + signer + ", which leads to " + revoked.getSubjectX500Principal().getName()
                                + " in dbx", revoked);
                    }
                }
                X509Certificate trusted = db.stream().filter(sig::chainsTo).findFirst().orElse(null);
                if (trusted != null) {
                    if (allowed == null) {
                        allowed = verdict(name, Verdict.Reason.SIGNED_BY_DB, "image " + name + " is signed by "
                                + signer + ", which leads to " + trusted.getSubjectX500Principal().getName()
                                + " in db", trusted);
                    }
                    continue;
                }
                failure = verdict(name, Verdict.Reason.UNTRUSTED_SIGNER, "image " + name + " is signed by "
                        + signer + ", which is not in db", null);
            }
            firstFailure = firstFailure == null ? failure : firstFailure;
        }
        if (allowed != null) {
            return allowed;
        }
        if (variables.db().containsSha256(hash)) {
            return verdict(name, Verdict.Reason.HASH_IN_DB, "image " + name + " hash " + hex + " is in db", null);
        }
        if (firstFailure != null) {
            return firstFailure;
        }
        return verdict(name, Verdict.Reason.UNSIGNED, "image " + name + " is unsigned and its hash " + hex
                + " is not in db", null);
    }

    private static Verdict verdict(String name, Verdict.Reason reason, String detail, X509Certificate authority) {
        return new Verdict(name, reason.allows(), reason, detail, Optional.ofNullable(authority));
    }
}
