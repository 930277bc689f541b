package io.teebox.boot.uefi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.util.List;
import org.junit.Test;

public class AuthenticodeTest {

    private static final byte[] IMAGE = Fixtures.image("grubx64.efi 2.12");
    private static final byte[] SIGNED = Fixtures.VENDOR.sign(IMAGE);

    @Test
    public void signingAppendsOneAlignedPkcsSignedDataCertificate() {
        PeImage pe = PeImage.parse(SIGNED);
        assertEquals(IMAGE.length, pe.certificateTableOffset());
        assertEquals(0, pe.certificateTableOffset() % 8);
        assertEquals(SIGNED.length - IMAGE.length, pe.certificateTableSize());
        assertEquals(1, pe.certificates().size());
        WinCertificate c = pe.certificates().get(0);
        assertEquals(0x0200, c.revision());
        assertEquals(0x0002, c.certificateType());
        assertEquals(pe.certificateTableSize(), c.paddedLength());
        assertEquals(c.length(), LittleEndian.u32(SIGNED, IMAGE.length));
    }

    @Test
    public void signatureCarriesTheImageHashAndTheSignerChain() {
        List<AuthenticodeSignature> sigs = Authenticode.signatures(SIGNED);
        assertEquals(1, sigs.size());
        AuthenticodeSignature sig = sigs.get(0);
        assertEquals("SHA-256", sig.digestAlgorithm());
        assertArrayEquals(Authenticode.sha256(IMAGE), sig.digest());
        assertArrayEquals(Authenticode.sha256(IMAGE), Authenticode.sha256(SIGNED));
        assertTrue(sig.matches(PeImage.parse(SIGNED)));
        assertTrue(sig.signatureValid());
        assertEquals(Fixtures.VENDOR.imageSigner().certificate(), sig.signer());
        assertEquals(2, sig.certificates().size());
        assertEquals(List.of(Fixtures.VENDOR.imageSigner().certificate(), Fixtures.VENDOR.uefiCa().certificate()),
                sig.pathTo(Fixtures.VENDOR.uefiCa().certificate()));
        assertTrue(sig.chainsTo(Fixtures.VENDOR.root().certificate()));
        assertTrue(sig.chainsTo(Fixtures.VENDOR.imageSigner().certificate()));
        assertFalse(sig.chainsTo(Fixtures.VENDOR.kekCa().certificate()));
        assertFalse(sig.chainsTo(Fixtures.ROGUE.uefiCa().certificate()));
    }

    @Test
    public void signingIsDeterministicAndSecondSignatureAppends() {
        assertArrayEquals(SIGNED, Fixtures.VENDOR.sign(IMAGE));
        byte[] twice = Fixtures.ROGUE.sign(SIGNED);
        PeImage pe = PeImage.parse(twice);
        assertEquals(2, pe.certificates().size());
        assertEquals(IMAGE.length, pe.certificateTableOffset());
        List<AuthenticodeSignature> sigs = Authenticode.signatures(twice);
        assertEquals(Fixtures.VENDOR.imageSigner().certificate(), sigs.get(0).signer());
        assertEquals(Fixtures.ROGUE.imageSigner().certificate(), sigs.get(1).signer());
        assertTrue(sigs.get(1).matches(pe));
    }

    @Test
    public void hashSkipsChecksumAndCertificateEntryButNotSections() {
        byte[] checksum = IMAGE.clone();
        LittleEndian.put32(checksum, PeImage.parse(IMAGE).checkSumOffset(), 0x1234);
        assertArrayEquals(Authenticode.sha256(IMAGE), Authenticode.sha256(checksum));
        PeImage pe = PeImage.parse(IMAGE);
        int data = (int) pe.sections().get(1).pointerToRawData();
        assertFalse(java.util.Arrays.equals(Authenticode.sha256(IMAGE), Authenticode.sha256(Fixtures.flip(IMAGE,
                data))));
        assertFalse(java.util.Arrays.equals(Authenticode.sha256(IMAGE), Authenticode.sha256(Fixtures.flip(IMAGE,
                0x58 + 40))));
    }

    @Test
    public void hashCoversDataAfterTheLastSection() {
        byte[] trailing = java.util.Arrays.copyOf(IMAGE, IMAGE.length + 8);
        trailing[IMAGE.length] = 0x55;
        byte[] other = trailing.clone();
        other[IMAGE.length] = 0x66;
        assertFalse(java.util.Arrays.equals(Authenticode.sha256(trailing), Authenticode.sha256(other)));
        byte[] signed = Fixtures.VENDOR.sign(trailing);
        assertArrayEquals(Authenticode.sha256(trailing), Authenticode.signatures(signed).get(0).digest());
    }

    @Test
    public void tamperedSectionNoLongerMatchesTheSignature() {
        int data = (int) PeImage.parse(SIGNED).sections().get(1).pointerToRawData();
        byte[] tampered = Fixtures.flip(SIGNED, data + 3);
        AuthenticodeSignature sig = Authenticode.signatures(tampered).get(0);
        assertFalse(sig.matches(PeImage.parse(tampered)));
        assertTrue(sig.signatureValid());
    }

    @Test
    public void tamperedSignatureDoesNotVerify() {
        // the last bytes of the SignedData are the RSA signature value
        int end = IMAGE.length + PeImage.parse(SIGNED).certificates().get(0).length();
        byte[] tampered = Fixtures.flip(SIGNED, end - 5);
        assertFalse(Authenticode.signatures(tampered).get(0).signatureValid());
    }

    @Test
    public void winCertificateRoundTripsAndRefusesBadLengths() {
        WinCertificate c = WinCertificate.pkcsSignedData(new byte[] {1, 2, 3});
        byte[] b = c.toBytes();
        assertEquals(16, b.length);
        assertEquals(11, LittleEndian.u32(b, 0));
        assertEquals(c, WinCertificate.parse(b, 0, b.length));
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> WinCertificate.parse(b, 0, 10));
        assertEquals("WIN_CERTIFICATE at 0x0 has dwLength 11, expected more than 8 and at most the 10 bytes left in"
                + " the certificate table", e.getMessage());
        byte[] padding = b.clone();
        padding[15] = 7;
        assertEquals("WIN_CERTIFICATE at 0x0 has padding byte 0x07 at 0xF, expected 0",
                assertThrows(MalformedStructureException.class, () -> WinCertificate.parse(padding, 0, 16))
                        .getMessage());
    }

    @Test
    public void malformedSignaturesAreRefusedInOneLine() {
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> AuthenticodeSignature.parse(new byte[] {0x30, 0x03, 0x02, 0x01, 0x01}));
        Fixtures.assertOneLine(e.getMessage());
        byte[] der = Authenticode.signatures(SIGNED).get(0).toDer();
        e = assertThrows(MalformedStructureException.class,
                () -> AuthenticodeSignature.parse(java.util.Arrays.copyOf(der, der.length - 40)));
        Fixtures.assertOneLine(e.getMessage());
        assertTrue(e.getMessage(), e.getMessage().startsWith("Authenticode signature is not a DER PKCS#7 SignedData"));
    }

    @Test
    public void corruptCertificateTableLengthIsRefused() {
        byte[] bad = SIGNED.clone();
        LittleEndian.put32(bad, IMAGE.length, SIGNED.length);
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> PeImage.parse(bad));
        assertTrue(e.getMessage(), e.getMessage().startsWith("WIN_CERTIFICATE at 0x600 has dwLength"));
    }
}
