package io.teebox.boot.uefi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.firmware.EfiGuid;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.Test;

public class EfiSignatureListTest {

    private static final UUID OWNER = UUID.fromString("77fa9abd-0359-4d32-bd60-28f4e78f784b");

    @Test
    public void x509ListRoundTripsWithTheSpecLayout() {
        byte[] der = X509Authority.toDer(Fixtures.VENDOR.uefiCa().certificate());
        EfiSignatureList list = EfiSignatureList.x509(OWNER, der);
        byte[] b = list.toBytes();
        assertEquals(28 + 16 + der.length, b.length);
        // EFI_CERT_X509_GUID a5c059a1-94e4-4aa7-87b5-ab155c2bf072 in EFI byte order
        assertEquals("a159c0a5e494a74a87b5ab155c2bf072", Hex.encode(Arrays.copyOf(b, 16)));
        assertEquals(b.length, LittleEndian.u32(b, 16));
        assertEquals(0, LittleEndian.u32(b, 20));
        assertEquals(16 + der.length, LittleEndian.u32(b, 24));
        assertEquals(OWNER, EfiGuid.read(b, 28));
        assertArrayEquals(der, Arrays.copyOfRange(b, 44, b.length));
        assertEquals(list, EfiSignatureList.parse(b, 0));
    }

    @Test
    public void databaseOfSeveralListsRoundTrips() {
        byte[] h1 = new byte[32];
        byte[] h2 = new byte[32];
        Arrays.fill(h2, (byte) 0xAB);
        SignatureDatabase db = SignatureDatabase.empty()
                .withCertificate(OWNER, Fixtures.VENDOR.uefiCa().certificate())
                .with(EfiSignatureList.sha256(OWNER, List.of(h1, h2)))
                .withCertificate(Fixtures.ROGUE.owner(), Fixtures.ROGUE.uefiCa().certificate());
        byte[] b = db.toBytes();
        SignatureDatabase back = SignatureDatabase.parse(b);
        assertEquals(db, back);
        assertArrayEquals(b, back.toBytes());
        assertEquals(List.of(Fixtures.VENDOR.uefiCa().certificate(), Fixtures.ROGUE.uefiCa().certificate()),
                back.certificates());
        assertTrue(back.containsSha256(h2));
        EfiSignatureList hashes = back.lists().get(1);
        assertEquals(48, hashes.signatureSize());
        assertEquals(28 + 2 * 48, hashes.signatureListSize());
        assertEquals(0, SignatureDatabase.parse(new byte[0]).lists().size());
    }

    @Test
    public void truncatedAndInconsistentListsAreRefused() {
        byte[] b = EfiSignatureList.sha256(OWNER, List.of(new byte[32])).toBytes();
        assertRefused(Arrays.copyOf(b, 20),
                "EFI_SIGNATURE_LIST needs 28 bytes at offset 0x0, only 20 left in a buffer of 20 bytes");
        assertRefused(Arrays.copyOf(b, 70), "EFI_SIGNATURE_LIST at 0x0 has SignatureListSize 76, expected at most"
                + " the 70 bytes left");
        byte[] size = b.clone();
        LittleEndian.put32(size, 24, 16);
        assertRefused(size, "EFI_SIGNATURE_LIST at 0x0 has SignatureSize 16, expected more than 16");
        byte[] steps = b.clone();
        LittleEndian.put32(steps, 24, 40);
        assertRefused(steps, "EFI_SIGNATURE_LIST at 0x0 has SignatureListSize 76, expected 28 + SignatureHeaderSize 0"
                + " + a positive multiple of SignatureSize 40");
        byte[] sha = Arrays.copyOf(b, 28 + 40);
        LittleEndian.put32(sha, 16, 28 + 40);
        LittleEndian.put32(sha, 24, 40);
        assertRefused(sha, "EFI_SIGNATURE_LIST at 0x0 of EFI_CERT_SHA256 has SignatureSize 40 and SignatureHeaderSize"
                + " 0, expected 48 and 0");
        byte[] trailing = Arrays.copyOf(b, b.length + 4);
        assertRefused(trailing,
                "EFI_SIGNATURE_LIST needs 28 bytes at offset 0x4C, only 4 left in a buffer of 80 bytes");
    }

    @Test
    public void certificateEntryThatIsNotACertificateIsRefused() {
        SignatureDatabase db = SignatureDatabase.empty().with(EfiSignatureList.x509(OWNER, new byte[] {0x30, 0}));
        MalformedStructureException e = assertThrows(MalformedStructureException.class, db::certificates);
        assertTrue(e.getMessage(), e.getMessage().startsWith("EFI_CERT_X509 SignatureData of 2 bytes is not a DER"));
    }

    private static void assertRefused(byte[] data, String expected) {
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> SignatureDatabase.parse(data));
        assertEquals(expected, e.getMessage());
    }
}
