package io.teebox.amd.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assume.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.junit.BeforeClass;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.x509.X509Authority;

/** The emulated ARK -> ASK -> VCEK chain and a VCEK-signed report, checked by OpenSSL as an outside verifier. */
public class AmdKeyHierarchyTest {

    private static AmdKeyHierarchy milan;
    private static final TcbVersion TCB = TcbVersions.encode("Milan", 0, 3, 0, 8, 115);

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    @BeforeClass
    public static void build() {
        milan = new AmdKeyHierarchy("Milan", "test-chip".getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] ext(X509Certificate c, String oid) throws IOException {
        return ASN1OctetString.getInstance(ASN1Primitive.fromByteArray(c.getExtensionValue(oid))).getOctets();
    }

    @Test
    public void namesAndExtensionsFollowAmds() throws Exception {
        X509Certificate vcek = milan.vcek(TCB);
        // RFC 2253 prints the RDNs last first: AMD's order is OU, C, L, ST, O, CN
        assertEquals("CN=ARK-Milan,O=Advanced Micro Devices,ST=CA,L=Santa Clara,C=US,OU=Engineering",
                milan.ark().getSubjectX500Principal().getName());
        assertTrue(milan.ask().getSubjectX500Principal().getName().startsWith("CN=SEV-Milan"));
        assertTrue(vcek.getSubjectX500Principal().getName().startsWith("CN=SEV-VCEK"));
        assertEquals("RSASSA-PSS", vcek.getSigAlgName().contains("PSS") ? "RSASSA-PSS" : vcek.getSigAlgName());
        assertEquals("Milan-B0", DERIA5String.getInstance(ASN1Primitive.fromByteArray(
                ext(vcek, AmdKeyHierarchy.OID + "2"))).getString());
        assertEquals(BigInteger.valueOf(8), org.bouncycastle.asn1.ASN1Integer.getInstance(
                ext(vcek, AmdKeyHierarchy.OID + "3.3")).getValue());
        assertArrayEquals("the hwID is the raw CHIP_ID, as the KDS writes it", milan.chipId(),
                ext(vcek, AmdKeyHierarchy.OID + "4"));
        assertEquals("the KDS serves the VCEK it issued", vcek, milan.vcek(TCB));
        vcek.verify(milan.ask().getPublicKey());
        milan.ask().verify(milan.ark().getPublicKey());
    }

    @Test
    public void theCrlIsSignedOnceByTheArkAndServedAsTheSameBytes() throws Exception {
        java.security.cert.X509CRL first = milan.crl();
        first.verify(milan.ark().getPublicKey());
        assertEquals(milan.ark().getSubjectX500Principal(), first.getIssuerX500Principal());
        assertEquals(null, first.getRevokedCertificates());
        org.junit.Assert.assertArrayEquals("a verifier's cache keyed by content sees one CRL", first.getEncoded(),
                milan.crl().getEncoded());
    }

    @Test
    public void aNewTcbGivesANewVcekAndTheSameSeedTheSameRoots() {
        TcbVersion newer = TcbVersions.encode("Milan", 0, 3, 0, 9, 115);
        assertNotEquals(milan.vcekKeys(TCB).getPublic(), milan.vcekKeys(newer).getPublic());
        assertEquals(milan.vcekKeys(TCB).getPublic(), milan.vcekKeys(TCB).getPublic());
        assertEquals(milan.ark().getPublicKey(),
                new AmdKeyHierarchy("Milan", "test-chip".getBytes(StandardCharsets.UTF_8)).ark().getPublicKey());
    }

    private static String run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.trim();
    }

    @Test
    public void openSslVerifiesTheChainAndTheReportSignature() throws Exception {
        assumeTrue("openssl is installed", new File("/usr/bin/openssl").canExecute());
        Path dir = tmp.getRoot().toPath();
        X509Certificate vcek = milan.vcek(TCB);
        Files.writeString(dir.resolve("ark.pem"), X509Authority.toPem(milan.ark()));
        Files.writeString(dir.resolve("ask.pem"), X509Authority.toPem(milan.ask()));
        Files.writeString(dir.resolve("vcek.pem"), X509Authority.toPem(vcek));
        assertEquals("vcek.pem: OK", run(dir, "openssl", "verify", "-CAfile", "ark.pem", "-untrusted", "ask.pem",
                "vcek.pem"));

        SnpReport r = SnpReport.create(3);
        r.fields().set("POLICY", 0x30000).set("SIGNATURE_ALGO", 1).set("REPORTED_TCB", TCB.asLong())
                .set("CHIP_ID", milan.chipId());
        KeyPair keys = milan.vcekKeys(TCB);
        BigInteger[] rs = Signatures.ecdsaSign(keys.getPrivate(), "SHA-384", r.signedBytes());
        byte[] report = r.sign(rs[0], rs[1]).bytes();
        Files.write(dir.resolve("report.bin"), report);
        Files.write(dir.resolve("signed.bin"), Arrays.copyOf(report, SnpReport.SIGNED));
        BigInteger[] back = SnpReport.parse(report).signature();
        Files.write(dir.resolve("sig.der"), Signatures.toDer(back[0], back[1]));
        run(dir, "sh", "-c", "openssl x509 -in vcek.pem -pubkey -noout > vcek.pub");
        assertEquals("Verified OK", run(dir, "openssl", "dgst", "-sha384", "-verify", "vcek.pub", "-signature",
                "sig.der", "signed.bin"));
        byte[] flipped = Arrays.copyOf(report, SnpReport.SIGNED);
        flipped[0x90] ^= 1;
        Files.write(dir.resolve("flipped.bin"), flipped);
        assertEquals("Verification failure", run(dir, "openssl", "dgst", "-sha384", "-verify", "vcek.pub",
                "-signature", "sig.der", "flipped.bin").lines().findFirst().orElse(""));
    }
}
