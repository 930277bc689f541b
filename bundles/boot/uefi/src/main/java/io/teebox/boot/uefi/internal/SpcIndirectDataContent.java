package io.teebox.boot.uefi.internal;

import io.teebox.kit.codec.MalformedStructureException;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBMPString;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.DigestInfo;

/**
 * Authenticode's SpcIndirectDataContent for a PE image: {@code SEQUENCE { data SpcAttributeTypeAndOptionalValue
 * { type SPC_PE_IMAGE_DATAOBJ, value SpcPeImageData }, messageDigest DigestInfo }}. SpcPeImageData carries empty
 * flags and the file link {@code [0] { [2] { [0] "<<<Obsolete>>>" } }} that signing tools write.
 */
public final class SpcIndirectDataContent {

    /** SPC_INDIRECT_DATA_OBJID, the content type of an Authenticode SignedData. */
    public static final ASN1ObjectIdentifier SPC_INDIRECT_DATA = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.4");
    /** SPC_PE_IMAGE_DATAOBJ. */
    public static final ASN1ObjectIdentifier SPC_PE_IMAGE_DATA = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.15");
    /** SPC_STATEMENT_TYPE_OBJID, a signed attribute. */
    public static final ASN1ObjectIdentifier SPC_STATEMENT_TYPE = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.11");
    /** SPC_SP_OPUS_INFO_OBJID, a signed attribute. */
    public static final ASN1ObjectIdentifier SPC_SP_OPUS_INFO = new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.12");
    /** SPC_INDIVIDUAL_SP_KEY_PURPOSE_OBJID, the statement type of individual code signing. */
    public static final ASN1ObjectIdentifier SPC_INDIVIDUAL_SP_KEY_PURPOSE =
            new ASN1ObjectIdentifier("1.3.6.1.4.1.311.2.1.21");

    private final AlgorithmIdentifier digestAlgorithm;
    private final byte[] digest;

    /**
     * Creates the content.
     *
     * @param digestAlgorithm the image hash's algorithm
     * @param digest the image's Authenticode hash
     */
    public SpcIndirectDataContent(AlgorithmIdentifier digestAlgorithm, byte[] digest) {
        this.digestAlgorithm = digestAlgorithm;
        this.digest = digest.clone();
    }

    /**
     * The image hash's algorithm.
     *
     * @return its AlgorithmIdentifier
     */
    public AlgorithmIdentifier digestAlgorithm() {
        return digestAlgorithm;
    }

    /**
     * The image hash.
     *
     * @return a copy
     */
    public byte[] digest() {
        return digest.clone();
    }

    /**
     * The ASN.1 SEQUENCE.
     *
     * @return the structure
     */
    public ASN1Sequence toAsn1() {
        DERSequence link = new DERSequence(new ASN1Encodable[] {new DERBitString(new byte[0]),
            new DERTaggedObject(true, 0, new DERTaggedObject(true, 2,
                    new DERTaggedObject(false, 0, new DERBMPString("<<<Obsolete>>>"))))});
        DERSequence data = new DERSequence(new ASN1Encodable[] {SPC_PE_IMAGE_DATA, link});
        return new DERSequence(new ASN1Encodable[] {data, new DigestInfo(digestAlgorithm, digest)});
    }

    /**
     * The bytes Authenticode signs: the SEQUENCE's contents without its tag and length.
     *
     * @param sequence an SpcIndirectDataContent
     * @return the DER encodings of its elements, concatenated
     */
    public static byte[] signedBytes(ASN1Sequence sequence) {
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            for (ASN1Encodable e : sequence) {
                out.write(e.toASN1Primitive().getEncoded(ASN1Encoding.DER));
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads the content.
     *
     * @param content the encapsulated content of an Authenticode SignedData
     * @return the content
     * @throws MalformedStructureException if it is not an SpcIndirectDataContent for a PE image
     */
    public static SpcIndirectDataContent parse(ASN1Encodable content) {
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(content);
            if (seq.size() != 2) {
                throw fail("SpcIndirectDataContent has " + seq.size() + " elements, expected 2");
            }
            ASN1Sequence data = ASN1Sequence.getInstance(seq.getObjectAt(0));
            ASN1ObjectIdentifier type = ASN1ObjectIdentifier.getInstance(data.getObjectAt(0));
            if (!SPC_PE_IMAGE_DATA.equals(type)) {
                throw fail("SpcIndirectDataContent data type is " + type + ", expected " + SPC_PE_IMAGE_DATA
                        + " (SPC_PE_IMAGE_DATAOBJ)");
            }
            ASN1Sequence info = ASN1Sequence.getInstance(seq.getObjectAt(1));
            AlgorithmIdentifier alg = AlgorithmIdentifier.getInstance(info.getObjectAt(0));
            byte[] digest = ASN1OctetString.getInstance(info.getObjectAt(1)).getOctets();
            return new SpcIndirectDataContent(alg, digest);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException
                | ArrayIndexOutOfBoundsException e) {
            if (e instanceof MalformedStructureException m) {
                throw m;
            }
            throw fail("SpcIndirectDataContent is not DER of the expected shape: " + e.getMessage());
        }
    }

    private static MalformedStructureException fail(String message) {
        return new MalformedStructureException("SpcIndirectDataContent", null, message);
    }
}
