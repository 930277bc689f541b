package io.teebox.boot.uefi;

import io.teebox.boot.uefi.internal.Chains;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.BouncyCastle;
import io.teebox.kit.firmware.EfiGuid;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.cms.CMSObjectIdentifiers;
import org.bouncycastle.asn1.cms.ContentInfo;
import org.bouncycastle.asn1.cms.SignedData;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaCertStore;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.CMSProcessableByteArray;
import org.bouncycastle.cms.CMSSignedData;
import org.bouncycastle.cms.CMSSignedDataGenerator;
import org.bouncycastle.cms.SignerInformation;
import org.bouncycastle.cms.jcajce.JcaSignerInfoGeneratorBuilder;
import org.bouncycastle.cms.jcajce.JcaSimpleSignerInfoVerifierBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * A time-based authenticated write of a Secure Boot variable as SetVariable() takes it (UEFI 2.10, 8.2.2):
 * EFI_VARIABLE_AUTHENTICATION_2 ({@code TimeStamp} EFI_TIME, then {@code AuthInfo}, a WIN_CERTIFICATE_UEFI_GUID of
 * wRevision 0x0200, wCertificateType WIN_CERT_TYPE_EFI_GUID and CertType EFI_CERT_TYPE_PKCS7_GUID whose CertData is
 * a detached PKCS#7 SignedData, the bare SignedData as efitools writes it; edk2 also takes one wrapped in a
 * ContentInfo, and so does {@link #verify}) followed by the new variable data. The SignedData signs, with SHA-256,
 * VariableName (UTF-16LE, no terminator), VendorGuid, Attributes (u32), TimeStamp and the data. Immutable.
 *
 * @param timestamp the TimeStamp
 * @param signedData CertData: the DER PKCS#7 SignedData
 * @param data the variable data, e.g. an EFI_SIGNATURE_LIST for db
 */
public record AuthenticatedVariable(EfiTime timestamp, byte[] signedData, byte[] data) {

    /** EFI_CERT_TYPE_PKCS7_GUID. */
    public static final UUID EFI_CERT_TYPE_PKCS7 = UUID.fromString("4aafd29d-68df-49ee-8aa9-347d375665a7");
    /** EFI_VARIABLE_NON_VOLATILE. */
    public static final long NON_VOLATILE = 0x01;
    /** EFI_VARIABLE_BOOTSERVICE_ACCESS. */
    public static final long BOOTSERVICE_ACCESS = 0x02;
    /** EFI_VARIABLE_RUNTIME_ACCESS. */
    public static final long RUNTIME_ACCESS = 0x04;
    /** EFI_VARIABLE_TIME_BASED_AUTHENTICATED_WRITE_ACCESS. */
    public static final long TIME_BASED_AUTHENTICATED_WRITE_ACCESS = 0x20;
    /** EFI_VARIABLE_APPEND_WRITE. */
    public static final long APPEND_WRITE = 0x40;
    /** The attributes of PK, KEK, db and dbx: non-volatile, boot and runtime access, time-based authenticated. */
    public static final long SECURE_BOOT_ATTRIBUTES = NON_VOLATILE | BOOTSERVICE_ACCESS | RUNTIME_ACCESS
            | TIME_BASED_AUTHENTICATED_WRITE_ACCESS;

    /** The bytes before CertData: TimeStamp, dwLength, wRevision, wCertificateType, CertType. */
    private static final int HEADER = 16 + WinCertificate.HEADER_SIZE + 16;

    /**
     * Copies the arrays.
     */
    public AuthenticatedVariable {
        Objects.requireNonNull(timestamp, "timestamp");
        signedData = Objects.requireNonNull(signedData, "signedData").clone();
        data = Objects.requireNonNull(data, "data").clone();
    }

    /**
     * The SignedData.
     *
     * @return a copy
     */
    @Override
    public byte[] signedData() {
        return signedData.clone();
    }

    /**
     * The variable data.
     *
     * @return a copy
     */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * The bytes the signature covers.
     *
     * @param name the variable name, e.g. "db"
     * @param vendorGuid the variable's vendor GUID
     * @param attributes the SetVariable attributes
     * @param timestamp the TimeStamp
     * @param data the variable data
     * @return VariableName, VendorGuid, Attributes, TimeStamp and data, concatenated
     */
    public static byte[] signedBytes(String name, UUID vendorGuid, long attributes, EfiTime timestamp, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(name.getBytes(StandardCharsets.UTF_16LE));
        out.writeBytes(EfiGuid.bytes(vendorGuid));
        byte[] a = new byte[4];
        LittleEndian.put32(a, 0, attributes);
        out.writeBytes(a);
        out.writeBytes(timestamp.toBytes());
        out.writeBytes(data);
        return out.toByteArray();
    }

    /**
     * Signs a variable write: a detached PKCS#7 SignedData with SHA-256, no signed attributes, the signer's
     * certificate included, not wrapped in a ContentInfo (the form efitools' sign-efi-sig-list writes).
     *
     * @param name the variable name: "PK", "KEK", "db" or "dbx"
     * @param attributes the SetVariable attributes, normally {@link #SECURE_BOOT_ATTRIBUTES}
     * @param timestamp the TimeStamp
     * @param data the new variable data
     * @param key the signer's private key (PK's for PK and KEK, a KEK's for db and dbx)
     * @param signer the signer's certificate
     * @return the authenticated write
     * @throws IllegalArgumentException if the name is not a Secure Boot variable
     * @throws IllegalStateException if the signature cannot be made
     */
    public static AuthenticatedVariable sign(String name, long attributes, EfiTime timestamp, byte[] data,
            PrivateKey key, X509Certificate signer) {
        byte[] signable = signedBytes(name, SecureBootVariables.vendorGuid(name), attributes, timestamp, data);
        try {
            CMSSignedDataGenerator gen = new CMSSignedDataGenerator();
            gen.addSignerInfoGenerator(new JcaSignerInfoGeneratorBuilder(new JcaDigestCalculatorProviderBuilder()
                    .build()).setDirectSignature(true).build(new JcaContentSignerBuilder("SHA256withRSA").build(key),
                    signer));
            gen.addCertificates(new JcaCertStore(List.of(signer)));
            CMSSignedData sd = gen.generate(new CMSProcessableByteArray(signable), false);
            return new AuthenticatedVariable(timestamp,
                    sd.toASN1Structure().getContent().toASN1Primitive().getEncoded(ASN1Encoding.DER), data);
        } catch (OperatorCreationException | GeneralSecurityException | CMSException e) {
            throw new IllegalStateException("cannot sign variable " + name + " as "
                    + signer.getSubjectX500Principal() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Encodes what SetVariable() takes: EFI_VARIABLE_AUTHENTICATION_2 and the data.
     *
     * @return the bytes
     */
    public byte[] toBytes() {
        byte[] out = new byte[HEADER + signedData.length + data.length];
        System.arraycopy(timestamp.toBytes(), 0, out, 0, 16);
        LittleEndian.put32(out, 16, WinCertificate.HEADER_SIZE + 16 + signedData.length);
        LittleEndian.put16(out, 20, WinCertificate.WIN_CERT_REVISION_2_0);
        LittleEndian.put16(out, 22, WinCertificate.WIN_CERT_TYPE_EFI_GUID);
        EfiGuid.write(EFI_CERT_TYPE_PKCS7, out, 24);
        System.arraycopy(signedData, 0, out, HEADER, signedData.length);
        System.arraycopy(data, 0, out, HEADER + signedData.length, data.length);
        return out;
    }

    /**
     * Parses what SetVariable() takes.
     *
     * @param bytes EFI_VARIABLE_AUTHENTICATION_2 and the data
     * @return the write
     * @throws MalformedStructureException if the header is truncated, wRevision, wCertificateType or CertType is
     *         not the expected one, or dwLength runs past the end
     */
    public static AuthenticatedVariable parse(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        if (bytes.length < HEADER) {
            throw fail("EFI_VARIABLE_AUTHENTICATION_2 is " + bytes.length + " bytes, shorter than its " + HEADER
                    + "-byte header");
        }
        EfiTime ts = EfiTime.parse(bytes, 0);
        long length = LittleEndian.u32(bytes, 16);
        int revision = LittleEndian.u16(bytes, 20);
        int type = LittleEndian.u16(bytes, 22);
        UUID certType = EfiGuid.read(bytes, 24);
        if (revision != WinCertificate.WIN_CERT_REVISION_2_0) {
            throw fail(String.format("AuthInfo wRevision is 0x%04X, expected 0x%04X", revision,
                    WinCertificate.WIN_CERT_REVISION_2_0));
        }
        if (type != WinCertificate.WIN_CERT_TYPE_EFI_GUID) {
            throw fail(String.format("AuthInfo wCertificateType is 0x%04X, expected 0x%04X (WIN_CERT_TYPE_EFI_GUID)",
                    type, WinCertificate.WIN_CERT_TYPE_EFI_GUID));
        }
        if (!certType.equals(EFI_CERT_TYPE_PKCS7)) {
            throw fail("AuthInfo CertType is " + certType + ", expected " + EFI_CERT_TYPE_PKCS7
                    + " (EFI_CERT_TYPE_PKCS7_GUID)");
        }
        if (length <= WinCertificate.HEADER_SIZE + 16 || 16 + length > bytes.length) {
            throw fail("AuthInfo dwLength is " + length + ", expected more than 24 and at most the "
                    + (bytes.length - 16) + " bytes after TimeStamp");
        }
        int end = 16 + (int) length;
        return new AuthenticatedVariable(ts, Arrays.copyOfRange(bytes, HEADER, end),
                Arrays.copyOfRange(bytes, end, bytes.length));
    }

    private static MalformedStructureException fail(String message) {
        return new MalformedStructureException("EFI_VARIABLE_AUTHENTICATION_2", null, message);
    }

    /**
     * Whether this write is signed, for this variable, by a certificate that leads to a trusted one (PK for PK and
     * KEK, a KEK entry for db and dbx).
     *
     * @param name the variable name
     * @param attributes the SetVariable attributes
     * @param trusted the certificate that may authorise the write
     * @return true if the SignedData has the shape UEFI asks for (version 1, detached id-data content, one signer
     *         using SHA-256), its signature verifies over the signed bytes and its signer leads to {@code trusted}
     * @throws MalformedStructureException if the SignedData does not parse
     */
    public boolean verify(String name, long attributes, X509Certificate trusted) {
        byte[] signable = signedBytes(name, SecureBootVariables.vendorGuid(name), attributes, timestamp, data);
        CMSSignedData cms;
        try {
            ASN1Sequence top = ASN1Sequence.getInstance(signedData);
            ContentInfo ci = top.getObjectAt(0) instanceof ASN1ObjectIdentifier ? ContentInfo.getInstance(top)
                    : new ContentInfo(CMSObjectIdentifiers.signedData, SignedData.getInstance(top));
            SignedData sd = SignedData.getInstance(ci.getContent());
            // the shape UEFI 8.2.2 asks for: version 1, detached id-data content, SHA-256
            if (sd.getVersion().intValueExact() != 1 || !CMSObjectIdentifiers.data.equals(
                    sd.getEncapContentInfo().getContentType()) || sd.getEncapContentInfo().getContent() != null) {
                return false;
            }
            cms = new CMSSignedData(new CMSProcessableByteArray(signable), ci);
        } catch (CMSException | RuntimeException e) {
            throw fail("AuthInfo CertData is not a DER PKCS#7 SignedData: " + e.getMessage());
        }
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter().setProvider(BouncyCastle.provider());
        List<X509Certificate> certs = new ArrayList<>();
        X509Certificate signer = null;
        try {
            Collection<SignerInformation> signers = cms.getSignerInfos().getSigners();
            if (signers.size() != 1) {
                return false;
            }
            SignerInformation si = signers.iterator().next();
            if (!NISTObjectIdentifiers.id_sha256.getId().equals(si.getDigestAlgOID())) {
                return false;
            }
            for (X509CertificateHolder h : cms.getCertificates().getMatches(null)) {
                X509Certificate c = conv.getCertificate(h);
                certs.add(c);
                if (si.getSID().match(h)) {
                    signer = c;
                }
            }
            if (signer == null || Chains.pathTo(signer, certs, trusted).isEmpty()) {
                return false;
            }
            return si.verify(new JcaSimpleSignerInfoVerifierBuilder().setProvider(BouncyCastle.provider())
                    .build(signer));
        } catch (CertificateException | CMSException | OperatorCreationException | RuntimeException e) {
            // a SignedData whose signer, certificates or signature do not decode authorises nothing
            return false;
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AuthenticatedVariable v && v.timestamp.equals(timestamp)
                && Arrays.equals(v.signedData, signedData) && Arrays.equals(v.data, data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(timestamp, Arrays.hashCode(signedData), Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return "EFI_VARIABLE_AUTHENTICATION_2{TimeStamp=" + timestamp + ", " + signedData.length
                + "-byte SignedData, " + data.length + " bytes of data}";
    }
}
