package io.teebox.boot.uefi;

import io.teebox.boot.uefi.internal.Chains;
import io.teebox.boot.uefi.internal.SpcIndirectDataContent;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.BouncyCastle;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * One parsed Authenticode signature: a PKCS#7 SignedData whose content is an SpcIndirectDataContent carrying the
 * image hash, with exactly one signer. Parsing checks the shape; {@link #signatureValid()} checks the signer's
 * signature over the content, {@link #chainsTo(X509Certificate)} whether the signer leads to a trusted certificate.
 * Neither looks at validity dates: UEFI firmware has no trusted time and does not either. Immutable.
 */
public final class AuthenticodeSignature {

    private static final Map<ASN1ObjectIdentifier, String> DIGESTS = Map.of(
            OIWObjectIdentifiers.idSHA1, "SHA-1", NISTObjectIdentifiers.id_sha256, "SHA-256",
            NISTObjectIdentifiers.id_sha384, "SHA-384", NISTObjectIdentifiers.id_sha512, "SHA-512");

    private final byte[] der;
    private final ASN1ObjectIdentifier digestOid;
    private final byte[] digest;
    private final SignerInformation signerInfo;
    private final List<X509Certificate> certificates;
    private final X509Certificate signer;

    private AuthenticodeSignature(byte[] der, ASN1ObjectIdentifier digestOid, byte[] digest,
            SignerInformation signerInfo, List<X509Certificate> certificates, X509Certificate signer) {
        this.der = der;
        this.digestOid = digestOid;
        this.digest = digest;
        this.signerInfo = signerInfo;
        this.certificates = certificates;
        this.signer = signer;
    }

    /**
     * Parses a signature.
     *
     * @param signedData the DER ContentInfo of a PKCS#7 SignedData (a WIN_CERTIFICATE's bCertificate)
     * @return the signature
     * @throws MalformedStructureException if it is not DER, not SignedData, its content is not an
     *         SpcIndirectDataContent, it has not exactly one signer, or the signer's certificate is not included
     */
    public static AuthenticodeSignature parse(byte[] signedData) {
        Objects.requireNonNull(signedData, "signedData");
        try {
            return parseChecked(signedData);
        } catch (MalformedStructureException e) {
            throw e;
        } catch (RuntimeException e) {
            // Bouncy Castle reports a malformed inner structure with whichever unchecked exception it meets
            throw fail("Authenticode SignedData does not parse: " + e.getMessage());
        }
    }

    private static AuthenticodeSignature parseChecked(byte[] signedData) {
        ContentInfo ci;
        SignedData sd;
        try {
            ci = ContentInfo.getInstance(ASN1Sequence.fromByteArray(signedData));
            if (!CMSObjectIdentifiers.signedData.equals(ci.getContentType())) {
                throw fail("PKCS#7 content type is " + ci.getContentType() + ", expected "
                        + CMSObjectIdentifiers.signedData + " (signedData)");
            }
            sd = SignedData.getInstance(ci.getContent());
        } catch (java.io.IOException | IllegalArgumentException | IllegalStateException | ClassCastException e) {
            if (e instanceof MalformedStructureException m) {
                throw m;
            }
            throw fail("Authenticode signature is not a DER PKCS#7 SignedData: " + e.getMessage());
        }
        ContentInfo encap = sd.getEncapContentInfo();
        if (!SpcIndirectDataContent.SPC_INDIRECT_DATA.equals(encap.getContentType())) {
            throw fail("SignedData content type is " + encap.getContentType() + ", expected "
                    + SpcIndirectDataContent.SPC_INDIRECT_DATA + " (SPC_INDIRECT_DATA_OBJID)");
        }
        ASN1Encodable content = encap.getContent();
        if (!(content instanceof ASN1Sequence seq)) {
            throw fail("SignedData content is " + (content == null ? "absent" : content.getClass().getSimpleName())
                    + ", expected an SpcIndirectDataContent SEQUENCE");
        }
        SpcIndirectDataContent idc = SpcIndirectDataContent.parse(seq);
        CMSSignedData cms;
        try {
            cms = new CMSSignedData(new CMSProcessableByteArray(SpcIndirectDataContent.signedBytes(seq)), ci);
        } catch (CMSException | RuntimeException e) {
            throw fail("Authenticode SignedData does not parse: " + e.getMessage());
        }
        Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
        if (signers.size() != 1) {
            throw fail("Authenticode SignedData has " + signers.size() + " signers, expected 1");
        }
        SignerInformation si = signers.iterator().next();
        List<X509Certificate> certs = new ArrayList<>();
        X509Certificate signerCert = null;
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider());
        try {
            for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
                X509Certificate c = conv.getCertificate(h);
                certs.add(c);
                if (si.getSID().match(h)) {
                    signerCert = c;
                }
            }
        } catch (CertificateException e) {
            throw fail("Authenticode SignedData carries a certificate that does not parse: " + e.getMessage());
        }
        if (signerCert == null) {
            throw fail("Authenticode SignedData does not include its signer's certificate (issuer "
                    + si.getSID().getIssuer() + ", serial " + si.getSID().getSerialNumber() + ")");
        }
        return new AuthenticodeSignature(signedData.clone(), idc.digestAlgorithm().getAlgorithm(), idc.digest(),
                si, List.copyOf(certs), signerCert);
    }

    private static MalformedStructureException fail(String message) {
        return new MalformedStructureException("Authenticode SignedData", null, message);
    }

    /**
     * The DER SignedData.
     *
     * @return a copy of the bytes parsed
     */
    public byte[] toDer() {
        return der.clone();
    }

    /**
     * The image hash's algorithm as a JCA name.
     *
     * @return "SHA-256" and the like, or the OID in dotted form if it is not one teebox knows
     */
    public String digestAlgorithm() {
        return DIGESTS.getOrDefault(digestOid, digestOid.getId());
    }

    /**
     * The image hash that the signature carries in its SpcIndirectDataContent.
     *
     * @return a copy of the hash
     */
    public byte[] digest() {
        return digest.clone();
    }

    /**
     * Whether the signature covers this image: its hash, computed with the signature's algorithm, equals
     * {@link #digest()}.
     *
     * @param image the parsed image
     * @return true if it matches; false also for an unknown hash algorithm
     */
    public boolean matches(PeImage image) {
        if (!DIGESTS.containsKey(digestOid)) {
            return false;
        }
        return Arrays.equals(digest, Authenticode.hash(image, digestAlgorithm()));
    }

    /**
     * The signer's certificate.
     *
     * @return the certificate the SignerInfo names
     */
    public X509Certificate signer() {
        return signer;
    }

    /**
     * The certificates the SignedData carries.
     *
     * @return the signer's and any intermediates, in the order stored
     */
    public List<X509Certificate> certificates() {
        return certificates;
    }

    /**
     * Whether the signer's signature over the SpcIndirectDataContent and the signed attributes verifies with the
     * signer certificate's key, and the messageDigest attribute matches the content.
     *
     * @return true if it verifies
     */
    public boolean signatureValid() {
        try {
            return signerInfo.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BouncyCastle.provider())
                    .build(signer));
        } catch (CMSException | OperatorCreationException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The path from the signer to a trusted certificate, walking issuers through the carried certificates: the
     * signer itself if it is the anchor, else the signer and each issuer up to one the anchor issued (subject equals
     * issuer name and the anchor's key verifies the signature).
     *
     * @param anchor a trusted certificate, e.g. a db entry
     * @return the path from the signer, the anchor last; empty if the signer does not lead to the anchor
     */
    public List<X509Certificate> pathTo(X509Certificate anchor) {
        return Chains.pathTo(signer, certificates, anchor);
    }

    /**
     * Whether the signer leads to the anchor ({@link #pathTo} is not empty).
     *
     * @param anchor a trusted certificate
     * @return true if it does
     */
    public boolean chainsTo(X509Certificate anchor) {
        return !pathTo(anchor).isEmpty();
    }

    @Override
    public String toString() {
        return "Authenticode signature by " + signer.getSubjectX500Principal().getName() + " over "
                + digestAlgorithm() + " " + io.teebox.kit.hex.Hex.encode(digest);
    }
}
