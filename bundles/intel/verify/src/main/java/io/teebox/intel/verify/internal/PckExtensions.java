package io.teebox.intel.verify.internal;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;

/**
 * The SGX extension of a PCK certificate (OID 1.2.840.113741.1.13.1): PPID, TCB (16 component SVNs, PCESVN, CPUSVN),
 * PCE-ID, FMSPC and SGX type.
 *
 * @param ppid 16 bytes
 * @param tcbComponents the SGX TCB component SVNs 1..16
 * @param pceSvn the PCE SVN
 * @param cpuSvn 16 bytes
 * @param pceId 2 bytes
 * @param fmspc 6 bytes
 * @param sgxType 0 standard, 1 scalable, 2 scalable with integrity
 */
record PckExtensions(byte[] ppid, int[] tcbComponents, int pceSvn, byte[] cpuSvn, byte[] pceId, byte[] fmspc,
        int sgxType) {

    static final String OID_SGX = "1.2.840.113741.1.13.1";

    /**
     * @param pck the PCK certificate
     * @return its SGX extension
     * @throws IllegalArgumentException naming the missing or malformed part
     */
    static PckExtensions of(X509Certificate pck) {
        byte[] ext = pck.getExtensionValue(OID_SGX);
        if (ext == null) {
            throw new IllegalArgumentException("the PCK certificate has no SGX extension (" + OID_SGX + ")");
        }
        try {
            ASN1Sequence seq = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(
                    ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(ext)).getOctets()));
            byte[] ppid = null;
            byte[] cpuSvn = null;
            byte[] pceId = null;
            byte[] fmspc = null;
            int[] comps = null;
            int pceSvn = -1;
            int type = -1;
            java.util.Set<String> entries = new java.util.HashSet<>();
            for (ASN1Encodable e : seq) {
                ASN1Sequence pair = ASN1Sequence.getInstance(e);
                String oid = ASN1ObjectIdentifier.getInstance(pair.getObjectAt(0)).getId();
                ASN1Encodable v = pair.getObjectAt(1);
                if (!oid.startsWith(OID_SGX + ".")) {
                    throw new IllegalArgumentException("the SGX extension has an entry " + oid + " outside " + OID_SGX);
                }
                if (!entries.add(oid)) {
                    throw new IllegalArgumentException("the SGX extension has " + oid + " twice");
                }
                switch (oid.substring(OID_SGX.length())) {
                    case ".1" -> ppid = octets(v, 16, "PPID");
                    case ".2" -> {
                        comps = new int[16];
                        boolean[] seen = new boolean[19];
                        for (ASN1Encodable t : ASN1Sequence.getInstance(v)) {
                            ASN1Sequence tp = ASN1Sequence.getInstance(t);
                            String toid = ASN1ObjectIdentifier.getInstance(tp.getObjectAt(0)).getId();
                            String prefix = OID_SGX + ".2.";
                            String last = toid.startsWith(prefix) ? toid.substring(prefix.length()) : "";
                            int n = last.matches("[1-9][0-9]?") ? Integer.parseInt(last) : 0;
                            if (n < 1 || n > 18) {
                                throw new IllegalArgumentException("unknown TCB component " + toid);
                            }
                            if (seen[n]) {
                                throw new IllegalArgumentException("the TCB extension has " + toid + " twice");
                            }
                            if (n <= 16) {
                                comps[n - 1] = svn(tp.getObjectAt(1), 255, "TCB component " + n + " (" + toid + ")");
                            } else if (n == 17) {
                                pceSvn = svn(tp.getObjectAt(1), 0xFFFF, "PCESVN (" + toid + ")");
                            } else {
                                cpuSvn = octets(tp.getObjectAt(1), 16, "CPUSVN");
                            }
                            seen[n] = true;
                        }
                        for (int i = 1; i <= 18; i++) {
                            if (!seen[i]) {
                                throw new IllegalArgumentException("the TCB extension lacks " + OID_SGX + ".2." + i);
                            }
                        }
                    }
                    case ".3" -> pceId = octets(v, 2, "PCE-ID");
                    case ".4" -> fmspc = octets(v, 6, "FMSPC");
                    case ".5" -> type = ASN1Enumerated.getInstance(v).intValueExact();
                    default -> {
                    }
                }
            }
            if (ppid == null || comps == null || pceId == null || fmspc == null || type < 0) {
                throw new IllegalArgumentException("the SGX extension lacks one of PPID, TCB, PCE-ID, FMSPC, SGX type");
            }
            return new PckExtensions(ppid, comps, pceSvn, cpuSvn, pceId, fmspc, type);
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && !iae.getMessage().startsWith("unknown object")) {
                throw iae;
            }
            throw new IllegalArgumentException("the SGX extension is malformed: " + e.getMessage(), e);
        }
    }

    private static int svn(ASN1Encodable v, int max, String what) {
        java.math.BigInteger b = ASN1Integer.getInstance(v).getValue();
        if (b.signum() < 0 || b.compareTo(java.math.BigInteger.valueOf(max)) > 0) {
            throw new IllegalArgumentException(what + " is " + b + ", expected 0.." + max);
        }
        return b.intValue();
    }

    private static byte[] octets(ASN1Encodable v, int n, String what) {
        byte[] b = ASN1OctetString.getInstance(v).getOctets();
        if (b.length != n) {
            throw new IllegalArgumentException(what + " is " + b.length + " bytes, expected " + n);
        }
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PckExtensions p && Arrays.equals(p.ppid, ppid) && Arrays.equals(p.fmspc, fmspc)
                && Arrays.equals(p.cpuSvn, cpuSvn) && p.pceSvn == pceSvn;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(ppid);
    }
}
