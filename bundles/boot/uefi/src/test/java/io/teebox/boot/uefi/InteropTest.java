package io.teebox.boot.uefi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.firmware.EfiGuid;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * teebox's PE images, Authenticode and signature lists against Debian's sbsigntool (sbsign, sbverify), efitools
 * (cert-to-efi-sig-list, sig-list-to-certs, hash-to-efi-sig-list) and osslsigncode. Fails when a tool is missing.
 */
public class InteropTest {

    private static final String SBSIGNTOOL = "sbsigntool";
    private static final String EFITOOLS = "efitools";
    private static final String OSSLSIGNCODE = "osslsigncode";

    private static final byte[] SHIM = Fixtures.image("shimx64.efi 15.8");
    /** Signed as the vendor does: the image signer's certificate and the UEFI CA (db) that issued it. */
    private static final byte[] SIGNED = Fixtures.VENDOR.sign(SHIM);
    /**
     * Signed with the image signer's certificate alone. sbverify 0.9.4 on OpenSSL 3.0 accepts any signature that
     * carries an intermediate whose issuer it cannot find, whatever --cert says (tried: an image signed by another
     * vendor's chain passes with an unrelated --cert), so its verdicts mean something only for signatures that
     * carry the leaf alone, which the db certificate must then have issued.
     */
    private static final byte[] LEAF_SIGNED = leafSigned(Fixtures.VENDOR, SHIM);

    private static byte[] leafSigned(PlatformVendor vendor, byte[] image) {
        return Authenticode.sign(image, vendor.imageSigner().privateKey(), vendor.imageSigner().certificate());
    }

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path write(String name, byte[] data) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.write(p, data);
        return p;
    }

    private Path pem(String name, java.security.cert.X509Certificate cert) throws Exception {
        Path p = tmp.getRoot().toPath().resolve(name);
        Files.writeString(p, X509Authority.toPem(cert));
        return p;
    }

    private Tool.Result sbverify(byte[] image, java.security.cert.X509Certificate db) throws Exception {
        write("image.efi", image);
        pem("db.pem", db);
        return Tool.run(SBSIGNTOOL, tmp.getRoot().toPath(), "sbverify", "--cert", "db.pem", "image.efi");
    }

    @Test
    public void sbverifyAcceptsTeeboxSignedImagesAgainstTheDbCertificate() throws Exception {
        for (String component : new String[] {"shimx64.efi 15.8", "grubx64.efi 2.12", "vmlinuz 6.8.0"}) {
            Tool.Result r = sbverify(leafSigned(Fixtures.VENDOR, Fixtures.image(component)),
                    Fixtures.VENDOR.uefiCa().certificate());
            assertEquals(r.output(), 0, r.exitCode());
            assertTrue(r.output(), r.output().contains("Signature verification OK"));
        }
    }

    @Test
    public void sbverifyRejectsATamperedSection() throws Exception {
        int data = (int) PeImage.parse(LEAF_SIGNED).sections().get(1).pointerToRawData();
        Tool.Result r = sbverify(Fixtures.flip(LEAF_SIGNED, data + 2), Fixtures.VENDOR.uefiCa().certificate());
        assertNotEquals(r.output(), 0, r.exitCode());
        assertTrue(r.output(), r.output().contains("Signature verification failed"));
    }

    @Test
    public void sbverifyRejectsATamperedSignature() throws Exception {
        int end = SHIM.length + PeImage.parse(LEAF_SIGNED).certificates().get(0).length();
        Tool.Result r = sbverify(Fixtures.flip(LEAF_SIGNED, end - 5), Fixtures.VENDOR.uefiCa().certificate());
        assertNotEquals(r.output(), 0, r.exitCode());
        assertTrue(r.output(), r.output().contains("Signature verification failed"));
    }

    @Test
    public void sbverifyRejectsAnImageSignedByAnotherVendor() throws Exception {
        Tool.Result r = sbverify(leafSigned(Fixtures.ROGUE, SHIM), Fixtures.VENDOR.uefiCa().certificate());
        assertNotEquals(r.output(), 0, r.exitCode());
        assertTrue(r.output(), r.output().contains("Signature verification failed"));
        Tool.Result wrongDb = sbverify(LEAF_SIGNED, Fixtures.ROGUE.uefiCa().certificate());
        assertNotEquals(wrongDb.output(), 0, wrongDb.exitCode());
        // and teebox refuses both, also with the chain the vendor really sends
        SecureBootPolicy policy = new SecureBootPolicy(Fixtures.VENDOR.variables());
        assertEquals(Verdict.Reason.UNTRUSTED_SIGNER, policy.evaluate("shimx64.efi", leafSigned(Fixtures.ROGUE,
                SHIM)).reason());
        assertEquals(Verdict.Reason.UNTRUSTED_SIGNER, policy.evaluate("shimx64.efi", Fixtures.ROGUE.sign(SHIM))
                .reason());
        assertEquals(Verdict.Reason.SIGNED_BY_DB, policy.evaluate("shimx64.efi", LEAF_SIGNED).reason());
    }

    @Test
    public void sbsignSignatureOfATeeboxImageIsAcceptedAndCarriesTheSameHash() throws Exception {
        Path dir = tmp.getRoot().toPath();
        write("unsigned.efi", SHIM);
        pem("signer.pem", Fixtures.VENDOR.imageSigner().certificate());
        pem("ca.pem", Fixtures.VENDOR.uefiCa().certificate());
        Files.writeString(dir.resolve("signer.key"), X509Authority.toPem(Fixtures.VENDOR.imageSigner().privateKey()));
        Tool.ok(SBSIGNTOOL, dir, "sbsign", "--key", "signer.key", "--cert", "signer.pem", "--addcert", "ca.pem",
                "--output", "sbsigned.efi", "unsigned.efi");
        byte[] sbsigned = Files.readAllBytes(dir.resolve("sbsigned.efi"));

        List<AuthenticodeSignature> sigs = Authenticode.signatures(sbsigned);
        assertEquals(1, sigs.size());
        AuthenticodeSignature sig = sigs.get(0);
        // the digest sbsign put in its SpcIndirectDataContent is teebox's hash of the unsigned image
        assertArrayEquals(Authenticode.sha256(SHIM), sig.digest());
        assertArrayEquals(Authenticode.sha256(SHIM), Authenticode.sha256(sbsigned));
        assertTrue(sig.signatureValid());
        assertTrue(sig.chainsTo(Fixtures.VENDOR.uefiCa().certificate()));
        Verdict v = new SecureBootPolicy(Fixtures.VENDOR.variables()).evaluate("shimx64.efi", sbsigned);
        assertEquals(v.detail(), Verdict.Reason.SIGNED_BY_DB, v.reason());
        // sbsign updates the PE checksum; teebox computes the same
        PeImage sb = PeImage.parse(sbsigned);
        assertEquals(PeImage.computeCheckSum(sbsigned, sb.checkSumOffset()), sb.checkSum());
        // and teebox's own signature of the same image carries the same digest
        assertArrayEquals(sig.digest(), Authenticode.signatures(SIGNED).get(0).digest());

        int data = (int) PeImage.parse(sbsigned).sections().get(1).pointerToRawData();
        Verdict tampered = new SecureBootPolicy(Fixtures.VENDOR.variables()).evaluate("shimx64.efi",
                Fixtures.flip(sbsigned, data));
        assertEquals(Verdict.Reason.HASH_MISMATCH, tampered.reason());
    }

    @Test
    public void osslsigncodeComputesTheSameAuthenticodeHash() throws Exception {
        Path dir = tmp.getRoot().toPath();
        write("signed.efi", SIGNED);
        pem("root.pem", Fixtures.VENDOR.root().certificate());
        Tool.Result r = Tool.ok(OSSLSIGNCODE, dir, "osslsigncode", "verify", "-in", "signed.efi", "-CAfile",
                "root.pem");
        Matcher current = Pattern.compile("Current message digest\\s*:\\s*([0-9A-F]+)").matcher(r.output());
        Matcher calculated = Pattern.compile("Calculated message digest\\s*:\\s*([0-9A-F]+)").matcher(r.output());
        assertTrue(r.output(), current.find() && calculated.find());
        String ours = Hex.encode(Authenticode.sha256(SHIM)).toUpperCase(Locale.ROOT);
        assertEquals(ours, current.group(1));
        assertEquals(ours, calculated.group(1));
        assertTrue(r.output(), r.output().contains("Signature verification: ok"));
        // osslsigncode prints one "PE checksum" line when the stored one is what it calculates, two otherwise
        Matcher checksum = Pattern.compile("PE checksum\\s*:\\s*([0-9A-F]+)").matcher(r.output());
        assertTrue(r.output(), checksum.find());
        assertEquals(String.format("%08X", PeImage.parse(SIGNED).checkSum()), checksum.group(1));
        assertTrue(r.output(), !r.output().contains("invalid PE checksum"));
    }

    @Test
    public void osslsigncodeVerifiesTheVendorChainAndRejectsAnotherVendors() throws Exception {
        Path dir = tmp.getRoot().toPath();
        write("rogue.efi", Fixtures.ROGUE.sign(SHIM));
        pem("root.pem", Fixtures.VENDOR.root().certificate());
        Tool.Result r = Tool.run(OSSLSIGNCODE, dir, "osslsigncode", "verify", "-in", "rogue.efi", "-CAfile",
                "root.pem");
        assertNotEquals(r.output(), 0, r.exitCode());
        assertTrue(r.output(), r.output().contains("Signature verification: failed"));
        write("tampered.efi", Fixtures.flip(SIGNED, (int) PeImage.parse(SIGNED).sections().get(0)
                .pointerToRawData()));
        Tool.Result t = Tool.run(OSSLSIGNCODE, dir, "osslsigncode", "verify", "-in", "tampered.efi", "-CAfile",
                "root.pem");
        assertNotEquals(t.output(), 0, t.exitCode());
    }

    @Test
    public void certToEfiSigListWritesTheSameSignatureListAndSigListToCertsReadsOurs() throws Exception {
        Path dir = tmp.getRoot().toPath();
        UUID owner = Fixtures.VENDOR.owner();
        pem("db.pem", Fixtures.VENDOR.uefiCa().certificate());
        Tool.ok(EFITOOLS, dir, "cert-to-efi-sig-list", "-g", owner.toString(), "db.pem", "theirs.esl");
        byte[] theirs = Files.readAllBytes(dir.resolve("theirs.esl"));
        byte[] ours = Fixtures.VENDOR.variables().db().toBytes();
        assertArrayEquals(theirs, ours);
        assertEquals(Fixtures.VENDOR.variables().db(), SignatureDatabase.parse(theirs));

        SignatureDatabase two = Fixtures.VENDOR.variables().db().withCertificate(Fixtures.ROGUE.owner(),
                Fixtures.ROGUE.uefiCa().certificate());
        write("ours.esl", two.toBytes());
        Tool.Result r = Tool.ok(EFITOOLS, dir, "sig-list-to-certs", "ours.esl", "back");
        assertTrue(r.output(), r.output().contains(owner.toString()));
        assertTrue(r.output(), r.output().contains(Fixtures.ROGUE.owner().toString()));
        assertArrayEquals(X509Authority.toDer(Fixtures.VENDOR.uefiCa().certificate()),
                Files.readAllBytes(dir.resolve("back-0.der")));
        assertArrayEquals(X509Authority.toDer(Fixtures.ROGUE.uefiCa().certificate()),
                Files.readAllBytes(dir.resolve("back-1.der")));
    }

    @Test
    public void hashToEfiSigListAgreesOnTheImageHashAndTheSha256List() throws Exception {
        Path dir = tmp.getRoot().toPath();
        write("shim.efi", SHIM);
        Tool.Result r = Tool.ok(EFITOOLS, dir, "hash-to-efi-sig-list", "shim.efi", "hash.esl");
        String hex = Hex.encode(Authenticode.sha256(SHIM));
        assertTrue(r.output(), r.output().contains("HASH IS " + hex));
        byte[] theirs = Files.readAllBytes(dir.resolve("hash.esl"));
        SignatureDatabase db = SignatureDatabase.parse(theirs);
        assertEquals(EfiGuids.EFI_CERT_SHA256, db.lists().get(0).signatureType());
        assertTrue(db.containsSha256(Authenticode.sha256(SHIM)));
        UUID owner = EfiGuid.read(theirs, 28);
        assertArrayEquals(theirs, SignatureDatabase.empty().withSha256(owner, Authenticode.sha256(SHIM)).toBytes());
    }

    @Test
    public void signEfiSigListSignsTheSameBytesAndTeeboxVerifiesItsDbUpdate() throws Exception {
        Path dir = tmp.getRoot().toPath();
        byte[] newDb = AuthenticatedVariableTest.NEW_DB;
        write("db.esl", newDb);
        pem("kek.pem", Fixtures.VENDOR.kekCa().certificate());
        Files.writeString(dir.resolve("kek.key"), X509Authority.toPem(Fixtures.VENDOR.kekCa().privateKey()));
        Tool.ok(EFITOOLS, dir, "sign-efi-sig-list", "-t", "2026-01-02 03:04:05", "-k", "kek.key", "-c", "kek.pem",
                "db", "db.esl", "db.auth");
        AuthenticatedVariable theirs = AuthenticatedVariable.parse(Files.readAllBytes(dir.resolve("db.auth")));
        assertEquals(AuthenticatedVariableTest.WHEN, theirs.timestamp());
        assertArrayEquals(newDb, theirs.data());
        long attrs = AuthenticatedVariable.SECURE_BOOT_ATTRIBUTES;
        assertTrue(theirs.verify("db", attrs, Fixtures.VENDOR.kekCa().certificate()));
        assertTrue(!theirs.verify("db", attrs, Fixtures.ROGUE.kekCa().certificate()));
        assertTrue(!theirs.verify("dbx", attrs, Fixtures.VENDOR.kekCa().certificate()));
        // RSA PKCS#1 v1.5 is deterministic: the same signature value means both signed the same bytes
        AuthenticatedVariable ours = AuthenticatedVariableTest.UPDATE;
        assertArrayEquals(signatureValue(theirs.signedData()), signatureValue(ours.signedData()));

        // and OpenSSL verifies teebox's SignedData (wrapped in the ContentInfo it wants) over teebox's signed bytes,
        // chaining to the KEK certificate and to no other
        write("ours.p7", new org.bouncycastle.asn1.cms.ContentInfo(
                org.bouncycastle.asn1.cms.CMSObjectIdentifiers.signedData,
                org.bouncycastle.asn1.cms.SignedData.getInstance(ours.signedData())).getEncoded("DER"));
        write("signed.bin", AuthenticatedVariable.signedBytes("db", EfiGuids.EFI_IMAGE_SECURITY_DATABASE, attrs,
                ours.timestamp(), ours.data()));
        pem("rogue-kek.pem", Fixtures.ROGUE.kekCa().certificate());
        Tool.Result r = Tool.run("openssl", dir, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                "ours.p7", "-content", "signed.bin", "-CAfile", "kek.pem", "-partial_chain", "-purpose", "any",
                "-out", "/dev/null");
        assertEquals(r.output(), 0, r.exitCode());
        assertTrue(r.output(), r.output().contains("Verification successful"));
        Tool.Result wrong = Tool.run("openssl", dir, "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in",
                "ours.p7", "-content", "signed.bin", "-CAfile", "rogue-kek.pem", "-partial_chain", "-purpose",
                "any", "-out", "/dev/null");
        assertNotEquals(wrong.output(), 0, wrong.exitCode());
    }

    private static byte[] signatureValue(byte[] signedData) {
        org.bouncycastle.asn1.cms.SignedData sd = org.bouncycastle.asn1.cms.SignedData.getInstance(signedData);
        return org.bouncycastle.asn1.cms.SignerInfo.getInstance(sd.getSignerInfos().getObjectAt(0))
                .getEncryptedDigest().getOctets();
    }
}
