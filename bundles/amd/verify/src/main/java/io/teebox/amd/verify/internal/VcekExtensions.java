package io.teebox.amd.verify.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.kit.hex.Hex;

/**
 * The AMD extensions of a VCEK or VLEK, read strictly as go-sev-guest's kds package does: only KDS OIDs (and an
 * authority key identifier) are allowed; structVersion 0 (Milan, Genoa: spl4..spl7) or 1 (Turin: spl5..spl7 and
 * fmcSPL); each SPL a DER INTEGER 0..255; the hwID the raw CHIP_ID (64 bytes, Turin 8), or that wrapped in an
 * OCTET STRING.
 *
 * @param vlek whether the certificate is a VLEK
 * @param structVersion structVersion
 * @param productName productName, for example {@code Milan-B0}
 * @param productLine the product line the name starts with
 * @param tcb the TCB_VERSION the SPLs make
 * @param hwid the VCEK's hwID, or null for a VLEK
 * @param cspId the VLEK's CSP_ID, or null for a VCEK
 */
record VcekExtensions(boolean vlek, int structVersion, String productName, String productLine, long tcb,
        byte[] hwid, String cspId) {

    /** @return "VLEK" or "VCEK" */
    String kind() {
        return vlek ? "VLEK" : "VCEK";
    }

    /**
     * @param c a VCEK or VLEK
     * @return its extensions
     * @throws IllegalArgumentException naming the extension that is missing, unknown or malformed
     */
    static VcekExtensions read(X509Certificate c) {
        Set<String> oids = new TreeSet<>();
        if (c.getCriticalExtensionOIDs() != null) {
            oids.addAll(c.getCriticalExtensionOIDs());
        }
        if (c.getNonCriticalExtensionOIDs() != null) {
            oids.addAll(c.getNonCriticalExtensionOIDs());
        }
        for (String oid : oids) {
            if (!oid.startsWith(AmdKeyHierarchy.OID) && !oid.equals("2.5.29.35")) {
                throw new IllegalArgumentException("extension " + oid + " is none AMD's KDS puts in a VCEK or"
                        + " VLEK (only 1.3.6.1.4.1.3704.1.*)");
            }
        }
        int version = integer(c, "1", "structVersion");
        String name = ia5(c, "2", "productName");
        int dash = name.indexOf('-');
        String line = dash < 0 ? name : name.substring(0, dash);
        int expectedVersion = switch (line) {
            case "Milan", "Genoa" -> 0;
            case "Turin" -> 1;
            default -> throw new IllegalArgumentException("productName '" + name
                    + "' is no product line teebox knows (Milan, Genoa, Turin)");
        };
        if (version != expectedVersion) {
            throw new IllegalArgumentException("structVersion is " + version + ", but " + line
                    + " certificates use " + expectedVersion);
        }
        long bl = integer(c, "3.1", "blSPL");
        long tee = integer(c, "3.2", "teeSPL");
        long snp = integer(c, "3.3", "snpSPL");
        long ucode = integer(c, "3.8", "ucodeSPL");
        long spl5 = integer(c, "3.5", "spl5");
        long spl6 = integer(c, "3.6", "spl6");
        long spl7 = integer(c, "3.7", "spl7");
        long tcb;
        if (version == 0) {
            if (c.getExtensionValue(AmdKeyHierarchy.OID + "3.9") != null) {
                throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.3.9 (fmcSPL) is not part "
                        + "of structVersion 0");
            }
            long spl4 = integer(c, "3.4", "spl4");
            tcb = bl | tee << 8 | spl4 << 16 | spl5 << 24 | spl6 << 32 | spl7 << 40 | snp << 48 | ucode << 56;
        } else {
            if (c.getExtensionValue(AmdKeyHierarchy.OID + "3.4") != null) {
                throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.3.4 (spl4) is not part "
                        + "of structVersion 1");
            }
            long fmc = integer(c, "3.9", "fmcSPL");
            tcb = fmc | bl << 8 | tee << 16 | snp << 24 | spl5 << 32 | spl6 << 40 | spl7 << 48 | ucode << 56;
        }
        boolean hasHwid = c.getExtensionValue(AmdKeyHierarchy.OID + "4") != null;
        boolean hasCsp = c.getExtensionValue(AmdKeyHierarchy.OID + "5") != null;
        boolean vlek = AmdNames.cn(c).equals("SEV-VLEK");
        if (hasHwid && hasCsp) {
            throw new IllegalArgumentException("it carries both a hwID and a CSP_ID");
        }
        if (vlek) {
            if (!hasCsp) {
                throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.5 (CSP_ID) is missing");
            }
            if (!name.equals(line)) {
                throw new IllegalArgumentException("productName '" + name + "' carries a stepping, which a "
                        + "VLEK's does not");
            }
            return new VcekExtensions(true, version, name, line, tcb, null, ia5(c, "5", "CSP_ID"));
        }
        if (!hasHwid) {
            throw new IllegalArgumentException("extension 1.3.6.1.4.1.3704.1.4 (hwID) is missing");
        }
        return new VcekExtensions(false, version, name, line, tcb, hwid(raw(c, "4"), version == 0 ? 64 : 8), null);
    }

    /** The hwID as the KDS writes it (the bare bytes), or wrapped in an OCTET STRING of the same size. */
    private static byte[] hwid(byte[] v, int size) {
        if (v.length == size) {
            return v;
        }
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(v);
            if (p instanceof ASN1OctetString o && o.getOctets().length == size && Arrays.equals(p.getEncoded(), v)) {
                return o.getOctets();
            }
        } catch (IOException | RuntimeException e) {
            // reported below
        }
        throw new IllegalArgumentException("the hwID (1.3.6.1.4.1.3704.1.4) is " + v.length + " bytes"
                + (v.length > 0 ? " starting " + Hex.encode(Arrays.copyOf(v, Math.min(4, v.length))) : "")
                + ", expected the raw " + size + "-byte CHIP_ID" + (size == 8 ? " prefix (Turin)" : ""));
    }

    private static byte[] raw(X509Certificate c, String suffix) {
        byte[] v = c.getExtensionValue(AmdKeyHierarchy.OID + suffix);
        if (v == null) {
            return null;
        }
        return ASN1OctetString.getInstance(v).getOctets();
    }

    /** The DER value of a present extension, or a failure naming it as missing. */
    private static ASN1Encodable value(X509Certificate c, String suffix, String name) {
        byte[] v = raw(c, suffix);
        String oid = AmdKeyHierarchy.OID + suffix;
        if (v == null) {
            throw new IllegalArgumentException("extension " + oid + " (" + name + ") is missing");
        }
        try {
            ASN1Primitive p = ASN1Primitive.fromByteArray(v);
            if (!Arrays.equals(p.getEncoded(), v)) {
                throw new IOException("trailing or non-DER bytes");
            }
            return p;
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("extension " + oid + " (" + name + ") is not DER: " + Hex.encode(v));
        }
    }

    private static int integer(X509Certificate c, String suffix, String name) {
        ASN1Encodable p = value(c, suffix, name);
        String oid = AmdKeyHierarchy.OID + suffix;
        if (!(p instanceof ASN1Integer i)) {
            throw new IllegalArgumentException("extension " + oid + " (" + name + ") is not a DER INTEGER: "
                    + Hex.encode(raw(c, suffix)));
        }
        BigInteger x = i.getValue();
        if (x.signum() < 0 || x.bitLength() > 8) {
            throw new IllegalArgumentException("extension " + oid + " (" + name + ") is " + x + ", expected 0..255");
        }
        return x.intValue();
    }

    private static String ia5(X509Certificate c, String suffix, String name) {
        ASN1Encodable p = value(c, suffix, name);
        if (!(p instanceof DERIA5String s)) {
            throw new IllegalArgumentException("extension " + AmdKeyHierarchy.OID + suffix + " (" + name
                    + ") is not an IA5String: " + Hex.encode(raw(c, suffix)));
        }
        return s.getString();
    }
}
