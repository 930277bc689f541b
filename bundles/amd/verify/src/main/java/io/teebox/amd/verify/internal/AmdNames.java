package io.teebox.amd.verify.internal;

import java.security.cert.X509Certificate;

import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

import io.teebox.kit.hex.Hex;

/** How the verifiers name certificates and bytes in their reasons. */
final class AmdNames {

    private AmdNames() {
    }

    /** @return the certificate's CN, or the JDK's rendering of its subject when Bouncy Castle cannot read it */
    static String cn(X509Certificate c) {
        try {
            RDN[] cns = X500Name.getInstance(c.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
            if (cns.length > 0) {
                return IETFUtils.valueToString(cns[0].getFirst().getValue());
            }
        } catch (IllegalArgumentException e) {
            // a name Bouncy Castle cannot decode (a UTF8String that is not UTF-8): the JDK's rendering of it
        }
        return c.getSubjectX500Principal().getName();
    }

    static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    /** @return the first 8 bytes in hex, then "..." if there are more */
    static String abbreviate(byte[] b) {
        String h = Hex.encode(b);
        return h.length() > 16 ? h.substring(0, 16) + "..." : h;
    }
}
