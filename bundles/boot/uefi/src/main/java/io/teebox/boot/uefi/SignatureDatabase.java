package io.teebox.boot.uefi;

import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.x509.X509Authority;
import java.io.ByteArrayOutputStream;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A signature database as the variables PK, KEK, db and dbx hold it: EFI_SIGNATURE_LISTs one after another, nothing
 * between or after them (UEFI 2.10, 32.4.1). Immutable; the {@code with...} methods return a new database with one
 * more list at the end, as an append write would leave it.
 *
 * @param lists the lists in variable order
 */
public record SignatureDatabase(List<EfiSignatureList> lists) {

    /**
     * Copies the lists.
     */
    public SignatureDatabase {
        lists = List.copyOf(lists);
    }

    /**
     * The empty database (a variable of zero bytes).
     *
     * @return a database with no list
     */
    public static SignatureDatabase empty() {
        return new SignatureDatabase(List.of());
    }

    /**
     * Appends an EFI_CERT_X509 list holding one certificate.
     *
     * @param owner the SignatureOwner
     * @param certificate the certificate
     * @return the new database
     */
    public SignatureDatabase withCertificate(UUID owner, X509Certificate certificate) {
        return with(EfiSignatureList.x509(owner, X509Authority.toDer(certificate)));
    }

    /**
     * Appends an EFI_CERT_SHA256 list holding one hash.
     *
     * @param owner the SignatureOwner
     * @param sha256 a 32-byte hash, e.g. an image's Authenticode hash
     * @return the new database
     */
    public SignatureDatabase withSha256(UUID owner, byte[] sha256) {
        return with(EfiSignatureList.sha256(owner, List.of(sha256)));
    }

    /**
     * Appends a list.
     *
     * @param list the list
     * @return the new database
     */
    public SignatureDatabase with(EfiSignatureList list) {
        List<EfiSignatureList> l = new ArrayList<>(lists);
        l.add(list);
        return new SignatureDatabase(l);
    }

    /**
     * The variable's data.
     *
     * @return the lists' bytes, concatenated
     */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (EfiSignatureList l : lists) {
            out.writeBytes(l.toBytes());
        }
        return out.toByteArray();
    }

    /**
     * Parses a variable's data.
     *
     * @param data zero or more EFI_SIGNATURE_LISTs
     * @return the database
     * @throws MalformedStructureException if a list is malformed or bytes are left that do not make a list
     */
    public static SignatureDatabase parse(byte[] data) {
        Objects.requireNonNull(data, "data");
        List<EfiSignatureList> l = new ArrayList<>();
        int off = 0;
        while (off < data.length) {
            EfiSignatureList list = EfiSignatureList.parse(data, off);
            l.add(list);
            off += list.signatureListSize();
        }
        return new SignatureDatabase(l);
    }

    /**
     * The X.509 certificates of all EFI_CERT_X509 lists.
     *
     * @return the certificates in order
     * @throws MalformedStructureException if an entry is not a DER certificate
     */
    public List<X509Certificate> certificates() {
        List<X509Certificate> out = new ArrayList<>();
        for (EfiSignatureList l : lists) {
            if (l.signatureType().equals(EfiGuids.EFI_CERT_X509)) {
                for (EfiSignatureData d : l.signatures()) {
                    try {
                        out.add(X509Authority.certificateFromDer(d.signatureData()));
                    } catch (RuntimeException e) {
                        throw new MalformedStructureException("EFI_SIGNATURE_DATA", "SignatureData",
                                "EFI_CERT_X509 SignatureData of " + d.signatureData().length + " bytes is not a DER"
                                        + " X.509 certificate: " + e.getMessage());
                    }
                }
            }
        }
        return out;
    }

    /**
     * The hashes of all EFI_CERT_SHA256 lists.
     *
     * @return the 32-byte hashes in order
     */
    public List<byte[]> sha256Hashes() {
        List<byte[]> out = new ArrayList<>();
        for (EfiSignatureList l : lists) {
            if (l.signatureType().equals(EfiGuids.EFI_CERT_SHA256)) {
                for (EfiSignatureData d : l.signatures()) {
                    out.add(d.signatureData());
                }
            }
        }
        return out;
    }

    /**
     * Whether an EFI_CERT_SHA256 entry holds this hash.
     *
     * @param sha256 a 32-byte hash
     * @return true if it is there
     */
    public boolean containsSha256(byte[] sha256) {
        return sha256Hashes().stream().anyMatch(h -> Arrays.equals(h, sha256));
    }
}
