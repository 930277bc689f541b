package io.teebox.tpm.abi;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.Signature;
import java.util.List;

import org.junit.Test;

import io.teebox.kit.crypto.EcKeys;
import io.teebox.kit.crypto.RsaKeys;
import io.teebox.kit.crypto.Signatures;
import io.teebox.kit.hex.Hex;

/** Round trips and refusals of the structures without genuine vectors. */
public class StructureRoundTripTest {

    private static TpmtPublic eccSigner(KeyPair kp) {
        return new TpmtPublic(TpmAlgId.ECC, TpmAlgId.SHA256,
                TpmtPublic.FIXED_TPM | TpmtPublic.FIXED_PARENT | TpmtPublic.SENSITIVE_DATA_ORIGIN
                        | TpmtPublic.USER_WITH_AUTH | TpmtPublic.SIGN,
                Tpm2bDigest.EMPTY, new TpmsEccParms(TpmtSymDefObject.NULL,
                        TpmtAsymScheme.of(TpmAlgId.ECDSA, TpmAlgId.SHA256), TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL),
                TpmtPublic.uniqueOf(kp.getPublic(), 32));
    }

    @Test
    public void eccPublicRoundTripsAndGivesItsKeyBack() {
        KeyPair kp = EcKeys.fromSeed("P-256", new byte[32]);
        TpmtPublic p = eccSigner(kp);
        byte[] b = p.toBytes();
        TpmtPublic q = TpmtPublic.fromBytes(b);
        assertArrayEquals(b, q.toBytes());
        assertEquals(kp.getPublic(), q.publicKey());
        assertEquals(34, q.name().name().length);
        byte[] twoB = new Tpm2bPublic(q).toBytes();
        assertEquals(b.length, (twoB[0] & 0xff) << 8 | twoB[1] & 0xff);
        assertArrayEquals(b, java.util.Arrays.copyOfRange(twoB, 2, twoB.length));
    }

    @Test
    public void tpm2bPublicSizeMustMatch() {
        byte[] b = new Tpm2bPublic(eccSigner(EcKeys.fromSeed("P-256", new byte[32]))).toBytes();
        assertArrayEquals(b, Tpm2bPublic.parse(new TpmReader(b)).toBytes());
        byte[] wrong = b.clone();
        wrong[1]++;
        assertThrows(TpmException.class, () -> Tpm2bPublic.parse(new TpmReader(wrong)));
    }

    @Test
    public void sealedObjectPublicRoundTrips() {
        TpmtPublic p = new TpmtPublic(TpmAlgId.KEYEDHASH, TpmAlgId.SHA256, TpmtPublic.FIXED_TPM
                | TpmtPublic.FIXED_PARENT, new Tpm2bDigest(new byte[32]), TpmsKeyedHashParms.NULL,
                new Tpm2bDigest(new byte[32]));
        assertArrayEquals(p.toBytes(), TpmtPublic.fromBytes(p.toBytes()).toBytes());
        assertEquals(TpmRc.KEY, assertThrows(TpmException.class, p::publicKey).rc());
    }

    @Test
    public void mismatchedUnionIsRefused() {
        TpmException e = assertThrows(TpmException.class, () -> new TpmtPublic(TpmAlgId.RSA, TpmAlgId.SHA256, 0,
                Tpm2bDigest.EMPTY, TpmsKeyedHashParms.NULL, new Tpm2bDigest(new byte[0])));
        assertEquals(TpmRc.SELECTOR, e.rc());
    }

    @Test
    public void ecdsaSignatureRoundTripsAndVerifies() throws Exception {
        KeyPair kp = EcKeys.fromSeed("P-256", new byte[32]);
        byte[] msg = "quote".getBytes();
        BigInteger[] rs = Signatures.ecdsaSign(kp.getPrivate(), "SHA-256", msg);
        TpmtSignature s = TpmtSignature.ecdsa(TpmAlgId.SHA256, TpmtPublic.unsigned(rs[0], 32),
                TpmtPublic.unsigned(rs[1], 32));
        TpmtSignature back = TpmtSignature.fromBytes(s.toBytes());
        assertArrayEquals(s.toBytes(), back.toBytes());
        assertTrue(back.verify(kp.getPublic(), msg));
        assertFalse(back.verify(kp.getPublic(), "quotf".getBytes()));
    }

    @Test
    public void rsaPssSignatureRoundTripsAndVerifies() throws Exception {
        KeyPair kp = RsaKeys.fromSeed(2048, new byte[32]);
        Signature signer = Signature.getInstance("RSASSA-PSS");
        signer.setParameter(TpmtSignature.pssParameters(TpmAlgId.SHA256));
        signer.initSign(kp.getPrivate());
        signer.update(new byte[] {1, 2, 3});
        TpmtSignature s = TpmtSignature.rsa(TpmAlgId.RSAPSS, TpmAlgId.SHA256, signer.sign());
        TpmtSignature back = TpmtSignature.fromBytes(s.toBytes());
        assertTrue(back.verify(kp.getPublic(), new byte[] {1, 2, 3}));
        byte[] cut = java.util.Arrays.copyOf(s.toBytes(), 100);
        assertEquals(TpmRc.INSUFFICIENT, assertThrows(TpmException.class, () -> TpmtSignature.fromBytes(cut)).rc());
    }

    @Test
    public void pcrSelectionAndDigestValuesRoundTrip() {
        TpmlPcrSelection sel = TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 0, 7, 23),
                TpmsPcrSelection.of(TpmAlgId.SHA384, 1));
        byte[] b = sel.toBytes();
        assertEquals("00000002000b03810080000c03020000", Hex.encode(b));
        assertArrayEquals(b, TpmlPcrSelection.parse(new TpmReader(b)).toBytes());
        assertEquals(List.of(0, 7, 23), TpmlPcrSelection.parse(new TpmReader(b)).pcrSelections().get(0).pcrs());

        TpmlDigestValues v = new TpmlDigestValues(List.of(new TpmtHa(TpmAlgId.SHA256, new byte[32])));
        TpmWriter w = new TpmWriter();
        v.write(w);
        assertEquals(4 + 2 + 32, w.size());
        TpmWriter w2 = new TpmWriter();
        TpmlDigestValues.parse(new TpmReader(w.toByteArray())).write(w2);
        assertArrayEquals(w.toByteArray(), w2.toByteArray());
        assertThrows(TpmException.class, () -> new TpmtHa(TpmAlgId.SHA256, new byte[20]));
        byte[] five = Hex.decode("00000005");
        assertEquals(TpmRc.SIZE, assertThrows(TpmException.class, () -> TpmlPcrSelection.parse(new TpmReader(five)))
                .rc());
    }

    @Test
    public void headersAreCheckedAgainstTheBuffer() {
        byte[] startup = Hex.decode("80010000000c000001440000");
        CommandHeader h = CommandHeader.parse(startup);
        assertEquals(TpmCc.Startup.value(), h.commandCode());
        TpmWriter w = new TpmWriter();
        h.write(w);
        assertEquals("80010000000c00000144", Hex.encode(w.toByteArray()));
        byte[] wrong = Hex.decode("80010000000d000001440000");
        TpmException e = assertThrows(TpmException.class, () -> CommandHeader.parse(wrong));
        assertEquals(TpmRc.COMMAND_SIZE, e.rc());
        assertEquals("commandSize is 13, the command is 12 bytes", e.getMessage());
        assertEquals(TpmRc.BAD_TAG, assertThrows(TpmException.class,
                () -> CommandHeader.parse(Hex.decode("00c40000000c000001440000"))).rc());
        byte[] err = ResponseHeader.error(TpmRc.COMMAND_CODE.value());
        assertEquals("80010000000a00000143", Hex.encode(err));
        assertEquals(0x143, ResponseHeader.parse(err).responseCode());
    }

    @Test
    public void responseCodesCarryTheirNumbers() {
        assertEquals(0x1d5, TpmRc.SIZE.withParameter(1));
        assertEquals(0x18b, TpmRc.HANDLE.withHandle(1));
        assertEquals(0x98e, TpmRc.AUTH_FAIL.withSession(1));
        assertEquals(TpmRc.SIZE, TpmRc.fromCode(0x1d5));
        assertEquals(TpmRc.POLICY_FAIL, TpmRc.fromCode(0x99d));
        assertThrows(IllegalArgumentException.class, () -> TpmRc.COMMAND_CODE.withParameter(1));
    }

    @Test
    public void policyPcrFollowsTheSpecFormula() {
        TpmlPcrSelection sel = TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 0));
        byte[] pcrDigest = TpmAlgId.SHA256.hash(new byte[32]);
        byte[] expected = TpmAlgId.SHA256.hash(new byte[32], Hex.decode("0000017f"), sel.toBytes(), pcrDigest);
        assertArrayEquals(expected, PolicyDigests.policyPcr(TpmAlgId.SHA256, PolicyDigests.initial(TpmAlgId.SHA256),
                sel, pcrDigest));
    }

    @Test
    public void nvPublicRoundTripsAndIsNamed() {
        TpmsNvPublic nv = new TpmsNvPublic(0x01C00002, TpmAlgId.SHA256, TpmsNvPublic.OWNERWRITE
                | TpmsNvPublic.OWNERREAD | TpmsNvPublic.AUTHREAD, Tpm2bDigest.EMPTY, 1024);
        TpmWriter w = new TpmWriter();
        nv.write2b(w);
        TpmsNvPublic back = TpmsNvPublic.parse2b(new TpmReader(w.toByteArray()));
        assertArrayEquals(nv.toBytes(), back.toBytes());
        assertEquals(34, back.name().name().length);
        assertEquals(TpmRc.HANDLE, assertThrows(TpmException.class, () -> new TpmsNvPublic(0x81000000,
                TpmAlgId.SHA256, 0, Tpm2bDigest.EMPTY, 4)).rc());
    }

    @Test
    public void sensitiveCreateRoundTrips() {
        Tpm2bSensitiveCreate s = new Tpm2bSensitiveCreate("pw".getBytes(), "secret".getBytes());
        TpmWriter w = new TpmWriter();
        s.write(w);
        assertEquals("000c000270770006736563726574", Hex.encode(w.toByteArray()));
        Tpm2bSensitiveCreate back = Tpm2bSensitiveCreate.parse(new TpmReader(w.toByteArray()));
        assertArrayEquals("secret".getBytes(), back.data());
        byte[] bad = Hex.decode("000d000270770006736563726574ff");
        assertEquals(TpmRc.SIZE, assertThrows(TpmException.class,
                () -> Tpm2bSensitiveCreate.parse(new TpmReader(bad))).rc());
    }
}
