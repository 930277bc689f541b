package io.teebox.amd.verify.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERIA5String;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.amd.abi.SnpReport;
import io.teebox.api.attestation.Evidence;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.x509.KeyUsageBit;
import io.teebox.kit.x509.X509Authority;

/**
 * A test-only AMD-shaped Milan chain whose every part can be bent (validity, key type, extensions), and reports
 * signed by its leaf, for forgery cases the emulated platform never produces. RSA-2048 roots keep it fast.
 */
final class ForgedChain {

    static final String NAMES = "OU=Engineering, C=US, L=Santa Clara, ST=CA, O=Advanced Micro Devices, CN=";
    static final Instant FROM = Instant.parse("2024-01-01T00:00:00Z");
    static final Instant TO = Instant.parse("2049-01-01T00:00:00Z");
    static final long TCB = 0x4405000000000002L;
    static final byte[] CHIP_ID = Arrays.copyOf(Digests.sha384("forged-chip".getBytes(StandardCharsets.UTF_8)), 64);

    private static final KeyPair ARK_KEYS = RsaKeys.fromSeed(2048, Digests.sha384(bytes("forged-ark")));
    private static final KeyPair ASK_KEYS = RsaKeys.fromSeed(2048, Digests.sha384(bytes("forged-ask")));
    private static final KeyPair LEAF_KEYS = EcKeys.fromSeed("P-384", Digests.sha384(bytes("forged-vcek")));

    Instant askFrom = FROM;
    Instant askTo = TO;
    Instant leafFrom = FROM;
    Instant leafTo = TO;
    PublicKey leafKey = LEAF_KEYS.getPublic();
    /** The VCEK's AMD extensions by OID suffix, in order; tests replace or add entries. */
    final Map<String, byte[]> extensions = new LinkedHashMap<>();
    final List<String[]> extraExtensions = new ArrayList<>();

    private X509Authority ark;
    private X509Authority ask;
    private X509Certificate leaf;

    ForgedChain() {
        extensions.put("1", der(new ASN1Integer(0)));
        extensions.put("2", der(new DERIA5String("Milan-B0")));
        extensions.put("3.1", der(new ASN1Integer(2)));
        extensions.put("3.2", der(new ASN1Integer(0)));
        for (int i = 4; i <= 7; i++) {
            extensions.put("3." + i, der(new ASN1Integer(0)));
        }
        extensions.put("3.3", der(new ASN1Integer(5)));
        extensions.put("3.8", der(new ASN1Integer(0x44)));
        extensions.put("4", CHIP_ID.clone());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] der(org.bouncycastle.asn1.ASN1Object o) {
        try {
            return o.getEncoded("DER");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    X509Authority ark() {
        if (ark == null) {
            ark = X509Authority.builder().subject(NAMES + "ARK-Milan").keyPair(ARK_KEYS)
                    .serial(BigInteger.valueOf(0x10000)).validity(FROM, TO)
                    .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                    .keyUsage(KeyUsageBit.KEY_CERT_SIGN, KeyUsageBit.CRL_SIGN).subjectKeyId().ca()
                    .crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Milan/crl").selfSigned();
        }
        return ark;
    }

    X509Authority ask() {
        if (ask == null) {
            ask = ark().issue().subject(NAMES + "SEV-Milan").keyPair(ASK_KEYS).serial(BigInteger.valueOf(0x10001))
                    .validity(askFrom, askTo).signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT)
                    .subjectKeyId().authorityKeyId().ca(0).keyUsage(KeyUsageBit.KEY_CERT_SIGN)
                    .crlDistributionPoint("https://kdsintf.amd.com/vcek/v1/Milan/crl").build();
        }
        return ask;
    }

    X509Certificate leaf() {
        if (leaf == null) {
            X509Authority.CertificateBuilder b = ask().issue().subject(NAMES + "SEV-VCEK").publicKey(leafKey)
                    .serial(BigInteger.ZERO).validity(leafFrom, leafTo)
                    .signatureAlgorithm(X509Authority.RSA_PSS_SHA384_EXPLICIT);
            extensions.forEach((k, v) -> b.extension(AmdKeyHierarchy.OID + k, false, v));
            for (String[] e : extraExtensions) {
                b.extension(e[0], false, io.teebox.kit.hex.Hex.decode(e[1]));
            }
            leaf = b.buildCertificate();
        }
        return leaf;
    }

    /** A version-3 Milan report (CPUID 19h/01h/1) for this chip and TCB, then the changes, signed by the leaf. */
    byte[] report(Consumer<Struct> changes) {
        SnpReport r = SnpReport.create(3);
        r.fields().set("POLICY", 0x30000).set("SIGNATURE_ALGO", 1).set("CURRENT_TCB", TCB).set("REPORTED_TCB", TCB)
                .set("COMMITTED_TCB", TCB).set("LAUNCH_TCB", TCB).set("CHIP_ID", CHIP_ID).set("PLATFORM_INFO", 1)
                .set("CPUID_FAM_ID", 0x19).set("CPUID_MOD_ID", 0x01).set("CPUID_STEP", 1);
        changes.accept(r.fields());
        BigInteger[] rs = Signatures.ecdsaSign(LEAF_KEYS.getPrivate(), "SHA-384", r.signedBytes());
        return r.sign(rs[0], rs[1]).bytes();
    }

    Evidence evidence(byte[] report, Map<String, byte[]> attachments) {
        return new Evidence(SnpReportVerifier.FORMAT, report, List.of(X509Authority.toDer(leaf()),
                X509Authority.toDer(ask().certificate()), X509Authority.toDer(ark().certificate())), attachments);
    }

    Evidence evidence() {
        return evidence(report(s -> { }), Map.of());
    }
}
