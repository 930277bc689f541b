package io.teebox.boot.uefi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.MalformedStructureException;
import java.time.LocalDateTime;
import java.util.Arrays;
import org.junit.Test;

public class AuthenticatedVariableTest {

    static final EfiTime WHEN = EfiTime.timestamp(LocalDateTime.of(2026, 1, 2, 3, 4, 5));
    static final long ATTRS = AuthenticatedVariable.SECURE_BOOT_ATTRIBUTES;
    static final byte[] NEW_DB = Fixtures.VENDOR.variables().db()
            .withCertificate(Fixtures.ROGUE.owner(), Fixtures.ROGUE.uefiCa().certificate()).toBytes();
    static final AuthenticatedVariable UPDATE = AuthenticatedVariable.sign("db", ATTRS, WHEN, NEW_DB,
            Fixtures.VENDOR.kekCa().privateKey(), Fixtures.VENDOR.kekCa().certificate());

    @Test
    public void dbUpdateSignedByKekRoundTripsAndVerifies() {
        byte[] b = UPDATE.toBytes();
        assertEquals(0x27, ATTRS);
        assertEquals(2026, LittleEndian.u16(b, 0));
        assertEquals(0x0200, LittleEndian.u16(b, 20));
        assertEquals(0x0EF1, LittleEndian.u16(b, 22));
        assertEquals(24 + UPDATE.signedData().length, LittleEndian.u32(b, 16));
        assertArrayEquals(NEW_DB, Arrays.copyOfRange(b, b.length - NEW_DB.length, b.length));
        AuthenticatedVariable back = AuthenticatedVariable.parse(b);
        assertEquals(UPDATE, back);
        assertEquals(WHEN, back.timestamp());
        assertTrue(back.verify("db", ATTRS, Fixtures.VENDOR.kekCa().certificate()));
        // the KEK CA chains to the vendor root, so a root in KEK would authorise it too
        assertTrue(back.verify("db", ATTRS, Fixtures.VENDOR.root().certificate()));
    }

    @Test
    public void wrongSignerVariableAttributesOrTamperedDataDoNotVerify() {
        assertFalse(UPDATE.verify("db", ATTRS, Fixtures.VENDOR.platformKey().certificate()));
        assertFalse(UPDATE.verify("db", ATTRS, Fixtures.ROGUE.kekCa().certificate()));
        assertFalse(UPDATE.verify("dbx", ATTRS, Fixtures.VENDOR.kekCa().certificate()));
        assertFalse(UPDATE.verify("db", ATTRS | AuthenticatedVariable.APPEND_WRITE,
                Fixtures.VENDOR.kekCa().certificate()));
        byte[] b = UPDATE.toBytes();
        assertFalse(AuthenticatedVariable.parse(Fixtures.flip(b, b.length - 1)).verify("db", ATTRS,
                Fixtures.VENDOR.kekCa().certificate()));
        assertFalse(AuthenticatedVariable.parse(Fixtures.flip(b, 6)).verify("db", ATTRS,
                Fixtures.VENDOR.kekCa().certificate()));
    }

    @Test
    public void everyFlippedByteOfHeaderOrDataIsRefusedAndNoFlipThrowsOtherwise() {
        byte[] b = UPDATE.toBytes();
        int certData = 40;
        int dataStart = certData + UPDATE.signedData().length;
        for (int i = 0; i < b.length; i++) {
            boolean verified;
            try {
                verified = AuthenticatedVariable.parse(Fixtures.flip(b, i)).verify("db", ATTRS,
                        Fixtures.VENDOR.kekCa().certificate());
            } catch (MalformedStructureException e) {
                Fixtures.assertOneLine(e.getMessage());
                continue;
            }
            // inside the SignedData, Bouncy Castle (like OpenSSL) tolerates some changes to fields no signature
            // covers (the SignedData's digestAlgorithms SET, say); everything else must fail
            if (i < certData || i >= dataStart) {
                assertFalse("byte " + i, verified);
            }
        }
    }

    @Test
    public void malformedHeadersAreRefusedInOneLine() {
        byte[] b = UPDATE.toBytes();
        assertRefused(Arrays.copyOf(b, 30), "EFI_VARIABLE_AUTHENTICATION_2 is 30 bytes, shorter than its 40-byte"
                + " header");
        assertRefused(Fixtures.flip(b, 21), "AuthInfo wRevision is 0x0300, expected 0x0200");
        assertRefused(Fixtures.flip(b, 22), "AuthInfo wCertificateType is 0x0EF0, expected 0x0EF1"
                + " (WIN_CERT_TYPE_EFI_GUID)");
        assertRefused(Fixtures.flip(b, 24), "AuthInfo CertType is 4aafd29c-68df-49ee-8aa9-347d375665a7, expected"
                + " 4aafd29d-68df-49ee-8aa9-347d375665a7 (EFI_CERT_TYPE_PKCS7_GUID)");
        byte[] longer = b.clone();
        LittleEndian.put32(longer, 16, b.length);
        assertRefused(longer, "AuthInfo dwLength is " + b.length + ", expected more than 24 and at most the "
                + (b.length - 16) + " bytes after TimeStamp");
        byte[] pad = b.clone();
        pad[7] = 1;
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> AuthenticatedVariable.parse(pad));
        assertTrue(e.getMessage(), e.getMessage().startsWith("EFI_TIME"));
        Fixtures.assertOneLine(e.getMessage());
        byte[] month = b.clone();
        month[2] = 13;
        assertRefused(month, "EFI_TIME Month is 13, expected 1..12");
    }

    private static void assertRefused(byte[] data, String expected) {
        MalformedStructureException e = assertThrows(MalformedStructureException.class,
                () -> AuthenticatedVariable.parse(data));
        assertEquals(expected, e.getMessage());
    }
}
