package io.teebox.amd.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.util.Map;

import org.junit.Test;

import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.Signatures;

/** ATTESTATION_REPORT, TCB_VERSION and the SNP policy: round trips, must-be-zero checks, signature coverage. */
public class SnpStructuresTest {

    private static SnpReport sample(int version) {
        SnpReport r = SnpReport.create(version);
        r.fields().set("GUEST_SVN", 7).set("POLICY", 0x30000).set("VMPL", 0).set("SIGNATURE_ALGO", 1)
                .set("CURRENT_TCB", 0xD100000000000003L).set("PLATFORM_INFO", 0x25).set("KEY_INFO", 0)
                .set("REPORT_DATA", new byte[64]).set("CHIP_ID", filled(64, 0xC1)).set("MEASUREMENT",
                        filled(48, 0x4D)).set("CURRENT_MAJOR", 1).set("CURRENT_MINOR", 55).set("CURRENT_BUILD", 21);
        if (version >= 3) {
            r.fields().set("CPUID_FAM_ID", 0x19).set("CPUID_MOD_ID", 0x01).set("CPUID_STEP", 1);
        }
        if (version >= 5) {
            r.fields().set("LAUNCH_MIT_VECTOR", 3).set("CURRENT_MIT_VECTOR", 3);
        }
        return r;
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) v);
        return b;
    }

    @Test
    public void reportsOfEveryVersionRoundTrip() {
        for (int v = 2; v <= 5; v++) {
            byte[] bytes = sample(v).bytes();
            assertEquals(0x4A0, bytes.length);
            SnpReport p = SnpReport.parse(bytes);
            assertArrayEquals(bytes, p.bytes());
            assertEquals(v, p.version());
            assertEquals(0x4D, bytes[0x090]);
            assertEquals((byte) 0xC1, bytes[0x1A0]);
        }
    }

    @Test
    public void mustBeZeroFieldsAreCheckedPerVersion() {
        byte[] v2 = sample(2).bytes();
        v2[0x188] = 0x19;
        assertThrows(MalformedStructureException.class, () -> SnpReport.parse(v2));
        byte[] v3 = sample(3).bytes();
        v3[0x1F8] = 1;
        MalformedStructureException e = assertThrows(MalformedStructureException.class, () -> SnpReport.parse(v3));
        assertTrue(e.getMessage(), e.getMessage().contains("MIT_VECTOR"));
        for (int off : new int[] {0x04C, 0x18B, 0x1EB, 0x208, 0x29F, 0x330, 0x49F}) {
            byte[] b = sample(5).bytes();
            b[off] = 1;
            assertThrows("offset 0x" + Integer.toHexString(off), MalformedStructureException.class,
                    () -> SnpReport.parse(b));
        }
        byte[] keyInfo = sample(3).bytes();
        keyInfo[0x048] = 0x20;
        assertThrows(MalformedStructureException.class, () -> SnpReport.parse(keyInfo));
        byte[] version = sample(3).bytes();
        version[0] = 6;
        assertEquals("VERSION", assertThrows(MalformedStructureException.class, () -> SnpReport.parse(version))
                .field());
        assertThrows(MalformedStructureException.class, () -> SnpReport.parse(new byte[0x49F]));
    }

    @Test
    public void signatureCoversExactlyTheSignedPart() {
        KeyPair vcek = EcKeys.generate("P-384");
        SnpReport r = sample(3);
        BigInteger[] rs = Signatures.ecdsaSign(vcek.getPrivate(), "SHA-384", r.signedBytes());
        r.sign(rs[0], rs[1]);
        SnpReport parsed = SnpReport.parse(r.bytes());
        BigInteger[] back = parsed.signature();
        assertEquals(rs[0], back[0]);
        assertEquals(rs[1], back[1]);
        assertTrue(Signatures.ecdsaVerify(vcek.getPublic(), "SHA-384", parsed.signedBytes(), back[0], back[1]));
        byte[] tampered = r.bytes();
        tampered[0x090] ^= 1;
        SnpReport t = SnpReport.parse(tampered);
        assertFalse(Signatures.ecdsaVerify(vcek.getPublic(), "SHA-384", t.signedBytes(), back[0], back[1]));
    }

    @Test
    public void tcbVersionLayoutsOfMilanAndTurin() {
        TcbVersion milan = TcbVersions.encode("Milan", 0, 3, 0, 8, 115);
        assertEquals(0x7308000000000003L, milan.asLong());
        assertEquals(Map.of("BOOT_LOADER", 3, "TEE", 0, "SNP", 8, "MICROCODE", 115), milan.components());
        TcbVersion turin = TcbVersions.encode("Turin", 1, 2, 3, 4, 5);
        assertEquals(0x0500000004030201L, turin.asLong());
        assertEquals(turin, TcbVersions.decode("Turin", turin.asLong()));
        assertThrows(IllegalArgumentException.class, () -> TcbVersions.decode("Milan", 0x0000_0100_0000_0000L));
        assertThrows(IllegalArgumentException.class, () -> TcbVersions.encode("Genoa", 1, 0, 0, 0, 0));
    }

    @Test
    public void snpPolicyBits() {
        SnpPolicy p = new SnpPolicy(0x30000 | SnpPolicy.DEBUG | 0x0102);
        assertTrue(p.has(SnpPolicy.SMT));
        assertTrue(p.has(SnpPolicy.DEBUG));
        assertEquals(1, p.abiMajor());
        assertEquals(2, p.abiMinor());
        assertTrue(p.toString().contains("DEBUG"));
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class, () -> new SnpPolicy(0x10000)).status()
                .name());
        assertTrue(assertThrows(TeeException.class, () -> new SnpPolicy(0x30000 | 1L << 26)).getMessage()
                .contains("63:26"));
    }

    @Test
    public void guestMessageSealsOpensAndRefusesTampering() {
        byte[] key = filled(32, 7);
        byte[] msg = SnpGuestMessage.seal(key, 2, 9, SnpGuestMessage.REPORT_REQ, "payload".getBytes());
        var h = SnpGuestMessage.header(msg);
        assertEquals(9, h.u64("MSG_SEQNO"));
        assertEquals(2, h.u8("MSG_VMPCK"));
        assertEquals(7, h.u16("MSG_SZ"));
        assertArrayEquals(java.util.Arrays.copyOf(msg, 0x60), SnpGuestMessage.HEADER.parse(
                java.util.Arrays.copyOf(msg, 0x60)).toBytes());
        assertEquals("payload", new String(SnpGuestMessage.open(key, msg)));
        for (int off : new int[] {0x00, 0x20, 0x34, 0x60}) {
            byte[] t = msg.clone();
            t[off] ^= 1;
            assertThrows("offset 0x" + Integer.toHexString(off), TeeException.class, () -> SnpGuestMessage.open(key,
                    t));
        }
        byte[] reserved = msg.clone();
        reserved[0x40] = 1;
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class, () -> SnpGuestMessage.open(key, reserved))
                .status().name());
        assertThrows(IllegalArgumentException.class, () -> SnpGuestMessage.seal(key, 0, 0, 5, new byte[0]));
    }

    @Test
    public void certificateTableRoundTripsInRfc4122ByteOrder() {
        Map<java.util.UUID, byte[]> certs = new java.util.LinkedHashMap<>();
        certs.put(SnpCertTable.VCEK, filled(10, 1));
        certs.put(SnpCertTable.ASK, filled(20, 2));
        certs.put(SnpCertTable.ARK, filled(30, 3));
        byte[] table = SnpCertTable.build(certs);
        assertEquals((byte) 0x63, table[0]);
        assertEquals((byte) 0xDA, table[1]);
        assertEquals(96, table[16]);
        Map<java.util.UUID, byte[]> back = SnpCertTable.parse(table);
        assertEquals(certs.keySet(), back.keySet());
        assertArrayEquals(certs.get(SnpCertTable.ASK), back.get(SnpCertTable.ASK));
        byte[] bad = table.clone();
        bad[16] = 10;
        assertThrows(IllegalArgumentException.class, () -> SnpCertTable.parse(bad));
        assertThrows(IllegalArgumentException.class, () -> SnpCertTable.parse(java.util.Arrays.copyOf(table, 40)));
    }

    @Test
    public void idKeysOfAnotherSizeAreInvalidLengthAndShortSignaturesDoNotVerify() {
        KeyPair id = EcKeys.generate("P-384");
        byte[] key = SnpIdBlock.publicKey(id.getPublic());
        for (int len : new int[] {0, 3, 4, 0x4C, 0x403, 0x405}) {
            byte[] k = java.util.Arrays.copyOf(key, len);
            TeeException e = assertThrows("length " + len, TeeException.class, () -> SnpIdBlock.parseKey(k));
            assertEquals("INVALID_LENGTH", e.status().name());
            assertTrue(e.getMessage(), e.getMessage().contains(len + " bytes") && e.getMessage().contains("0x404"));
        }
        assertEquals(id.getPublic(), SnpIdBlock.parseKey(key));
        byte[] data = {1, 2, 3};
        byte[] sig = SnpIdBlock.sign(id.getPrivate(), data);
        assertTrue(SnpIdBlock.verify(id.getPublic(), data, sig));
        assertFalse(SnpIdBlock.verify(id.getPublic(), data, java.util.Arrays.copyOf(sig, 144)));
        assertFalse(SnpIdBlock.verify(id.getPublic(), data, new byte[0]));
    }
}
