package io.teebox.amd.snp.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.BeforeClass;
import org.junit.Test;

import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.snp.testing.SnpPlatform;
import io.teebox.amd.sp.testing.AmdPlatforms;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.testing.FirmwareVectors;
import io.teebox.kit.x86.CpuModels;

/**
 * The SNP launch against the snp-* vectors, reports and their chains, the guest channel and the ID block; the
 * verifier's appraisals of these reports are amd-verify's SnpBackendEvidenceTest.
 */
public class SnpBackendTest {

    private static AmdSecureProcessor sp;
    private static SnpBackend snp;
    private static final long POLICY = SnpPlatform.POLICY;

    static AmdSecureProcessor processor(Map<String, Object> values) {
        return AmdPlatforms.processor(values);
    }

    private static byte[] resource(String name) {
        return FirmwareVectors.read(name);
    }

    @BeforeClass
    public static void setUp() {
        sp = processor(Map.of("maxAsid", 100, "minSevAsid", 90));
        snp = new SnpBackend(sp);
    }

    /** The hypervisor's SNP load order, on a map of pages. */
    static LaunchSession launch(SnpBackend backend, MapGuestMemory mem, int vcpus, long sig, byte[] table) {
        return new SnpPlatform(backend.sp()).launch(mem, vcpus, sig, table);
    }

    @Test
    public void reportMeasurementEqualsTheSnpVectors() {
        LaunchSession s = launch(snp, new MapGuestMemory(2), 2, CpuModels.signature("EPYC-v4"), null);
        Evidence e = snp.attest(s.handle(), null, new byte[] {1, 2, 3});
        String measurement = Hex.encode(java.util.Arrays.copyOfRange(e.report(), 0x90, 0x90 + 48));
        assertEquals(SnpPlatform.expected("snp-2vcpu-epyc-v4"), measurement);
    }

    @Test
    public void kernelLaunchMatchesTheGenoaKernelVector() throws IOException {
        byte[] table = KernelHashes.table(resource("synthetic-kernel.bin"), resource("synthetic-initrd.bin"),
                "console=ttyS0 root=/dev/vda");
        LaunchSession s = launch(snp, new MapGuestMemory(2), 2, CpuModels.signature("EPYC-Genoa"), table);
        SnpGuestContext c = sp.snpContext(s.handle());
        assertEquals(SnpPlatform.expected("snp-2vcpu-genoa-kernel"), Hex.encode(c.launchDigest()));
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
        byte[] ld = Hex.decode(SnpPlatform.expected("snp-1vcpu-epyc-v4"));
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
        LaunchSession s = new SnpPlatform(sp).prepareWithIdBlock(id);
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

    /** The cheap state query says what the status says, at each stage, and refuses an unknown guest alike. */
    @Test
    public void stateAgreesWithStatusAndStatusCountsTheAsidsRmpPages() {
        LaunchSession s = snp.begin(new LaunchRequest(POLICY, Map.of(), 1, "x"), new MapGuestMemory(1));
        assertEquals(snp.status(s.handle()).state(), snp.state(s.handle()));
        LaunchSession done = launch(snp, new MapGuestMemory(1), 1, CpuModels.signature("EPYC-v4"), null);
        assertEquals("RUNNING", snp.state(done.handle()));
        assertEquals(snp.status(done.handle()).state(), snp.state(done.handle()));
        java.util.Map<String, String> details = snp.status(done.handle()).details();
        int asid = sp.context(done.handle()).asid();
        int pages = sp.rmp().entries(asid).size();
        assertTrue(pages > 0);
        assertEquals(Integer.toString(pages), details.get("rmp entries"));
        long shown = details.keySet().stream().filter(k -> k.startsWith("rmp 0x")).count();
        assertEquals(Math.min(64, pages), shown);
        long firstHpa = sp.rmp().entries(asid).keySet().iterator().next();
        assertTrue(details.toString(), details.containsKey(String.format("rmp 0x%X", firstHpa)));
        assertEquals(details.get(String.format("rmp 0x%X", firstHpa)), String.format("GPA 0x%X %s",
                sp.rmp().entry(firstHpa).gpa(), sp.rmp().entry(firstHpa).state()));
        assertEquals(pages > 64 ? (pages - 64) + " more" : null, details.get("rmp ..."));
        TeeException e = assertThrows(TeeException.class, () -> snp.state(0x7777_7777L));
        assertEquals(assertThrows(TeeException.class, () -> snp.status(0x7777_7777L)).status().name(),
                e.status().name());
    }
}
