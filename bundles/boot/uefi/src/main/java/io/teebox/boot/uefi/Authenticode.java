package io.teebox.boot.uefi;

import io.teebox.boot.uefi.internal.SpcIndirectDataContent;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.cms.Attribute;
import org.bouncycastle.asn1.cms.AttributeTable;
import org.bouncycastle.asn1.cms.CMSAttributes;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cms.CMSAttributeTableGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * Authenticode for PE images (Microsoft "Windows Authenticode Portable Executable Signature Format"): the image hash
 * and the PKCS#7 SignedData over an SpcIndirectDataContent that carries it, placed in the attribute certificate
 * table as a {@link WinCertificate}. Stateless; all methods are thread-safe.
 */
public final class Authenticode {

    private Authenticode() {
    }

    /**
     * The SHA-256 Authenticode hash of an image.
     *
     * @param image a PE32+ file, signed or not
     * @return the 32-byte hash
     * @throws MalformedStructureException if the image does not parse
     */
    public static byte[] sha256(byte[] image) {
        return hash(PeImage.parse(image), "SHA-256");
    }

    /**
     * The Authenticode hash of an image: the headers without the CheckSum field and the Certificate Table directory
     * entry, then each section's file data in the order of PointerToRawData, then any data after the last section
     * that is not the certificate table.
     *
     * @param image the parsed image
     * @param algorithm a JCA digest name, e.g. "SHA-256"
     * @return the hash
     * @throws IllegalArgumentException if the algorithm is unknown
     */
    public static byte[] hash(PeImage image, String algorithm) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalArgumentException("digest algorithm " + algorithm + " is not available", e);
        }
        byte[] b = image.raw();
        int checkSum = image.checkSumOffset();
        int entry = image.certificateTableEntryOffset();
        int headers = (int) image.sizeOfHeaders();
        md.update(b, 0, checkSum);
        if (entry >= 0) {
            md.update(b, checkSum + 4, entry - checkSum - 4);
            md.update(b, entry + 8, headers - entry - 8);
        } else {
            md.update(b, checkSum + 4, headers - checkSum - 4);
        }
        long hashed = headers;
        List<PeSection> sorted = new ArrayList<>(image.sections());
        sorted.sort(Comparator.comparingLong(PeSection::pointerToRawData));
        for (PeSection s : sorted) {
            if (s.sizeOfRawData() == 0) {
                continue;
            }
            md.update(b, (int) s.pointerToRawData(), (int) s.sizeOfRawData());
            hashed += s.sizeOfRawData();
        }
        long rest = b.length - image.certificateTableSize() - hashed;
        if (rest > 0) {
            md.update(b, (int) hashed, (int) rest);
        }
        return md.digest();
    }

    /**
     * Signs an image: pads the file to 8 bytes, builds an SpcIndirectDataContent with the SHA-256 Authenticode
     * hash, signs it as PKCS#7 SignedData (signed attributes: content type, message digest, SpcSpOpusInfo and
     * statement type individual code signing; no signing time, so the output is deterministic for RSA), includes the
     * signer's certificate and the given intermediates, and appends the WIN_CERTIFICATE to the certificate table
     * (after any signatures already there), then updates the PE checksum as signing tools do.
     *
     * @param image a PE32+ file
     * @param signerKey the signer's private key (RSA: SHA256withRSA; EC: SHA256withECDSA)
     * @param signer the signer's certificate
     * @param intermediates further certificates to carry, e.g. the CA between the signer and db
     * @return the signed file
     * @throws MalformedStructureException if the image does not parse
     * @throws IllegalStateException if the signature cannot be made
     */
    public static byte[] sign(byte[] image, PrivateKey signerKey, X509Certificate signer,
            X509Certificate... intermediates) {
        Objects.requireNonNull(signerKey, "signerKey");
        Objects.requireNonNull(signer, "signer");
        PeImage parsed = PeImage.parse(image);
        byte[] body = parsed.withoutCertificates();
        body = Arrays.copyOf(body, (body.length + 7) & ~7);
        PeImage base = PeImage.parse(body);
        if (base.certificateTableEntryOffset() < 0) {
            throw new MalformedStructureException("PE image", "NumberOfRvaAndSizes", "NumberOfRvaAndSizes is "
                    + base.numberOfRvaAndSizes() + ", expected at least 5 to have a Certificate Table entry");
        }
        byte[] digest = hash(base, "SHA-256");
        byte[] signedData = signedData(digest, signerKey, signer, intermediates);

        List<WinCertificate> table = new ArrayList<>(parsed.certificates());
        table.add(WinCertificate.pkcsSignedData(signedData));
        int tableSize = table.stream().mapToInt(WinCertificate::paddedLength).sum();
        byte[] out = Arrays.copyOf(body, body.length + tableSize);
        int at = body.length;
        for (WinCertificate c : table) {
            byte[] e = c.toBytes();
            System.arraycopy(e, 0, out, at, e.length);
            at += e.length;
        }
        int entry = base.certificateTableEntryOffset();
        LittleEndian.put32(out, entry, body.length);
        LittleEndian.put32(out, entry + 4, tableSize);
        PeImage.updateCheckSum(out, base.checkSumOffset());
        return out;
    }

    private static byte[] signedData(byte[] digest, PrivateKey key, X509Certificate signer,
            X509Certificate... intermediates) {
        SpcIndirectDataContent idc = new SpcIndirectDataContent(
                new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE), digest);
        ASN1Sequence idcAsn1 = idc.toAsn1();
        try {
            String algorithm = key instanceof ECPrivateKey ? "SHA256withECDSA" : "SHA256withRSA";
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder()
                    .build()).setSignedAttributeGenerator(Authenticode::signedAttributes)
                    .build(new JcaContentSignerBuilder(algorithm).build(key), signer));
            List<X509Certificate> certs = new ArrayList<>();
            certs.add(signer);
            certs.addAll(Arrays.asList(intermediates));
            gen.addCertificates(new JcaCertStore(certs));
            // Authenticode signs the SpcIndirectDataContent's contents without its tag and length, but carries the
            // whole SEQUENCE as the content (PKCS#7 ANY, not CMS's OCTET STRING): sign detached, then put it in
            CMSSignedData detached = gen.generate(new CMSProcessableByteArray(SpcIndirectDataContent.SPC_INDIRECT_DATA,
                    SpcIndirectDataContent.signedBytes(idcAsn1)), false);
            SignedData sd = SignedData.getInstance(detached.toASN1Structure().getContent());
            SignedData withContent = new SignedData(sd.getDigestAlgorithms(),
                    new ContentInfo(SpcIndirectDataContent.SPC_INDIRECT_DATA, idcAsn1), sd.getCertificates(),
                    sd.getCRLs(), sd.getSignerInfos());
            return new ContentInfo(CMSObjectIdentifiers.signedData, withContent).getEncoded(ASN1Encoding.DER);
        } catch (OperatorCreationException | GeneralSecurityException | CMSException e) {
            throw new IllegalStateException("cannot sign the image as " + signer.getSubjectX500Principal() + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static AttributeTable signedAttributes(Map<String, Object> params) {
        Hashtable<ASN1ObjectIdentifier, Attribute> t = new Hashtable<>();
        ASN1ObjectIdentifier type = (ASN1ObjectIdentifier) params.get(CMSAttributeTableGenerator.CONTENT_TYPE);
        byte[] digest = (byte[]) params.get(CMSAttributeTableGenerator.DIGEST);
        put(t, CMSAttributes.contentType, type);
        put(t, CMSAttributes.messageDigest, new DEROctetString(digest));
        put(t, SpcIndirectDataContent.SPC_SP_OPUS_INFO, new DERSequence());
        put(t, SpcIndirectDataContent.SPC_STATEMENT_TYPE,
                new DERSequence(SpcIndirectDataContent.SPC_INDIVIDUAL_SP_KEY_PURPOSE));
        return new AttributeTable(t);
    }

    private static void put(Hashtable<ASN1ObjectIdentifier, Attribute> t, ASN1ObjectIdentifier oid,
            ASN1Encodable value) {
        t.put(oid, new Attribute(oid, new DERSet(value)));
    }

    /**
     * The Authenticode signatures of an image, one per PKCS_SIGNED_DATA entry of its certificate table.
     *
     * @param image a PE32+ file
     * @return the parsed signatures in table order; empty for an unsigned image
     * @throws MalformedStructureException if the image or a signature does not parse
     */
    public static List<AuthenticodeSignature> signatures(byte[] image) {
        List<AuthenticodeSignature> out = new ArrayList<>();
        for (WinCertificate c : PeImage.parse(image).certificates()) {
            if (c.certificateType() == WinCertificate.WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
                out.add(AuthenticodeSignature.parse(c.certificate()));
            }
        }
        return out;
    }
}
