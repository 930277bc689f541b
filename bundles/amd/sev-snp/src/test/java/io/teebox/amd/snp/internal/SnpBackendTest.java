package io.teebox.amd.snp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.BeforeClass;
import org.junit.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.firmware.SevMetadataSection;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x86.CpuModels;
import io.teebox.kit.x86.Vmsa;

/** The SNP launch against the snp-* vectors, VCEK-signed reports, and the verifier's reasons for each rejection. */
public class SnpBackendTest {

    private static AmdSecureProcessor sp;
    private static SnpBackend snp;
    private static byte[] firmware;
    private static final Map<String, String> EXPECTED = new HashMap<>();
    private static final long POLICY = 0x30000;

    static AmdSecureProcessor processor(Map<String, Object> values) {
        return AmdPlatforms.processor(values);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SnpBackendTest.class.getResourceAsStream("/vectors/firmware/" + name)) {
            return in.readAllBytes();
        }
    }

    @BeforeClass
    public static void setUp() throws IOException {
        sp = processor(Map.of("maxAsid", 100, "minSevAsid", 90));
        snp = new SnpBackend(sp);
        firmware = resource("synthetic-ovmf.fd");
        try (InputStream in = SnpBackendTest.class.getResourceAsStream("/vectors/firmware/expected.json")) {
            for (JsonElement c : JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    .getAsJsonObject().getAsJsonArray("cases")) {
                EXPECTED.put(c.getAsJsonObject().get("name").getAsString(),
                        c.getAsJsonObject().get("expected").getAsString());
            }
        }
    }

    /** The hypervisor's SNP load order, on a map of pages. */
    static LaunchSession launch(SnpBackend backend, MapGuestMemory mem, int vcpus, long sig, byte[] table) {
        LaunchSession s = backend.begin(new LaunchRequest(POLICY, Map.of(), vcpus, "x"), mem);
        OvmfImage image = OvmfImage.parse(firmware);
        mem.place(image.loadAddress(), firmware);
        s.addPages(image.loadAddress(), firmware.length, PageType.NORMAL);
        for (SevMetadataSection m : image.sevMetadata()) {
            switch (m.type()) {
                case SNP_SEC_MEM, SVSM_CAA -> s.addPages(m.gpa(), m.size(), PageType.ZERO);
                case SNP_SECRETS -> s.addPages(m.gpa(), m.size(), PageType.SECRETS);
                case CPUID -> s.addPages(m.gpa(), m.size(), PageType.CPUID);
                case SNP_KERNEL_HASHES -> {
                    if (table == null) {
                        s.addPages(m.gpa(), m.size(), PageType.ZERO);
                    } else {
                        mem.place(m.gpa(), KernelHashes.page(table, image.kernelHashesArea().get().gpa()));
                        s.addPages(m.gpa(), 4096, PageType.NORMAL);
                    }
                }
            }
        }
        for (int i = 0; i < vcpus; i++) {
            mem.saveAreas[i] = Vmsa.qemuReset(i == 0 ? Vmsa.BSP_EIP : image.sevEsResetEip().getAsLong(), sig, 1);
            s.addVcpuState(i);
        }
        s.measure();
        s.finish();
        return s;
    }

    private static VerificationOptions trustingArk(AmdSecureProcessor p, Map<String, String> refs,
            Map<String, String> policy) throws Exception {
        return new VerificationOptions(Clock.systemUTC(), List.of(p.keys().ark().getEncoded()), refs, policy);
    }

    @Test
    public void reportMeasurementEqualsTheSnpVectors() {
        LaunchSession s = launch(snp, new MapGuestMemory(2), 2, CpuModels.signature("EPYC-v4"), null);
        Evidence e = snp.attest(s.handle(), null, new byte[] {1, 2, 3});
        String measurement = Hex.encode(java.util.Arrays.copyOfRange(e.report(), 0x90, 0x90 + 48));
        assertEquals(EXPECTED.get("snp-2vcpu-epyc-v4"), measurement);
    }

    @Test
    public void kernelLaunchMatchesTheGenoaKernelVector() throws IOException {
        byte[] table = KernelHashes.table(resource("synthetic-kernel.bin"), resource("synthetic-initrd.bin"),
                "console=ttyS0 root=/dev/vda");
        LaunchSession s = launch(snp, new MapGuestMemory(2), 2, CpuModels.signature("EPYC-Genoa"), table);
        SnpGuestContext c = sp.snpContext(s.handle());
        assertEquals(EXPECTED.get("snp-2vcpu-genoa-kernel"), Hex.encode(c.launchDigest()));
    }

    @Test
    public void reportVerifiesAndEveryTamperIsRejectedWithAReason() throws Exception {
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, CpuModels.signature("EPYC-v4"), null);
        Evidence e = snp.attest(s.handle(), null, "nonce".getBytes(StandardCharsets.UTF_8));
        SnpReportVerifier v = new SnpReportVerifier();
        String measurement = EXPECTED.get("snp-1vcpu-epyc-v4");
        Appraisal ok = v.verify(e, trustingArk(sp, Map.of("measurement", measurement, "report_data",
                Hex.encode("nonce".getBytes(StandardCharsets.UTF_8))), Map.of()));
        assertTrue(ok.failures().toString(), ok.accepted());
        assertEquals(measurement, ok.claim("measurement"));

        for (int off : new int[] {0x008, 0x050, 0x090, 0x180, 0x1A0, 0x29F}) {
            byte[] r = e.report();
            r[off] ^= 0x01;
            Appraisal bad = v.verify(new Evidence(e.format(), r, e.certificates(), Map.of()), trustingArk(sp, Map.of(),
                    Map.of()));
            assertFalse("offset 0x" + Integer.toHexString(off), bad.accepted());
            assertTrue(bad.failures().toString(), bad.failures().stream().anyMatch(f -> f.check().equals("signature")
                    || f.check().equals("format") || f.check().equals("policy")));
        }
        Appraisal wrongMeasurement = v.verify(e, trustingArk(sp, Map.of("measurement", "00" + measurement.substring(2)),
                Map.of()));
        assertEquals("measurement", wrongMeasurement.failures().get(0).check());
        Appraisal minimum = v.verify(e, trustingArk(sp, Map.of(), Map.of("minimum_tcb", "0xFF00000000000000")));
        assertEquals("tcb", minimum.failures().get(0).check());
        Appraisal untrusted = v.verify(e, new VerificationOptions(Clock.systemUTC(), List.of(), Map.of(), Map.of()));
        assertEquals("chain", untrusted.failures().get(0).check());
    }

    private static String run(java.nio.file.Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out.trim();
    }

    @Test
    public void openSslVerifiesAnExportedGuestReportAndItsChain() throws Exception {
        org.junit.Assume.assumeTrue(new java.io.File("/usr/bin/openssl").canExecute());
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence e = snp.attest(s.handle(), null, "openssl".getBytes(StandardCharsets.UTF_8));
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("snp-openssl");
        java.nio.file.Files.write(dir.resolve("report.bin"), e.report());
        String[] names = {"vcek.pem", "ask.pem", "ark.pem"};
        for (int i = 0; i < 3; i++) {
            java.nio.file.Files.writeString(dir.resolve(names[i]), io.teebox.kit.x509.X509Authority.toPem(
                    io.teebox.kit.x509.X509Authority.certificateFromDer(e.certificates().get(i))));
        }
        assertEquals("vcek.pem: OK", run(dir, "openssl", "verify", "-CAfile", "ark.pem", "-untrusted", "ask.pem",
                "vcek.pem"));
        java.nio.file.Files.write(dir.resolve("signed.bin"), java.util.Arrays.copyOf(e.report(), 0x2A0));
        java.math.BigInteger[] rs = io.teebox.amd.abi.SnpReport.parse(e.report()).signature();
        java.nio.file.Files.write(dir.resolve("sig.der"), io.teebox.kit.crypto.Signatures.toDer(rs[0], rs[1]));
        run(dir, "sh", "-c", "openssl x509 -in vcek.pem -pubkey -noout > vcek.pub");
        assertEquals("Verified OK", run(dir, "openssl", "dgst", "-sha384", "-verify", "vcek.pub", "-signature",
                "sig.der", "signed.bin"));
        byte[] flipped = java.util.Arrays.copyOf(e.report(), 0x2A0);
        flipped[0x123] ^= 0x10;
        java.nio.file.Files.write(dir.resolve("flipped.bin"), flipped);
        assertTrue(run(dir, "openssl", "dgst", "-sha384", "-verify", "vcek.pub", "-signature", "sig.der",
                "flipped.bin").startsWith("Verification failure"));
    }

    @Test
    public void vcekOfAnotherChipAndDebugPolicyAreRejected() throws Exception {
        AmdSecureProcessor other = processor(Map.of("chipSeed", "another-chip"));
        SnpBackend otherSnp = new SnpBackend(other);
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence mine = snp.attest(s.handle(), null, new byte[0]);
        LaunchSession o = launch(otherSnp, new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence theirs = otherSnp.attest(o.handle(), null, new byte[0]);
        Evidence mixed = new Evidence(mine.format(), mine.report(), theirs.certificates(), Map.of());
        Appraisal v = new SnpReportVerifier().verify(mixed, trustingArk(other, Map.of(), Map.of()));
        assertTrue(v.failures().toString(), v.failures().stream().anyMatch(f -> f.check().equals("chip")));
        assertTrue(v.failures().stream().anyMatch(f -> f.check().equals("signature")));

        LaunchSession dbg = snp.begin(new LaunchRequest(POLICY | 1L << 19, Map.of(), 1, "x"), new MapGuestMemory(1));
        dbg.addPages(0x1000, 4096, PageType.SECRETS);
        dbg.finish();
        Appraisal d = new SnpReportVerifier().verify(snp.attest(dbg.handle(), null, new byte[0]), trustingArk(sp,
                Map.of(), Map.of()));
        assertEquals("debug", d.failures().get(0).check());
    }

    @Test
    public void firmwareUpdateGivesNewTcbAndNewVcekForTheRunningGuest() throws Exception {
        AmdSecureProcessor p = processor(Map.of("chipSeed", "update-chip"));
        LaunchSession s = launch(new SnpBackend(p), new MapGuestMemory(1), 1, 0x800F12, null);
        Evidence before = new SnpBackend(p).attest(s.handle(), null, new byte[0]);
        AmdPlatforms.update(p, Map.of("chipSeed", "update-chip", "snpSpl", 9));
        SnpBackend updated = new SnpBackend(p);
        Evidence after = updated.attest(s.handle(), null, new byte[0]);
        Appraisal v = new SnpReportVerifier().verify(after, trustingArk(p, Map.of(), Map.of("minimum_tcb",
                String.format("%016X", p.snpTcb().asLong()))));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals(9, after.report()[0x180 + 6]);
        assertFalse(java.util.Arrays.equals(before.certificates().get(0), after.certificates().get(0)));
        Appraisal stale = new SnpReportVerifier().verify(new Evidence(after.format(), after.report(),
                before.certificates(), Map.of()), trustingArk(p, Map.of(), Map.of()));
        assertTrue(stale.failures().stream().anyMatch(f -> f.check().equals("tcb")));
    }

    @Test
    public void vlekSignedReportsAndTurinVersion5ReportsVerify() throws Exception {
        AmdSecureProcessor vlek = processor(Map.of("chipSeed", "vlek-chip", "signingKey", "VLEK"));
        SnpBackend b = new SnpBackend(vlek);
        Evidence e = b.attest(launch(b, new MapGuestMemory(1), 1, 0x800F12, null).handle(), null, new byte[0]);
        assertEquals(1, (e.report()[0x48] >> 2) & 7);
        Appraisal v = new SnpReportVerifier().verify(e, trustingArk(vlek, Map.of(), Map.of()));
        assertTrue(v.failures().toString(), v.accepted());
        assertEquals("VLEK of teebox-cloud", v.claim("signing_key"));
        assertTrue(e.attachments().containsKey("certificate-table"));
        assertTrue(io.teebox.amd.abi.SnpCertTable.parse(e.attachments().get("certificate-table"))
                .containsKey(io.teebox.amd.abi.SnpCertTable.VLEK));

        AmdSecureProcessor turin = processor(Map.of("chipSeed", "turin-chip", "productLine", "Turin"));
        SnpBackend t = new SnpBackend(turin);
        Evidence te = t.attest(launch(t, new MapGuestMemory(1), 1, 0xB00F00, null).handle(), null, new byte[0]);
        assertEquals(5, te.report()[0]);
        assertEquals(0x1A, te.report()[0x188]);
        Appraisal tv = new SnpReportVerifier().verify(te, trustingArk(turin, Map.of(), Map.of()));
        assertTrue(tv.failures().toString(), tv.accepted());
        assertEquals("Turin-B0", tv.claim("product"));
    }

    @Test
    public void reportCpuidAgreesWithTheVcekProductOfEachLine() throws Exception {
        // product line -> {family, model, stepping, VCEK productName}: KDS names stepping-1 Milan parts Milan-B0 and
        // gives Genoa VCEKs no stepping
        Map<String, Object[]> expected = Map.of("Milan", new Object[] {0x19, 0x01, 1, "Milan-B0"},
                "Genoa", new Object[] {0x19, 0x11, 1, "Genoa"}, "Turin", new Object[] {0x1A, 0x02, 0, "Turin-B0"});
        for (var x : expected.entrySet()) {
            AmdSecureProcessor p = x.getKey().equals("Milan") ? sp
                    : processor(Map.of("chipSeed", "fms-chip", "productLine", x.getKey()));
            SnpBackend b = new SnpBackend(p);
            Evidence e = b.attest(launch(b, new MapGuestMemory(1), 1, 0x800F12, null).handle(), null, new byte[0]);
            byte[] r = e.report();
            Object[] want = x.getValue();
            assertEquals(x.getKey(), List.of(want[0], want[1], want[2]), List.of(r[0x188] & 0xFF, r[0x189] & 0xFF,
                    r[0x18A] & 0xFF));
            java.security.cert.X509Certificate vcek = io.teebox.kit.x509.X509Authority.certificateFromDer(
                    e.certificates().get(0));
            byte[] name = org.bouncycastle.asn1.ASN1OctetString.getInstance(vcek.getExtensionValue(
                    io.teebox.amd.abi.AmdKeyHierarchy.OID + "2")).getOctets();
            assertEquals(want[3], org.bouncycastle.asn1.DERIA5String.getInstance(name).getString());
            Appraisal v = new SnpReportVerifier().verify(e, trustingArk(p, Map.of(), Map.of("require_crl", "true")));
            assertTrue(x.getKey() + " " + v.failures(), v.accepted());
        }
    }

    @Test
    public void hostWritesFaultAndBadPoliciesAreRefused() {
        assertEquals(HostAccessOutcome.Effect.HOST_FAULT, snp.hostAccess(HostAccess.WRITE).effect());
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class,
                () -> snp.begin(new LaunchRequest(0x10000, Map.of(), 1, "x"), new MapGuestMemory(1))).status().name());
        assertEquals("POLICY_FAILURE", assertThrows(TeeException.class,
                () -> snp.begin(new LaunchRequest(0x20000, Map.of(), 1, "x"), new MapGuestMemory(1))).status().name());
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        assertEquals("INVALID_GUEST_STATE", assertThrows(TeeException.class,
                () -> s.addPages(0x900000, 4096, PageType.NORMAL)).status().name());
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class,
                () -> snp.attest(s.handle(), null, new byte[65])).status().name());
    }

    @Test
    public void guestMessagesRefuseReplayedSequenceNumbersAndTamperedTags() {
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        SnpGuestContext c = sp.snpContext(s.handle());
        byte[] vmpck0 = c.vmpck(0);
        snp.attest(s.handle(), null, new byte[0]);
        byte[] req = io.teebox.amd.abi.SnpGuestMessage.REPORT_REQ_LAYOUT.create().toBytes();
        byte[] replay = io.teebox.amd.abi.SnpGuestMessage.seal(vmpck0, 0, 1,
                io.teebox.amd.abi.SnpGuestMessage.REPORT_REQ, req);
        TeeException e = assertThrows(TeeException.class, () -> snp.guestRequest(s.handle(), replay));
        assertTrue(e.getMessage(), e.getMessage().contains("replayed"));
        byte[] next = io.teebox.amd.abi.SnpGuestMessage.seal(vmpck0, 0, 3,
                io.teebox.amd.abi.SnpGuestMessage.REPORT_REQ, req);
        next[5] ^= 1;
        assertEquals("BAD_SIGNATURE", assertThrows(TeeException.class, () -> snp.guestRequest(s.handle(), next))
                .status().name());
        byte[] otherKey = io.teebox.amd.abi.SnpGuestMessage.seal(new byte[32], 0, 3,
                io.teebox.amd.abi.SnpGuestMessage.REPORT_REQ, req);
        assertEquals("BAD_SIGNATURE", assertThrows(TeeException.class,
                () -> snp.guestRequest(s.handle(), otherKey)).status().name());
        next[5] ^= 1;
        byte[] rsp = io.teebox.amd.abi.SnpGuestMessage.open(vmpck0, snp.guestRequest(s.handle(), next));
        assertEquals(0x4A0, io.teebox.kit.codec.LittleEndian.u32(rsp, 4));
        assertEquals(4, io.teebox.amd.abi.SnpGuestMessage.header(snp.guestRequest(s.handle(),
                io.teebox.amd.abi.SnpGuestMessage.seal(vmpck0, 0, 5, io.teebox.amd.abi.SnpGuestMessage.REPORT_REQ,
                        req))).u64("MSG_SEQNO") - 2);
    }

    private static byte[] keyRequest(SnpGuestContext c, long handle, long select, long svn, long rootSelect) {
        byte[] vmpck0 = c.vmpck(0);
        byte[] req = io.teebox.amd.abi.SnpGuestMessage.KEY_REQ_LAYOUT.create().set("ROOT_KEY_SELECT", rootSelect)
                .set("GUEST_FIELD_SELECT", select).set("GUEST_SVN", svn).toBytes();
        long seq = c.expectedSeqno(0);
        byte[] rsp = io.teebox.amd.abi.SnpGuestMessage.open(vmpck0, snp.guestRequest(handle,
                io.teebox.amd.abi.SnpGuestMessage.seal(vmpck0, 0, seq, io.teebox.amd.abi.SnpGuestMessage.KEY_REQ,
                        req)));
        long status = io.teebox.kit.codec.LittleEndian.u32(rsp, 0);
        if (status != 0) {
            throw new TeeException(new io.teebox.api.tee.FirmwareStatus("amd-sp", "INVALID_PARAM", status),
                    "MSG_KEY_RSP status " + status);
        }
        return java.util.Arrays.copyOfRange(rsp, 0x20, 0x40);
    }

    @Test
    public void aRefusedKeyRequestLeavesTheGuestChannelInStep() {
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        for (long badSelect : new long[] {0xFFFF_FFFFL, 1L << 6, 1L << 63}) {
            TeeException refused = assertThrows(TeeException.class, () -> snp.derivedKey(s.handle(), badSelect, 0,
                    0));
            assertEquals("INVALID_PARAM", refused.status().name());
            assertTrue(refused.getMessage(), refused.getMessage().contains("GUEST_FIELD_SELECT"));
            assertEquals("the guest can still derive keys", 32, snp.derivedKey(s.handle(), 0x8, 0, 0).length);
            assertEquals("and still attest", io.teebox.amd.abi.SnpReport.SIZE,
                    snp.attest(s.handle(), null, new byte[64]).report().length);
        }
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class, () -> snp.derivedKey(s.handle(), 0, 99, 0))
                .status().name());
        assertEquals(32, snp.derivedKey(s.handle(), 0x8, 0, 0).length);
    }

    @Test
    public void derivedKeysFollowTheFieldSelectMask() {
        LaunchSession a = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        LaunchSession b = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        SnpGuestContext ca = sp.snpContext(a.handle());
        SnpGuestContext cb = sp.snpContext(b.handle());
        byte[] k1 = keyRequest(ca, a.handle(), 0b1000, 0, 0);
        assertEquals(Hex.encode(k1), Hex.encode(keyRequest(ca, a.handle(), 0b1000, 0, 0)));
        assertEquals("same measurement, same key", Hex.encode(k1), Hex.encode(keyRequest(cb, b.handle(), 0b1000, 0,
                0)));
        assertFalse(Hex.encode(k1).equals(Hex.encode(keyRequest(ca, a.handle(), 0b1001, 0, 0))));
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class, () -> keyRequest(ca, a.handle(), 0, 1, 0))
                .status().name());
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class, () -> keyRequest(ca, a.handle(), 0, 0, 1))
                .status().name());
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class,
                () -> keyRequest(ca, a.handle(), 1L << 40, 0, 0)).status().name());
    }

    @Test
    public void guestInterfaceDerivesKeysAndAdjustsRmpPermissions() {
        LaunchSession s = launch(snp, new MapGuestMemory(1), 1, 0x800F12, null);
        byte[] k = snp.derivedKey(s.handle(), 0x8, 0, 0);
        assertEquals(32, k.length);
        assertEquals(Hex.encode(k), Hex.encode(snp.derivedKey(s.handle(), 0x8, 0, 0)));
        assertFalse(Hex.encode(k).equals(Hex.encode(snp.derivedKey(s.handle(), 0x9, 0, 0))));
        snp.attest(s.handle(), null, new byte[0]);
        assertEquals(0, snp.rmpadjust(s.handle(), 0x803000, 2, 0x3, false));
        assertTrue(snp.rmp(s.handle()).values().stream().anyMatch(l -> l.contains("GPA 0x803000")
                && l.contains("perms 0x000300")));
        assertEquals(2, snp.rmpadjust(s.handle(), 0x803000, 0, 0x3, false));
    }

    @Test
    public void idBlockIsCheckedAtLaunchFinishAndLandsInTheReport() {
        java.security.KeyPair id = io.teebox.kit.crypto.EcKeys.generate("P-384");
        java.security.KeyPair author = io.teebox.kit.crypto.EcKeys.generate("P-384");
        byte[] ld = Hex.decode(EXPECTED.get("snp-1vcpu-epyc-v4"));
        byte[] family = new byte[16];
        family[0] = 0x42;
        byte[][] good = io.teebox.amd.abi.SnpIdBlock.build(ld, POLICY, family, new byte[16], 7, id, author);
        LaunchSession s = launchWithId(good);
        SnpGuestContext c = sp.snpContext(s.handle());
        Evidence e = snp.attest(s.handle(), null, new byte[0]);
        var f = io.teebox.amd.abi.SnpReport.parse(e.report()).fields();
        assertEquals(7, f.u32("GUEST_SVN"));
        assertEquals(0x42, f.bytes("FAMILY_ID")[0]);
        assertEquals(1, f.u32("KEY_INFO") & 1);
        assertEquals(Hex.encode(io.teebox.amd.abi.SnpIdBlock.keyDigest(io.teebox.amd.abi.SnpIdBlock.publicKey(
                id.getPublic()))), Hex.encode(f.bytes("ID_KEY_DIGEST")));
        assertEquals(Hex.encode(c.identity().authorKeyDigest()), Hex.encode(f.bytes("AUTHOR_KEY_DIGEST")));
        try {
            Appraisal byIds = new SnpReportVerifier().verify(e, trustingArk(sp, Map.of("id_key_digest",
                    Hex.encode(f.bytes("ID_KEY_DIGEST")), "vmpl", "0"), Map.of()));
            assertTrue(byIds.failures().toString(), byIds.accepted());
            Appraisal wrongId = new SnpReportVerifier().verify(e, trustingArk(sp, Map.of("author_key_digest",
                    "00".repeat(48), "vmpl", "1"), Map.of()));
            assertEquals(List.of("author_key_digest", "vmpl"), wrongId.failures().stream().map(x -> x.check())
                    .toList());
        } catch (Exception ex) {
            throw new AssertionError(ex);
        }

        byte[] wrongLd = ld.clone();
        wrongLd[0] ^= 1;
        assertFinishRefused(io.teebox.amd.abi.SnpIdBlock.build(wrongLd, POLICY, family, new byte[16], 7, id, author),
                "BAD_MEASUREMENT");
        assertFinishRefused(io.teebox.amd.abi.SnpIdBlock.build(ld, POLICY | 1L << 19, family, new byte[16], 7, id,
                author), "POLICY_FAILURE");
        byte[][] tampered = {good[0].clone(), good[1]};
        tampered[0][0x54] ^= 1;
        assertFinishRefused(tampered, "BAD_SIGNATURE");
        byte[][] badAuthor = {good[0], good[1].clone()};
        badAuthor[1][0x680] ^= 1;
        assertFinishRefused(badAuthor, "BAD_SIGNATURE");
        assertEquals(Hex.encode(good[1]), Hex.encode(io.teebox.amd.abi.SnpIdBlock.ID_AUTH.parse(good[1]).toBytes()));
        assertEquals(Hex.encode(good[0]), Hex.encode(io.teebox.amd.abi.SnpIdBlock.ID_BLOCK.parse(good[0]).toBytes()));
    }

    private void assertFinishRefused(byte[][] id, String status) {
        TeeException e = assertThrows(TeeException.class, () -> launchWithId(id));
        assertEquals(e.getMessage(), status, e.status().name());
    }

    private LaunchSession launchWithId(byte[][] id) {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = snp.begin(new LaunchRequest(POLICY, Map.of("id-block", id[0], "id-auth", id[1]), 1, "x"),
                mem);
        OvmfImage image = OvmfImage.parse(firmware);
        mem.place(image.loadAddress(), firmware);
        s.addPages(image.loadAddress(), firmware.length, PageType.NORMAL);
        for (SevMetadataSection m : image.sevMetadata()) {
            PageType t = switch (m.type()) {
                case SNP_SECRETS -> PageType.SECRETS;
                case CPUID -> PageType.CPUID;
                default -> PageType.ZERO;
            };
            s.addPages(m.gpa(), m.size(), t);
        }
        mem.saveAreas[0] = Vmsa.qemuReset(Vmsa.BSP_EIP, 0x800F12, 1);
        s.addVcpuState(0);
        s.measure();
        try {
            s.finish();
        } catch (TeeException e) {
            assertEquals("the launch is still open after a refused finish", "LAUNCH",
                    snp.status(s.handle()).state());
            snp.deactivate(s.handle());
            snp.decommission(s.handle());
            throw e;
        }
        return s;
    }
}
