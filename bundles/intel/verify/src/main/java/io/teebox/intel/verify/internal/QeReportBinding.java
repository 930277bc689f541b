package io.teebox.intel.verify.internal;

import io.teebox.intel.tdx.abi.Quote;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * How the QE report ties the attestation key to the platform: its REPORTDATA binds the attestation key and the QE
 * authentication data (check {@code qe_report_binding}), and the PCK key signs it (check
 * {@code qe_report_signature}).
 */
final class QeReportBinding {

    private QeReportBinding() {
    }

    /** Check {@code qe_report_binding}: REPORTDATA = SHA-256(attestation key || QE auth data) || 0^32. */
    static void binding(Quote q, Findings out) {
        byte[] reportData = q.qeReport().bytes("REPORTDATA");
        byte[] expected = Arrays.copyOf(Digests.sha256(q.attestationKey(), q.qeAuthData()), 64);
        if (!MessageDigest.isEqual(expected, reportData)) {
            out.fail("qe_report_binding", "QE report REPORTDATA is " + Hex.encode(reportData)
                    + ", expected SHA-256(attestation key || QE auth data) || 0^32 = " + Hex.encode(expected));
        }
    }

    /** Check {@code qe_report_signature}: the PCK certificate's key signs the QE report. */
    static void signature(Quote q, X509Certificate pck, Findings out) {
        BigInteger[] rs = Signatures.fromRaw(q.qeReportSignature());
        if (!Signatures.ecdsaVerify(pck.getPublicKey(), "SHA-256", q.qeReport().toBytes(), rs[0], rs[1])) {
            out.fail("qe_report_signature", "the QE report's signature does not verify with the PCK certificate's "
                    + "key");
        }
    }
}
