package io.teebox.boot.uefi;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.hex.Hex;
import java.util.Optional;
import org.junit.Test;

public class SecureBootPolicyTest {

    private static final byte[] SHIM = Fixtures.image("shimx64.efi 15.8");
    private static final byte[] SIGNED_SHIM = Fixtures.VENDOR.sign(SHIM);
    private static final SecureBootVariables PLATFORM = Fixtures.VENDOR.variables();
    private static final String UEFI_CA = Fixtures.VENDOR.uefiCa().certificate().getSubjectX500Principal().getName();
    private static final String SIGNER =
            Fixtures.VENDOR.imageSigner().certificate().getSubjectX500Principal().getName();

    private static Verdict evaluate(SecureBootVariables vars, byte[] image) {
        Verdict v = new SecureBootPolicy(vars).evaluate("shimx64.efi", image);
        Fixtures.assertOneLine(v.detail());
        return v;
    }

    @Test
    public void bootChainSignedByTheVendorRuns() {
        for (String component : new String[] {"shimx64.efi 15.8", "grubx64.efi 2.12", "vmlinuz 6.8.0"}) {
            Verdict v = evaluate(PLATFORM, Fixtures.VENDOR.sign(Fixtures.image(component)));
            assertTrue(v.toString(), v.allowed());
            assertEquals(Verdict.Reason.SIGNED_BY_DB, v.reason());
            assertEquals(Optional.of(Fixtures.VENDOR.uefiCa().certificate()), v.authority());
        }
        assertEquals("image shimx64.efi is signed by " + SIGNER + ", which leads to " + UEFI_CA + " in db",
                evaluate(PLATFORM, SIGNED_SHIM).detail());
    }

    @Test
    public void imageSignedByAnotherVendorIsRefused() {
        Verdict v = evaluate(PLATFORM, Fixtures.ROGUE.sign(SHIM));
        assertFalse(v.allowed());
        assertEquals(Verdict.Reason.UNTRUSTED_SIGNER, v.reason());
        assertEquals("image shimx64.efi is signed by CN=Rogue UEFI Image Signing,O=Rogue Corporation,C=US, which is"
                + " not in db", v.detail());
    }

    @Test
    public void oneTrustedSignatureAmongSeveralIsEnough() {
        assertTrue(evaluate(PLATFORM, Fixtures.VENDOR.sign(Fixtures.ROGUE.sign(SHIM))).allowed());
        assertTrue(evaluate(PLATFORM, Fixtures.ROGUE.sign(SIGNED_SHIM)).allowed());
    }

    @Test
    public void unsignedImageRunsOnlyIfItsHashIsInDb() {
        Verdict v = evaluate(PLATFORM, SHIM);
        assertEquals(Verdict.Reason.UNSIGNED, v.reason());
        String hex = Hex.encode(Authenticode.sha256(SHIM));
        assertEquals("image shimx64.efi is unsigned and its hash " + hex + " is not in db", v.detail());
        SecureBootVariables withHash = PLATFORM.withDb(PLATFORM.db().withSha256(Fixtures.VENDOR.owner(),
                Authenticode.sha256(SHIM)));
        Verdict allowed = evaluate(withHash, SHIM);
        assertTrue(allowed.allowed());
        assertEquals(Verdict.Reason.HASH_IN_DB, allowed.reason());
        // a hash in db also admits an image whose signature is untrusted
        assertEquals(Verdict.Reason.HASH_IN_DB, evaluate(withHash, Fixtures.ROGUE.sign(SHIM)).reason());
    }

    @Test
    public void hashInDbxIsRefusedEvenWhenSignedByDb() {
        byte[] hash = Authenticode.sha256(SHIM);
        SecureBootVariables revoked = PLATFORM.withDbx(SignatureDatabase.empty().withSha256(Fixtures.VENDOR.owner(),
                hash));
        Verdict v = evaluate(revoked, SIGNED_SHIM);
        assertFalse(v.allowed());
        assertEquals(Verdict.Reason.HASH_REVOKED, v.reason());
        assertEquals("image shimx64.efi hash " + Hex.encode(hash) + " is revoked in dbx", v.detail());
        SecureBootVariables both = revoked.withDb(revoked.db().withSha256(Fixtures.VENDOR.owner(), hash));
        assertEquals(Verdict.Reason.HASH_REVOKED, evaluate(both, SHIM).reason());
    }

    @Test
    public void certificateInDbxIsRefused() {
        SecureBootVariables signerRevoked = PLATFORM.withDbx(SignatureDatabase.empty()
                .withCertificate(Fixtures.VENDOR.owner(), Fixtures.VENDOR.imageSigner().certificate()));
        Verdict v = evaluate(signerRevoked, SIGNED_SHIM);
        assertEquals(Verdict.Reason.CERTIFICATE_REVOKED, v.reason());
        assertEquals("image shimx64.efi is signed by " + SIGNER + ", which leads to " + SIGNER + " in dbx",
                v.detail());
        SecureBootVariables caRevoked = PLATFORM.withDbx(SignatureDatabase.empty()
                .withCertificate(Fixtures.VENDOR.owner(), Fixtures.VENDOR.uefiCa().certificate()));
        assertEquals(Verdict.Reason.CERTIFICATE_REVOKED, evaluate(caRevoked, SIGNED_SHIM).reason());
        // a revoked signature refuses the image even beside a trusted one
        assertEquals(Verdict.Reason.CERTIFICATE_REVOKED,
                evaluate(caRevoked, Fixtures.ROGUE.sign(SIGNED_SHIM)).reason());
    }

    @Test
    public void tamperedImageAndTamperedSignatureAreRefused() {
        int data = (int) PeImage.parse(SIGNED_SHIM).sections().get(1).pointerToRawData();
        Verdict section = evaluate(PLATFORM, Fixtures.flip(SIGNED_SHIM, data));
        assertEquals(Verdict.Reason.HASH_MISMATCH, section.reason());
        assertTrue(section.detail(), section.detail().endsWith(", but the image's hash is "
                + Hex.encode(Authenticode.sha256(Fixtures.flip(SHIM, data)))));
        int end = SHIM.length + PeImage.parse(SIGNED_SHIM).certificates().get(0).length();
        Verdict signature = evaluate(PLATFORM, Fixtures.flip(SIGNED_SHIM, end - 5));
        assertEquals(Verdict.Reason.SIGNATURE_INVALID, signature.reason());
        Verdict header = evaluate(PLATFORM, Fixtures.flip(SIGNED_SHIM, 0x58 + 40));
        assertEquals(Verdict.Reason.HASH_MISMATCH, header.reason());
    }

    @Test
    public void everyFlippedByteOfTheHeadersOrSignatureIsRefusedWithoutThrowing() {
        SecureBootPolicy policy = new SecureBootPolicy(PLATFORM);
        int checkSum = PeImage.parse(SIGNED_SHIM).checkSumOffset();
        for (int i = 0; i < SIGNED_SHIM.length; i++) {
            if (i >= 0x200 && i < SHIM.length || i >= checkSum && i < checkSum + 4) {
                continue; // section data is covered by the hash (tested above); CheckSum is not hashed
            }
            Verdict v = policy.evaluate("shimx64.efi", Fixtures.flip(SIGNED_SHIM, i));
            Fixtures.assertOneLine(v.detail());
            if (v.allowed()) {
                // a flip may only be harmless where nothing reads it: the unused MS-DOS header bytes, reserved
                // fields or encodings BC and the hash both ignore must still leave the signature valid
                assertEquals("byte 0x" + Integer.toHexString(i) + ": " + v, Verdict.Reason.SIGNED_BY_DB,
                        v.reason());
            }
        }
    }

    @Test
    public void malformedImageIsRefusedInOneLine() {
        Verdict v = evaluate(PLATFORM, java.util.Arrays.copyOf(SIGNED_SHIM, 0x50));
        assertEquals(Verdict.Reason.MALFORMED, v.reason());
        assertTrue(v.detail(), v.detail().startsWith("image shimx64.efi is not a valid PE32+ image: e_lfanew is"));
    }

    @Test
    public void secureBootOffRunsEverything() {
        SecureBootVariables off = PLATFORM.withSecureBoot(false);
        for (byte[] image : new byte[][] {SHIM, Fixtures.ROGUE.sign(SHIM), new byte[] {1, 2, 3}}) {
            Verdict v = evaluate(off, image);
            assertTrue(v.allowed());
            assertEquals(Verdict.Reason.SECURE_BOOT_DISABLED, v.reason());
        }
    }

    @Test
    public void vendorHierarchyIsDeterministicAndShapedLikeTheUefiCaChain() {
        PlatformVendor again = PlatformVendor.fromSeed("Teebox",
                "teebox-uefi-test-vendor-seed".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(Fixtures.VENDOR.uefiCa().certificate(), again.uefiCa().certificate());
        assertEquals(Fixtures.VENDOR.owner(), again.owner());
        PlatformVendor v = Fixtures.VENDOR;
        assertEquals(v.root().certificate().getSubjectX500Principal(),
                v.uefiCa().certificate().getIssuerX500Principal());
        assertEquals(v.root().certificate().getSubjectX500Principal(),
                v.kekCa().certificate().getIssuerX500Principal());
        assertEquals(v.uefiCa().certificate().getSubjectX500Principal(),
                v.imageSigner().certificate().getIssuerX500Principal());
        assertEquals(v.platformKey().certificate().getSubjectX500Principal(),
                v.platformKey().certificate().getIssuerX500Principal());
        assertEquals(2048, ((java.security.interfaces.RSAPublicKey) v.uefiCa().publicKey()).getModulus().bitLength());
        assertEquals("SHA256WITHRSA", v.imageSigner().certificate().getSigAlgName().toUpperCase());
        assertEquals(-1, v.imageSigner().certificate().getBasicConstraints());
        assertEquals(java.util.List.of(v.platformKey().certificate()), v.variables().pk().certificates());
        assertEquals(java.util.List.of(v.kekCa().certificate()), v.variables().kek().certificates());
        assertEquals(java.util.List.of(v.uefiCa().certificate()), v.variables().db().certificates());
        assertTrue(v.variables().dbx().lists().isEmpty());
        assertTrue(v.variables().secureBoot());
    }
}
