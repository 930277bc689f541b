package io.teebox.intel.tdx.internal;

import io.teebox.intel.tdx.abi.EnclaveReport;
import io.teebox.intel.tdx.abi.QuoteV4;
import io.teebox.intel.tdx.abi.TdReport;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.x509.X509Authority;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * The TD quoting enclave: checks a TDREPORT with EVERIFYREPORT2 (its MAC under the platform's report key) and signs a
 * DCAP Quote v4 over it with its ECDSA P-256 attestation key. The QE's own report binds the attestation key
 * (REPORTDATA = SHA-256(attestation key || QE authentication data) || 32 zero bytes) and is signed with the PCK key,
 * whose certificate chain (PCK, Platform CA, Intel root) the quote carries as PEM.
 */
final class QuotingEnclave {

    /** The QE authentication data: 32 bytes, as Intel's QE sends them. */
    static final byte[] AUTH_DATA = authData();

    private final TdxPlatform platform;
    private final KeyPair attestationKey;
    private final PrivateKey pckKey;
    private final List<byte[]> pckChain;
    private final Function<TdReport, String> verifier;

    /**
     * @param platform the platform (QE SVN, CPUSVN, QE id)
     * @param pckKey the PCK private key
     * @param pckChain the DER PCK chain, leaf first
     * @param verifier EVERIFYREPORT2: null for a good report, else why it fails
     */
    QuotingEnclave(TdxPlatform platform, PrivateKey pckKey, List<byte[]> pckChain,
            Function<TdReport, String> verifier) {
        this.platform = platform;
        this.attestationKey = platform.attestationKey();
        this.pckKey = pckKey;
        this.pckChain = pckChain.stream().map(byte[]::clone).toList();
        this.verifier = verifier;
    }

    private static byte[] authData() {
        byte[] a = new byte[32];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) i;
        }
        return a;
    }

    List<byte[]> pckChain() {
        return pckChain.stream().map(byte[]::clone).toList();
    }

    /** @return the attestation public key as X || Y (64 bytes, big-endian) */
    byte[] attestationPublicKey() {
        BigInteger[] xy = EcKeys.publicPoint(attestationKey.getPublic());
        return Signatures.toRaw(xy[0], xy[1], 32);
    }

    /**
     * @param tdReport a TDREPORT_STRUCT
     * @return the Quote v4
     * @throws io.teebox.api.tee.TeeException with TDX_INVALID_REPORTMACSTRUCT if the report does not verify, or
     *             TDX_OPERAND_INVALID if it is malformed
     */
    QuoteV4 quote(byte[] tdReport) {
        TdReport report;
        try {
            report = TdReport.parse(tdReport);
        } catch (MalformedStructureException e) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("the quoting enclave got a malformed TDREPORT: " + e.getMessage());
        }
        String bad = verifier.apply(report);
        if (bad != null) {
            throw TdxStatus.TDX_INVALID_REPORTMACSTRUCT.error("the quoting enclave's EVERIFYREPORT2 refused the "
                    + "TDREPORT: " + bad);
        }
        byte[] userData = Arrays.copyOf(platform.qeId(), 20);
        Struct header = QuoteV4.HEADER.create()
                .set("VERSION", QuoteV4.VERSION)
                .set("ATT_KEY_TYPE", QuoteV4.ATT_KEY_TYPE_ECDSA_P256)
                .set("TEE_TYPE", QuoteV4.TEE_TYPE_TDX)
                .set("QE_VENDOR_ID", QuoteV4.INTEL_QE_VENDOR_ID)
                .set("USER_DATA", userData);
        Struct body = QuoteV4.BODY.create()
                .set("TEE_TCB_SVN", report.teeTcbSvn())
                .set("MRSEAM", report.mrSeam())
                .set("MRSIGNERSEAM", report.mrSignerSeam())
                .set("SEAMATTRIBUTES", report.seamAttributes())
                .set("TDATTRIBUTES", report.attributes())
                .set("XFAM", report.xfam())
                .set("MRTD", report.mrtd())
                .set("MRCONFIGID", report.mrConfigId())
                .set("MROWNER", report.mrOwner())
                .set("MROWNERCONFIG", report.mrOwnerConfig())
                .set("RTMR0", report.rtmr(0))
                .set("RTMR1", report.rtmr(1))
                .set("RTMR2", report.rtmr(2))
                .set("RTMR3", report.rtmr(3))
                .set("REPORTDATA", report.reportData());
        byte[] ak = attestationPublicKey();
        byte[] binding = Arrays.copyOf(Digests.sha256(ak, AUTH_DATA), 64);
        Struct qeReport = EnclaveReport.LAYOUT.create()
                .set("CPUSVN", platform.cpuSvn())
                .set("MISCSELECT", 0)
                .set("ATTRIBUTES.FLAGS", IntelIdentities.QE_FLAGS)
                .set("ATTRIBUTES.XFRM", IntelIdentities.QE_XFRM)
                .set("MRENCLAVE", IntelIdentities.QE_MRENCLAVE)
                .set("MRSIGNER", IntelIdentities.QE_MRSIGNER)
                .set("ISVPRODID", IntelIdentities.QE_ISVPRODID)
                .set("ISVSVN", platform.qeSvn())
                .set("REPORTDATA", binding);
        byte[] qeSig = raw(Signatures.ecdsaSign(pckKey, "SHA-256", qeReport.toBytes()));
        QuoteV4 unsigned = new QuoteV4(header, body, new byte[64], ak, qeReport, qeSig, AUTH_DATA, pem());
        byte[] sig = raw(Signatures.ecdsaSign(attestationKey.getPrivate(), "SHA-256", unsigned.signedBytes()));
        return new QuoteV4(header, body, sig, ak, qeReport, qeSig, AUTH_DATA, pem());
    }

    private byte[] pem() {
        List<X509Certificate> certs = new ArrayList<>();
        for (byte[] der : pckChain) {
            certs.add(X509Authority.certificateFromDer(der));
        }
        return X509Authority.toPem(certs.toArray(new X509Certificate[0])).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] raw(BigInteger[] rs) {
        return Signatures.toRaw(rs[0], rs[1], 32);
    }
}
