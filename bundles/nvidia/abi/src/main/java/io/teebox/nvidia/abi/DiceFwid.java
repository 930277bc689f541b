package io.teebox.nvidia.abi;

import java.io.IOException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Objects;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

import io.teebox.kit.codec.MalformedStructureException;

/**
 * The FWID of a GPU's device leaf certificate ("GH100 A01 GSP FMC LF"), which must equal the report's opaque FWID.
 * NVIDIA's leaf carries it in the extension with OID 2.23.133.5.4.1 (TCG DICE) in the shape of the DICE composite
 * device identifier: {@code SEQUENCE { version INTEGER, deviceKey SubjectPublicKeyInfo, fwid SEQUENCE { hashAlg
 * OBJECT IDENTIFIER, digest OCTET STRING } }}, the digest SHA-384. A TCG DiceTcbInfo under the same OID ({@code fwids
 * [6] SEQUENCE OF FWID}) is read too. NVIDIA's verifier takes the extension's last 48 bytes, which in NVIDIA's shape
 * is that digest.
 */
public final class DiceFwid {

    /** The TCG DICE extension OID NVIDIA's leaf carries and NVIDIA's verifier reads. */
    public static final String OID = "2.23.133.5.4.1";
    /**
     * The alias OID of the same extension that NVIDIA's newer attestation library also reads (its
     * {@code OID_TCG_DICE_TCB_INFO_ALIAS}, which Blackwell leaves carry); read when {@link #OID} is absent.
     */
    public static final String OID_ALIAS = "2.23.133.5.4.1.1";
    /** SHA-384's OID, the FWID's hash. */
    public static final String SHA384 = "2.16.840.1.101.3.4.2.2";
    private static final String STRUCT = "DiceFwid";

    private DiceFwid() {
    }

    /**
     * @param leaf the device leaf certificate
     * @return its 48-byte FWID
     * @throws MalformedStructureException if it has no such extension or the extension holds no SHA-384 FWID
     */
    public static byte[] of(X509Certificate leaf) {
        byte[] ext = leaf.getExtensionValue(OID);
        if (ext == null) {
            ext = leaf.getExtensionValue(OID_ALIAS);
        }
        if (ext == null) {
            throw new MalformedStructureException(STRUCT, OID, "the certificate '" + leaf.getSubjectX500Principal()
                    + "' carries no TCG DICE extension " + OID + " (nor " + OID_ALIAS + ")");
        }
        try {
            return fromExtensionValue(ASN1OctetString.getInstance(ext).getOctets());
        } catch (IllegalArgumentException e) {
            if (e instanceof MalformedStructureException m) {
                throw m;
            }
            throw new MalformedStructureException(STRUCT, OID, "the extension " + OID + " is not DER: "
                    + e.getMessage());
        }
    }

    /**
     * @param value the extension's extnValue contents (DER)
     * @return the 48-byte SHA-384 FWID it carries
     * @throws MalformedStructureException if it is neither shape or carries no SHA-384 FWID
     */
    public static byte[] fromExtensionValue(byte[] value) {
        ASN1Sequence seq;
        try {
            ASN1Primitive p = value.length == 0 ? null : ASN1Primitive.fromByteArray(value);
            if (p == null || !Arrays.equals(p.getEncoded(ASN1Encoding.DER), value)) {
                throw new MalformedStructureException(STRUCT, OID, "the extension " + OID + " holds "
                        + value.length + " bytes that are not one DER value");
            }
            seq = ASN1Sequence.getInstance(p);
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedStructureException m) {
                throw m;
            }
            throw new MalformedStructureException(STRUCT, OID, "the extension " + OID + " is not a DER SEQUENCE: "
                    + e.getMessage());
        }
        try {
            return read(seq);
        } catch (MalformedStructureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MalformedStructureException(STRUCT, OID, "the extension " + OID + " does not hold a FWID: "
                    + e.getMessage());
        }
    }

    private static byte[] read(ASN1Sequence seq) {
        // NVIDIA's shape: version, device key, FWID
        if (seq.size() == 3 && seq.getObjectAt(0) instanceof ASN1Integer
                && seq.getObjectAt(2) instanceof ASN1Sequence fwid) {
            return fwid(fwid, "fwid");
        }
        // TCG DiceTcbInfo: fwids [6] IMPLICIT SEQUENCE OF FWID
        for (ASN1Encodable e : seq) {
            if (e instanceof ASN1TaggedObject t && t.getTagNo() == 6) {
                ASN1Sequence list = ASN1Sequence.getInstance(t, false);
                for (ASN1Encodable f : list) {
                    ASN1Sequence one = ASN1Sequence.getInstance(f);
                    if (one.size() == 2 && SHA384.equals(ASN1ObjectIdentifier.getInstance(one.getObjectAt(0))
                            .getId())) {
                        return fwid(one, "fwids");
                    }
                }
                throw new MalformedStructureException(STRUCT, "fwids", "the DiceTcbInfo's fwids hold no SHA-384 "
                        + "FWID");
            }
        }
        throw new MalformedStructureException(STRUCT, OID, "the extension " + OID + " is a SEQUENCE of "
                + seq.size() + " elements, neither {version, deviceKey, fwid} nor a DiceTcbInfo with fwids");
    }

    private static byte[] fwid(ASN1Sequence fwid, String field) {
        if (fwid.size() != 2 || !(fwid.getObjectAt(0) instanceof ASN1ObjectIdentifier alg)
                || !(fwid.getObjectAt(1) instanceof ASN1OctetString digest)) {
            throw new MalformedStructureException(STRUCT, field, "the " + field + " is not {hashAlg OID, digest "
                    + "OCTET STRING}");
        }
        if (!SHA384.equals(alg.getId())) {
            throw new MalformedStructureException(STRUCT, field, "the " + field + " hash is " + alg.getId()
                    + ", expected SHA-384 (" + SHA384 + ")");
        }
        byte[] d = digest.getOctets();
        if (d.length != OpaqueData.FWID_LENGTH) {
            throw new MalformedStructureException(STRUCT, field, "the " + field + " digest is " + d.length
                    + " bytes, expected " + OpaqueData.FWID_LENGTH);
        }
        return d;
    }

    /**
     * The extension value NVIDIA's leaf carries, for a device leaf teebox issues.
     *
     * @param deviceKey the device key (the leaf's own public key in NVIDIA's certificates)
     * @param fwid the 48-byte FWID
     * @return the DER extnValue contents for OID {@link #OID}
     */
    public static byte[] extensionValue(PublicKey deviceKey, byte[] fwid) {
        Objects.requireNonNull(deviceKey, "deviceKey");
        if (fwid.length != OpaqueData.FWID_LENGTH) {
            throw new IllegalArgumentException("the FWID is " + fwid.length + " bytes, expected "
                    + OpaqueData.FWID_LENGTH);
        }
        try {
            return new DERSequence(new ASN1Encodable[] {new ASN1Integer(1),
                SubjectPublicKeyInfo.getInstance(deviceKey.getEncoded()),
                new DERSequence(new ASN1Encodable[] {new ASN1ObjectIdentifier(SHA384), new DEROctetString(fwid)})})
                    .getEncoded(ASN1Encoding.DER);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the DICE extension", e);
        }
    }
}
