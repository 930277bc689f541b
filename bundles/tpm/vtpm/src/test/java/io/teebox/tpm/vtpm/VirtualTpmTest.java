package io.teebox.tpm.vtpm;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;

import org.junit.Test;

import io.teebox.kit.hex.Hex;
import io.teebox.tpm.abi.PolicyDigests;
import io.teebox.tpm.abi.Tpm2bData;
import io.teebox.tpm.abi.Tpm2bDigest;
import io.teebox.tpm.abi.Tpm2bName;
import io.teebox.tpm.abi.Tpm2bPublic;
import io.teebox.tpm.abi.Tpm2bPublicKeyRsa;
import io.teebox.tpm.abi.Tpm2bSensitiveCreate;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmEccCurve;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmlPcrSelection;
import io.teebox.tpm.abi.TpmsAttest;
import io.teebox.tpm.abi.TpmsEccParms;
import io.teebox.tpm.abi.TpmsEccPoint;
import io.teebox.tpm.abi.TpmsKeyedHashParms;
import io.teebox.tpm.abi.TpmsNvPublic;
import io.teebox.tpm.abi.TpmsPcrSelection;
import io.teebox.tpm.abi.TpmsQuoteInfo;
import io.teebox.tpm.abi.TpmsRsaParms;
import io.teebox.tpm.abi.TpmtAsymScheme;
import io.teebox.tpm.abi.TpmtKdfScheme;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSignature;
import io.teebox.tpm.abi.TpmtSymDefObject;
import io.teebox.tpm.vtpm.TpmClient.Auth;
import io.teebox.tpm.vtpm.TpmClient.Response;

/** The command processor driven with hand-built commands: framing errors, PCRs, keys, quotes, policy, NV, state. */
public class VirtualTpmTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
    static final Auth[] PW = {Auth.password("")};

    static byte[] seed(int b) {
        byte[] s = new byte[32];
        Arrays.fill(s, (byte) b);
        return s;
    }

    static TpmClient started(int seedByte) {
        TpmClient c = new TpmClient(VirtualTpm.create(seed(seedByte), CLOCK));
        c.startup();
        return c;
    }

    static final int SIGNING = TpmtPublic.FIXED_TPM | TpmtPublic.FIXED_PARENT | TpmtPublic.SENSITIVE_DATA_ORIGIN
            | TpmtPublic.USER_WITH_AUTH | TpmtPublic.SIGN;

    static TpmtPublic storageTemplate() {
        return new TpmtPublic(TpmAlgId.RSA, TpmAlgId.SHA256, TpmtPublic.FIXED_TPM | TpmtPublic.FIXED_PARENT
                | TpmtPublic.SENSITIVE_DATA_ORIGIN | TpmtPublic.USER_WITH_AUTH | TpmtPublic.RESTRICTED
                | TpmtPublic.DECRYPT, Tpm2bDigest.EMPTY, new TpmsRsaParms(TpmtSymDefObject.AES_128_CFB,
                        TpmtAsymScheme.NULL, 2048, 0), new Tpm2bPublicKeyRsa(new byte[0]));
    }

    static TpmtPublic eccSigningTemplate() {
        return new TpmtPublic(TpmAlgId.ECC, TpmAlgId.SHA256, SIGNING, Tpm2bDigest.EMPTY,
                new TpmsEccParms(TpmtSymDefObject.NULL, TpmtAsymScheme.of(TpmAlgId.ECDSA, TpmAlgId.SHA256),
                        TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL), new TpmsEccPoint(new byte[0], new byte[0]));
    }

    static TpmtPublic rsaSigningTemplate() {
        return new TpmtPublic(TpmAlgId.RSA, TpmAlgId.SHA256, SIGNING | TpmtPublic.RESTRICTED, Tpm2bDigest.EMPTY,
                new TpmsRsaParms(TpmtSymDefObject.NULL, TpmtAsymScheme.of(TpmAlgId.RSASSA, TpmAlgId.SHA256), 2048, 0),
                new Tpm2bPublicKeyRsa(new byte[0]));
    }

    /** CreatePrimary; returns the handle and the response's outPublic and name. */
    static Object[] createPrimary(TpmClient c, int hierarchy, TpmtPublic template) {
        Response r = c.send(TpmCc.CreatePrimary, new int[] {hierarchy}, PW, true, w -> {
            new Tpm2bSensitiveCreate(new byte[0], new byte[0]).write(w);
            new Tpm2bPublic(template).write(w);
            new Tpm2bData(new byte[0]).write(w);
            TpmlPcrSelection.of().write(w);
        }).ok();
        TpmtPublic pub = Tpm2bPublic.parse(r.params()).publicArea();
        r.params().tpm2b(4096, "creationData");
        Tpm2bDigest.parse(r.params());
        r.params().u16("tag");
        r.params().u32("hierarchy");
        Tpm2bDigest.parse(r.params());
        Tpm2bName name = Tpm2bName.parse(r.params());
        return new Object[] {r.handle(), pub, name};
    }

    /** Create + Load under a parent; returns the loaded handle and public area. */
    static Object[] createAndLoad(TpmClient c, int parent, TpmtPublic template, byte[] auth, byte[] data) {
        Response r = c.send(TpmCc.Create, new int[] {parent}, PW, false, w -> {
            new Tpm2bSensitiveCreate(auth, data).write(w);
            new Tpm2bPublic(template).write(w);
            new Tpm2bData(new byte[0]).write(w);
            TpmlPcrSelection.of().write(w);
        }).ok();
        byte[] priv = r.params().tpm2b(4096, "outPrivate");
        TpmtPublic pub = Tpm2bPublic.parse(r.params()).publicArea();
        Response l = c.send(TpmCc.Load, new int[] {parent}, PW, true, w -> {
            w.tpm2b(priv);
            new Tpm2bPublic(pub).write(w);
        }).ok();
        assertEquals(pub.name().toString(), Tpm2bName.parse(l.params()).toString());
        return new Object[] {l.handle(), pub};
    }

    @Test
    public void commandsBeforeStartupAndASecondStartupAreRefused() {
        TpmClient c = new TpmClient(VirtualTpm.create(seed(1), CLOCK));
        assertEquals(TpmRc.INITIALIZE.value(), c.send(TpmCc.GetRandom, w -> w.u16(8)).rc());
        c.startup();
        assertEquals(TpmRc.INITIALIZE.value(), c.send(TpmCc.Startup, w -> w.u16(0)).rc());
        assertEquals(8, c.send(TpmCc.GetRandom, w -> w.u16(8)).ok().params().tpm2b(64, "randomBytes").length);
    }

    @Test
    public void unknownCommandsAndBadSizesGetTheirCodes() {
        TpmClient c = started(1);
        VirtualTpm tpm = VirtualTpm.create(seed(1), CLOCK);
        tpm.execute(Hex.decode("80010000000c000001440000"));
        assertEquals("80010000000a00000143", Hex.encode(tpm.execute(Hex.decode("80010000000a000001ff"))));
        assertEquals("80010000000a00000143", Hex.encode(tpm.execute(Hex.decode("80010000000a00000126"))));
        assertEquals("80010000000a00000142", Hex.encode(tpm.execute(Hex.decode("80010000000d0000017b0008"))));
        assertEquals("00c40000000a0000001e", Hex.encode(tpm.execute(Hex.decode("80030000000c0000017b0008"))));
        // GetRandom with one byte of its UINT16: TPM_RC_INSUFFICIENT on parameter 1
        assertEquals(TpmRc.INSUFFICIENT.withParameter(1), c.send(TpmCc.GetRandom, w -> w.u8(0)).rc());
        assertEquals(TpmRc.SIZE.value(), c.send(TpmCc.GetRandom, w -> w.u16(8).u8(0)).rc());
        // a command needing authorization without sessions
        assertEquals(TpmRc.AUTH_MISSING.value(), c.send(TpmCc.PCR_Extend, new int[] {0}, new Auth[0], false,
                w -> w.u32(0)).rc());
        assertEquals(TpmRc.HANDLE.withHandle(1), c.send(TpmCc.ReadPublic, new int[] {0x80000005}, new Auth[0], false,
                w -> { }).rc());
    }

    @Test
    public void pcrExtendFoldsIntoEachBankAndPcrReadReturnsIt() {
        TpmClient c = started(1);
        byte[] d256 = TpmAlgId.SHA256.hash("event".getBytes());
        byte[] d384 = TpmAlgId.SHA384.hash("event".getBytes());
        c.send(TpmCc.PCR_Extend, new int[] {16}, PW, false, w -> {
            w.u32(2).u16(TpmAlgId.SHA256.value()).bytes(d256).u16(TpmAlgId.SHA384.value()).bytes(d384);
        }).ok();
        Response r = c.send(TpmCc.PCR_Read, w -> TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 16, 17),
                TpmsPcrSelection.of(TpmAlgId.SHA384, 16)).write(w)).ok();
        assertEquals(1, r.params().u32("pcrUpdateCounter"));
        TpmlPcrSelection.parse(r.params());
        assertEquals(3, r.params().u32("count"));
        assertArrayEquals(TpmAlgId.SHA256.hash(new byte[32], d256), r.params().tpm2b(64, "pcr16"));
        byte[] ff = new byte[32];
        Arrays.fill(ff, (byte) 0xFF);
        assertArrayEquals(ff, r.params().tpm2b(64, "pcr17"));
        assertArrayEquals(TpmAlgId.SHA384.hash(new byte[48], d384), r.params().tpm2b(64, "pcr16/384"));
    }

    @Test
    public void endorsementKeysFollowFromTheSeedAndTemplate() {
        for (TpmtPublic template : List.of(EkTemplates.rsa2048(), EkTemplates.eccP256())) {
            Object[] a = createPrimary(started(7), TpmClient.ENDORSEMENT, template);
            Object[] b = createPrimary(started(7), TpmClient.ENDORSEMENT, template);
            Object[] other = createPrimary(started(8), TpmClient.ENDORSEMENT, template);
            TpmtPublic pa = (TpmtPublic) a[1];
            assertArrayEquals(((TpmtPublic) b[1]).toBytes(), pa.toBytes());
            assertFalse(Arrays.equals(((TpmtPublic) other[1]).toBytes(), pa.toBytes()));
            assertEquals(pa.name().toString(), a[2].toString());
            assertEquals(EkTemplates.ATTRIBUTES, pa.objectAttributes());
            // the template apart from unique is kept as given
            assertArrayEquals(template.withUnique(pa.unique()).toBytes(), pa.toBytes());
        }
    }

    private static void quoteAndVerify(TpmtPublic template) {
        TpmClient c = started(2);
        int srk = (int) createPrimary(c, TpmClient.OWNER, storageTemplate())[0];
        Object[] ak = createAndLoad(c, srk, template, new byte[0], new byte[0]);
        byte[] nonce = Hex.decode("00112233445566778899aabbccddeeff");
        TpmlPcrSelection sel = TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 0, 1, 2, 7));
        Response q = c.send(TpmCc.Quote, new int[] {(int) ak[0]}, PW, false, w -> {
            w.tpm2b(nonce);
            TpmtAsymScheme.NULL.write(w);
            sel.write(w);
        }).ok();
        byte[] quoted = q.params().tpm2b(4096, "quoted");
        TpmtSignature sig = TpmtSignature.parse(q.params());
        TpmsAttest a = TpmsAttest.fromBytes(quoted);
        assertArrayEquals(nonce, a.extraData().buffer());
        TpmsQuoteInfo qi = (TpmsQuoteInfo) a.attested();
        assertArrayEquals(TpmAlgId.SHA256.hash(new byte[32], new byte[32], new byte[32], new byte[32]),
                qi.pcrDigest().buffer());
        TpmtPublic pub = (TpmtPublic) ak[1];
        assertTrue(sig.verify(pub.publicKey(), quoted));
        quoted[quoted.length - 1] ^= 1;
        assertFalse(sig.verify(pub.publicKey(), quoted));
    }

    @Test
    public void ecdsaQuoteVerifiesWithTheKeyAndCarriesTheNonce() {
        quoteAndVerify(eccSigningTemplate());
    }

    @Test
    public void rsassaQuoteVerifiesWithTheKeyAndCarriesTheNonce() {
        quoteAndVerify(rsaSigningTemplate());
    }

    @Test
    public void wrongPasswordIsAuthFailOnSessionOne() {
        TpmClient c = started(3);
        int srk = (int) createPrimary(c, TpmClient.OWNER, storageTemplate())[0];
        Object[] ak = createAndLoad(c, srk, eccSigningTemplate(), "secret".getBytes(), new byte[0]);
        Response r = c.send(TpmCc.Quote, new int[] {(int) ak[0]}, new Auth[] {Auth.password("wrong")}, false, w -> {
            w.tpm2b(new byte[0]);
            TpmtAsymScheme.NULL.write(w);
            TpmlPcrSelection.of().write(w);
        });
        assertEquals(TpmRc.AUTH_FAIL.withSession(1), r.rc());
        assertEquals(0x98E, r.rc());
    }

    private static int startPolicySession(TpmClient c, int type) {
        return c.send(TpmCc.StartAuthSession, new int[] {TpmClient.NULL_HANDLE, TpmClient.NULL_HANDLE}, new Auth[0],
                true, w -> w.tpm2b(new byte[32]).tpm2b(new byte[0]).u8(type).u16(TpmAlgId.NULL.value())
                        .u16(TpmAlgId.SHA256.value())).ok().handle();
    }

    private static void policyPcr(TpmClient c, int session, TpmlPcrSelection sel) {
        c.send(TpmCc.PolicyPCR, new int[] {session}, new Auth[0], false, w -> {
            w.tpm2b(new byte[0]);
            sel.write(w);
        }).ok();
    }

    private static byte[] policyDigest(TpmClient c, int session) {
        return c.send(TpmCc.PolicyGetDigest, new int[] {session}, new Auth[0], false, w -> { }).ok().params()
                .tpm2b(64, "policyDigest");
    }

    @Test
    public void sealedDataUnsealsOnlyWhileThePcrsMatchItsPolicy() {
        TpmClient c = started(4);
        TpmlPcrSelection sel = TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 0, 7));
        int trial = startPolicySession(c, 3);
        policyPcr(c, trial, sel);
        byte[] policy = policyDigest(c, trial);
        byte[] expected = PolicyDigests.policyPcr(TpmAlgId.SHA256, new byte[32], sel,
                PolicyDigests.pcrDigest(TpmAlgId.SHA256, List.of(new byte[32], new byte[32])));
        assertArrayEquals(expected, policy);
        c.send(TpmCc.PolicyRestart, new int[] {trial}, new Auth[0], false, w -> { }).ok();
        assertArrayEquals(new byte[32], policyDigest(c, trial));

        int srk = (int) createPrimary(c, TpmClient.OWNER, storageTemplate())[0];
        TpmtPublic sealed = new TpmtPublic(TpmAlgId.KEYEDHASH, TpmAlgId.SHA256, TpmtPublic.FIXED_TPM
                | TpmtPublic.FIXED_PARENT, new Tpm2bDigest(policy), TpmsKeyedHashParms.NULL,
                new Tpm2bDigest(new byte[0]));
        int obj = (int) createAndLoad(c, srk, sealed, new byte[0], "disk key".getBytes())[0];

        // userWithAuth is clear: a password cannot unseal it
        assertEquals(TpmRc.AUTH_UNAVAILABLE.value(), c.send(TpmCc.Unseal, new int[] {obj}, PW, false, w -> { }).rc());

        int s = startPolicySession(c, 1);
        policyPcr(c, s, sel);
        Response ok = c.send(TpmCc.Unseal, new int[] {obj}, new Auth[] {new Auth(s, new byte[0])}, false, w -> { })
                .ok();
        assertArrayEquals("disk key".getBytes(), ok.params().tpm2b(128, "outData"));

        c.send(TpmCc.PCR_Extend, new int[] {7}, PW, false, w -> w.u32(1).u16(TpmAlgId.SHA256.value())
                .bytes(new byte[32])).ok();
        int s2 = startPolicySession(c, 1);
        policyPcr(c, s2, sel);
        Response refused = c.send(TpmCc.Unseal, new int[] {obj}, new Auth[] {new Auth(s2, new byte[0])}, false,
                w -> { });
        assertEquals(TpmRc.POLICY_FAIL.withSession(1), refused.rc());
        assertEquals(0x99D, refused.rc());
    }

    @Test
    public void nvIndicesAreDefinedWrittenReadAndUndefined() {
        TpmClient c = started(5);
        int index = 0x01C00002;
        TpmsNvPublic pub = new TpmsNvPublic(index, TpmAlgId.SHA256, TpmsNvPublic.OWNERWRITE | TpmsNvPublic.OWNERREAD
                | TpmsNvPublic.AUTHREAD | TpmsNvPublic.NO_DA, Tpm2bDigest.EMPTY, 600);
        c.send(TpmCc.NV_DefineSpace, new int[] {TpmClient.OWNER}, PW, false, w -> {
            w.tpm2b(new byte[0]);
            pub.write2b(w);
        }).ok();
        assertEquals(TpmRc.NV_DEFINED.value(), c.send(TpmCc.NV_DefineSpace, new int[] {TpmClient.OWNER}, PW, false,
                w -> {
                    w.tpm2b(new byte[0]);
                    pub.write2b(w);
                }).rc());
        assertEquals(TpmRc.NV_UNINITIALIZED.value(), c.send(TpmCc.NV_Read, new int[] {TpmClient.OWNER, index}, PW,
                false, w -> w.u16(4).u16(0)).rc());
        byte[] cert = new byte[600];
        Arrays.fill(cert, (byte) 0x30);
        c.send(TpmCc.NV_Write, new int[] {TpmClient.OWNER, index}, PW, false, w -> w.tpm2b(Arrays.copyOf(cert, 512))
                .u16(0)).ok();
        c.send(TpmCc.NV_Write, new int[] {TpmClient.OWNER, index}, PW, false, w -> w.tpm2b(new byte[88]).u16(512))
                .ok();
        assertEquals(TpmRc.NV_RANGE.value(), c.send(TpmCc.NV_Write, new int[] {TpmClient.OWNER, index}, PW, false,
                w -> w.tpm2b(new byte[2]).u16(599)).rc());
        byte[] back = c.send(TpmCc.NV_Read, new int[] {index, index}, PW, false, w -> w.u16(16).u16(0)).ok().params()
                .tpm2b(1024, "data");
        assertArrayEquals(Arrays.copyOf(cert, 16), back);
        Response rp = c.send(TpmCc.NV_ReadPublic, new int[] {index}, new Auth[0], false, w -> { }).ok();
        TpmsNvPublic written = TpmsNvPublic.parse2b(rp.params());
        assertEquals(pub.attributes() | TpmsNvPublic.WRITTEN, written.attributes());
        assertEquals(written.name().toString(), Tpm2bName.parse(rp.params()).toString());
        // the index does not allow reading with its own auth for writing
        assertEquals(TpmRc.NV_AUTHORIZATION.value(), c.send(TpmCc.NV_Write, new int[] {index, index}, PW, false,
                w -> w.tpm2b(new byte[1]).u16(0)).rc());
        c.send(TpmCc.NV_UndefineSpace, new int[] {TpmClient.OWNER, index}, PW, false, w -> { }).ok();
        assertEquals(TpmRc.HANDLE.withHandle(1), c.send(TpmCc.NV_ReadPublic, new int[] {index}, new Auth[0], false,
                w -> { }).rc());
    }

    @Test
    public void exportedStateRestoresPcrsNvObjectsAndSeeds() {
        VirtualTpm tpm = VirtualTpm.create(seed(6), CLOCK);
        TpmClient c = new TpmClient(tpm);
        c.startup();
        c.send(TpmCc.PCR_Extend, new int[] {4}, PW, false, w -> w.u32(1).u16(TpmAlgId.SHA256.value())
                .bytes(new byte[32])).ok();
        TpmsNvPublic pub = new TpmsNvPublic(0x01C10001, TpmAlgId.SHA256, TpmsNvPublic.OWNERWRITE
                | TpmsNvPublic.OWNERREAD, Tpm2bDigest.EMPTY, 8);
        c.send(TpmCc.NV_DefineSpace, new int[] {TpmClient.OWNER}, PW, false, w -> {
            w.tpm2b(new byte[0]);
            pub.write2b(w);
        }).ok();
        c.send(TpmCc.NV_Write, new int[] {TpmClient.OWNER, 0x01C10001}, PW, false, w -> w.tpm2b("report!!".getBytes())
                .u16(0)).ok();
        Object[] ek = createPrimary(c, TpmClient.ENDORSEMENT, EkTemplates.eccP256());

        TpmClient r = new TpmClient(VirtualTpm.restore(tpm.exportState(), CLOCK));
        Response pcr = r.send(TpmCc.PCR_Read, w -> TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, 4))
                .write(w)).ok();
        pcr.params().u32("counter");
        TpmlPcrSelection.parse(pcr.params());
        pcr.params().u32("count");
        assertArrayEquals(TpmAlgId.SHA256.hash(new byte[32], new byte[32]), pcr.params().tpm2b(64, "pcr4"));
        assertArrayEquals("report!!".getBytes(), r.send(TpmCc.NV_Read, new int[] {TpmClient.OWNER, 0x01C10001}, PW,
                false, w -> w.u16(8).u16(0)).ok().params().tpm2b(64, "data"));
        Response rp = r.send(TpmCc.ReadPublic, new int[] {(int) ek[0]}, new Auth[0], false, w -> { }).ok();
        assertArrayEquals(((TpmtPublic) ek[1]).toBytes(), Tpm2bPublic.parse(rp.params()).publicArea().toBytes());
        Object[] again = createPrimary(r, TpmClient.ENDORSEMENT, EkTemplates.eccP256());
        assertEquals(ek[2].toString(), again[2].toString());
    }

    @Test
    public void capabilitiesAnswerManufacturerAndBanks() {
        TpmClient c = started(1);
        Response r = c.send(TpmCc.GetCapability, w -> w.u32(6).u32(0x105).u32(1)).ok();
        r.params().u8("moreData");
        assertEquals(6, r.params().u32("capability"));
        assertEquals(1, r.params().u32("count"));
        assertEquals(0x105, r.params().u32("property"));
        assertEquals(0x54424F58, r.params().u32("value"));
        Response p = c.send(TpmCc.GetCapability, w -> w.u32(5).u32(0).u32(1)).ok();
        p.params().u8("moreData");
        p.params().u32("capability");
        TpmlPcrSelection banks = TpmlPcrSelection.parse(p.params());
        assertEquals(3, banks.pcrSelections().size());
        assertEquals(24, banks.pcrSelections().get(1).pcrs().size());
        assertEquals(TpmRc.VALUE.withParameter(1), c.send(TpmCc.GetCapability, w -> w.u32(99).u32(0).u32(1)).rc());
        TpmReader unused = p.params();
        assertEquals(0, unused.remaining());
    }
}
