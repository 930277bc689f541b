package io.teebox.amd.abi;

import static io.teebox.kit.testing.Fuzzing.frame;

import io.teebox.amd.testing.AmdVectors;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.x509.X509Authority;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes the teebox-made seed inputs of this module's fuzz tests into {@code src/test/resources} (the genuine
 * ones are copied there by hand; each seed folder's README names its files' sources). Not a test: run it once after
 * changing a structure, with the module's test classpath, from the module directory:
 * {@code java -cp target/test-classes:target/classes:$(cat cp.txt) io.teebox.amd.abi.FuzzSeeds}.
 */
public final class FuzzSeeds {

    private FuzzSeeds() {
    }

    static KeyPair key(String seed) {
        return EcKeys.fromSeed("P-384", seed.getBytes(StandardCharsets.UTF_8));
    }

    static void write(String test, String method, String name, byte[] data) throws IOException {
        Path dir = Path.of("src/test/resources/io/teebox/amd/abi", test + "Inputs", method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
    }

    static byte[] le64(long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> 8 * i);
        }
        return b;
    }

    public static void main(String[] args) throws IOException {
        KeyPair vcek = key("snp report fuzz key");
        for (int version = 2; version <= 5; version++) {
            SnpReport r = SnpReport.create(version);
            r.fields().set("POLICY", 0x30000).set("SIGNATURE_ALGO", 1).set("CURRENT_TCB", 0x4405000000000002L)
                    .set("REPORTED_TCB", 0x4405000000000002L).set("PLATFORM_INFO", 1).set("KEY_INFO", 0x1C);
            if (version >= 3) {
                r.fields().set("CPUID_FAM_ID", 0x19).set("CPUID_MOD_ID", 1).set("CPUID_STEP", 1);
            }
            BigInteger[] rs = Signatures.ecdsaSign(vcek.getPrivate(), "SHA-384", r.signedBytes());
            write("SnpReportFuzzTest", "reportsParseOrNameTheField", "teebox-v" + version, r.sign(rs[0], rs[1])
                    .bytes());
        }

        Map<UUID, byte[]> certs = new LinkedHashMap<>();
        certs.put(SnpCertTable.VCEK, AmdVectors.bytes("vcek.testcer"));
        certs.put(SnpCertTable.ASK, X509Authority.toDer(AmdVectors.chain("ask_ark_milan.pem").get(0)));
        certs.put(SnpCertTable.ARK, X509Authority.toDer(AmdVectors.chain("ask_ark_milan.pem").get(1)));
        write("SnpCertTableFuzzTest", "tablesParseOrNameTheEntry", "genuine-milan-chain", SnpCertTable.build(certs));
        write("SnpCertTableFuzzTest", "tablesParseOrNameTheEntry", "empty", SnpCertTable.build(Map.of()));
        write("SnpCertTableFuzzTest", "tablesParseOrNameTheEntry", "vlek-small", SnpCertTable.build(Map.of(
                SnpCertTable.VLEK, new byte[] {0x30, 0x03, 0x02, 0x01, 0x00})));

        byte[][] id = SnpIdBlock.build(new byte[48], 0x30000, new byte[16], new byte[16], 1, key("id key"),
                key("author key"));
        byte[] idKey = SnpIdBlock.publicKey(key("id key").getPublic());
        write("SnpIdBlockFuzzTest", "idBlocksAndKeysParseOrAreRefused", "teebox-with-author-key",
                frame(id[0], id[1], idKey));
        byte[][] noAuthor = SnpIdBlock.build(new byte[48], 0x30000, new byte[16], new byte[16], 0, key("id key"),
                null);
        write("SnpIdBlockFuzzTest", "idBlocksAndKeysParseOrAreRefused", "teebox-id-key-only",
                frame(noAuthor[0], noAuthor[1], new byte[4]));

        byte[] reportReq = SnpGuestMessage.REPORT_REQ_LAYOUT.create().set("REPORT_DATA", new byte[64])
                .set("VMPL", 0).toBytes();
        write("SnpGuestMessageFuzzTest", "messagesOpenOrAreRefused", "teebox-report-req",
                SnpGuestMessage.seal(SnpGuestMessageFuzzTest.VMPCK, 0, 1, SnpGuestMessage.REPORT_REQ, reportReq));
        byte[] keyReq = SnpGuestMessage.KEY_REQ_LAYOUT.create().set("ROOT_KEY_SELECT", 1)
                .set("GUEST_FIELD_SELECT", 0x3F).toBytes();
        write("SnpGuestMessageFuzzTest", "messagesOpenOrAreRefused", "teebox-key-req",
                SnpGuestMessage.seal(SnpGuestMessageFuzzTest.VMPCK, 0, 3, SnpGuestMessage.KEY_REQ, keyReq));
        write("SnpGuestMessageFuzzTest", "messagesOpenOrAreRefused", "teebox-report-rsp",
                SnpGuestMessage.seal(SnpGuestMessageFuzzTest.VMPCK, 0, 2, SnpGuestMessage.REPORT_RSP,
                        new byte[32 + SnpReport.SIZE]));

        KeyPair pek = key("fuzz seed pek");
        byte[] mnonce = "sixteen byte nnc".getBytes(StandardCharsets.US_ASCII);
        write("SevAttestationReportFuzzTest", "reportsParseOrNameTheField", "teebox-nodbg",
                SevAttestationReport.sign(mnonce, new byte[32], 1, d -> Signatures.ecdsaSign(pek.getPrivate(),
                        "SHA-256", d)).bytes());
        write("SevAttestationReportFuzzTest", "reportsParseOrNameTheField", "teebox-debug-es",
                SevAttestationReport.sign(new byte[16], new byte[32], 0x00110004, d -> Signatures.ecdsaSign(
                        pek.getPrivate(), "SHA-256", d)).bytes());

        KeyPair oca = key("fuzz seed oca");
        KeyPair cek = key("fuzz seed cek");
        KeyPair pdh = key("fuzz seed pdh");
        String m = "certificatesParseOrAreRefused";
        write("SevCertificateFuzzTest", m, "teebox-oca", SevCertificate.create(SevCertificate.USAGE_OCA,
                SevCertificate.ALGO_ECDSA_SHA256, oca.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_OCA,
                oca.getPrivate()).bytes());
        write("SevCertificateFuzzTest", m, "teebox-pek", SevCertificate.create(SevCertificate.USAGE_PEK,
                SevCertificate.ALGO_ECDSA_SHA256, pek.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_OCA,
                oca.getPrivate()).sign(2, SevCertificate.USAGE_CEK, cek.getPrivate()).bytes());
        write("SevCertificateFuzzTest", m, "teebox-pdh", SevCertificate.create(SevCertificate.USAGE_PDH,
                SevCertificate.ALGO_ECDH_SHA256, pdh.getPublic(), 1, 55).sign(1, SevCertificate.USAGE_PEK,
                pek.getPrivate()).bytes());
        write("SevCertificateFuzzTest", m, "teebox-p256-owner", SevCertificate.create(SevCertificate.USAGE_PDH,
                SevCertificate.ALGO_ECDH_SHA256, EcKeys.fromSeed("P-256", new byte[] {1}).getPublic(), 0, 0)
                .bytes());

        byte[] session = new byte[0x80];
        for (int i = 0; i < session.length; i++) {
            session[i] = (byte) (i * 7);
        }
        write("SevSessionFuzzTest", "sessionBlobsAndSecretHeadersParseOrAreRefused", "teebox-session",
                SevSession.parse(session).bytes());
        write("SevSessionFuzzTest", "sessionBlobsAndSecretHeadersParseOrAreRefused", "teebox-secret-header",
                new SecretHeader(0, new byte[16], new byte[32]).bytes());

        String p = "policiesAndTcbVersionsDecodeOrAreRefused";
        write("PoliciesFuzzTest", p, "snp-default-milan", frame(le64(0x30000), new byte[] {0}));
        write("PoliciesFuzzTest", p, "genuine-milan-tcb", frame(le64(0x4405000000000002L), new byte[] {0}));
        write("PoliciesFuzzTest", p, "turin-tcb", frame(le64(0x5200000004010101L), new byte[] {2}));
        write("PoliciesFuzzTest", p, "sev-nodbg-api-1-55", frame(le64(0x37010001L), new byte[] {1}));
    }
}
