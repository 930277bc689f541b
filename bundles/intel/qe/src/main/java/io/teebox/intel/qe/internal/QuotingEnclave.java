package io.teebox.intel.qe.internal;

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
import io.teebox.intel.pcs.IntelPcs;
import io.teebox.intel.qe.TdQuotingEnclave;
import io.teebox.intel.tdx.abi.IntelIdentities;
import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.intel.tdx.module.TdxPlatformInfo;
import io.teebox.kit.lang.Lazy;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The TD quoting enclave: checks a TDREPORT with EVERIFYREPORT2 (its MAC under the platform's report key, which the
 * TDX module checks) and signs a DCAP Quote v4 over it with its ECDSA P-256 attestation key. The QE's own report binds
 * the attestation key (REPORTDATA = SHA-256(attestation key || QE authentication data) || 32 zero bytes) and is
 * signed with the PCK key, whose certificate chain (PCK, Platform CA, Intel root) the Intel PCS issued at the
 * enclave's first quote and the quote carries as PEM. Its keys are the ones EGETKEY gives it on this platform.
 */
@Component(service = TdQuotingEnclave.class, immediate = true, configurationPid = "io.teebox.intel.tdx")
public final class QuotingEnclave implements TdQuotingEnclave {

    /** The QE authentication data: 32 bytes, as Intel's QE sends them. */
    static final byte[] AUTH_DATA = authData();

    /** The part of pid {@code io.teebox.intel.tdx} the quoting enclave reads (the module's metatype describes it). */
    public @interface Config {
        /** @return ISVSVN of the TD quoting enclave (0..65535) */
        int qeSvn() default 4;
    }

    private final TdxModule module;
    private final int qeSvn;
    private final byte[] qeId;
    /** The QE's keys and its certified PCK chain, made at the first quote (not on the platform's start path). */
    private final Lazy<Keys> keys;
    /**
     * The QE's report and its PCK signature: the certification data of the attestation key, made once per CPUSVN
     * (as DCAP's PCE certifies the key once) rather than per quote.
     */
    private volatile QeCertification certification;

    /**
     * The QE's keys (EGETKEY's, on this platform) and the PCK chain the Intel PCS issued for its PCK key.
     *
     * @param attestationKey the attestation key pair
     * @param pckKey the PCK private key
     * @param pckChain PCK, Platform CA, root (DER)
     * @param pckChainPem the chain as the quote carries it (PEM), built once
     * @param attestationPublicKey the attestation public key, X || Y
     */
    private record Keys(KeyPair attestationKey, PrivateKey pckKey, List<byte[]> pckChain, byte[] pckChainPem,
            byte[] attestationPublicKey) {
    }

    /** The QE report binding the attestation key, its PCK signature, and the CPUSVN it was made for. */
    private record QeCertification(byte[] cpuSvn, Struct report, byte[] signature) {
    }

    /**
     * @param module the platform's TDX module (EVERIFYREPORT2, EGETKEY, the platform's SVNs)
     * @param pcs the Intel PCS, which certifies the platform's PCK key
     * @param config the quoting enclave's SVN
     */
    @Activate
    public QuotingEnclave(@Reference TdxModule module, @Reference IntelPcs pcs, Config config) {
        this(module, pcs, config.qeSvn());
    }

    /**
     * @param module the platform's TDX module
     * @param pcs the Intel PCS
     * @param qeSvn the quoting enclave's ISVSVN
     * @throws IllegalArgumentException if the SVN is not 0..65535
     */
    public QuotingEnclave(TdxModule module, IntelPcs pcs, int qeSvn) {
        if (qeSvn < 0 || qeSvn > 0xFFFF) {
            throw new IllegalArgumentException("io.teebox.intel.tdx: qeSvn must be 0..65535, got " + qeSvn);
        }
        this.module = module;
        this.qeSvn = qeSvn;
        this.qeId = Arrays.copyOf(module.enclaveKey("qe-id"), 16);
        this.keys = Lazy.of(() -> keys(module, pcs));
    }

    private static Keys keys(TdxModule module, IntelPcs pcs) {
        KeyPair attestationKey = EcKeys.fromSeed("P-256", module.enclaveKey("qe-attestation-key"));
        KeyPair pck = EcKeys.fromSeed("P-256", module.enclaveKey("pck"));
        TdxPlatformInfo p = module.platform();
        List<byte[]> pckChain = pcs.certifyPck(p.ppid().value(), p.cpuSvn().value(), p.pceSvn(),
                IntelIdentities.pceId(), p.fmspc().value(), pck.getPublic()).stream().map(byte[]::clone).toList();
        BigInteger[] xy = EcKeys.publicPoint(attestationKey.getPublic());
        return new Keys(attestationKey, pck.getPrivate(), pckChain, pem(pckChain), Signatures.toRaw(xy[0], xy[1], 32));
    }

    private static byte[] authData() {
        byte[] a = new byte[32];
        for (int i = 0; i < a.length; i++) {
            a[i] = (byte) i;
        }
        return a;
    }

    @Override
    public List<byte[]> pckChain() {
        return keys.get().pckChain().stream().map(byte[]::clone).toList();
    }

    /** @return the attestation public key as X || Y (64 bytes, big-endian) */
    @Override
    public byte[] attestationPublicKey() {
        return keys.get().attestationPublicKey().clone();
    }

    /**
     * @param tdReport a TDREPORT_STRUCT
     * @return the Quote v4
     * @throws io.teebox.api.tee.TeeException with TDX_INVALID_REPORTMACSTRUCT if the report does not verify, or
     *             TDX_OPERAND_INVALID if it is malformed
     */
    @Override
    public byte[] quote(byte[] tdReport) {
        return quoteV4(tdReport).toBytes();
    }

    /** @return the attestation key pair, for tests that sign as this quoting enclave */
    KeyPair attestationKey() {
        return keys.get().attestationKey();
    }

    QuoteV4 quoteV4(byte[] tdReport) {
        TdReport report;
        try {
            report = TdReport.parse(tdReport);
        } catch (MalformedStructureException e) {
            throw TdxStatus.TDX_OPERAND_INVALID.error("the quoting enclave got a malformed TDREPORT: " + e.getMessage());
        }
        String bad = module.verifyReport(tdReport).orElse(null);
        if (bad != null) {
            throw TdxStatus.TDX_INVALID_REPORTMACSTRUCT.error("the quoting enclave's EVERIFYREPORT2 refused the "
                    + "TDREPORT: " + bad);
        }
        byte[] userData = Arrays.copyOf(qeId, 20);
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
        Keys k = keys.get();
        byte[] ak = k.attestationPublicKey();
        QeCertification qe = certification(k, module.platform().cpuSvn().value());
        QuoteV4 unsigned = new QuoteV4(header, body, new byte[64], ak, qe.report(), qe.signature(), AUTH_DATA,
                k.pckChainPem());
        byte[] sig = raw(Signatures.ecdsaSign(k.attestationKey().getPrivate(), "SHA-256", unsigned.signedBytes()));
        return new QuoteV4(header, body, sig, ak, qe.report(), qe.signature(), AUTH_DATA, k.pckChainPem());
    }

    /** @return the QE report and its PCK signature for this CPUSVN: the one made before, unless CPUSVN changed */
    private QeCertification certification(Keys k, byte[] cpuSvn) {
        QeCertification c = certification;
        if (c != null && Arrays.equals(c.cpuSvn(), cpuSvn)) {
            return c;
        }
        byte[] binding = Arrays.copyOf(Digests.sha256(k.attestationPublicKey(), AUTH_DATA), 64);
        Struct qeReport = EnclaveReport.LAYOUT.create()
                .set("CPUSVN", cpuSvn)
                .set("MISCSELECT", 0)
                .set("ATTRIBUTES.FLAGS", IntelIdentities.QE_FLAGS)
                .set("ATTRIBUTES.XFRM", IntelIdentities.QE_XFRM)
                .set("MRENCLAVE", IntelIdentities.qeMrEnclave())
                .set("MRSIGNER", IntelIdentities.qeMrSigner())
                .set("ISVPRODID", IntelIdentities.QE_ISVPRODID)
                .set("ISVSVN", qeSvn)
                .set("REPORTDATA", binding);
        byte[] qeSig = raw(Signatures.ecdsaSign(k.pckKey(), "SHA-256", qeReport.toBytes()));
        c = new QeCertification(cpuSvn.clone(), qeReport, qeSig);
        certification = c;
        return c;
    }

    private static byte[] pem(List<byte[]> pckChain) {
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
