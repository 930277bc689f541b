package io.teebox.amd.sev.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.Before;
import org.junit.Test;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.abi.SevAttestationReport;
import io.teebox.amd.sev.firmware.internal.SevFirmware;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.LaunchOwner;
import io.teebox.api.hypervisor.LaunchRejectedException;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.owner.OwnerPolicy;
import io.teebox.api.tee.TeeException;
import io.teebox.api.testing.MapGuestMemory;
import io.teebox.kit.firmware.KernelHashes;
import io.teebox.kit.firmware.OvmfImage;
import io.teebox.kit.hex.Hex;
import io.teebox.amd.verify.testing.AmdVerifiers;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.amd.owner.testing.AmdOwners;

/** The SEV launch end to end between the firmware (this bundle) and the guest owner, on the shared vectors. */
public class SevLaunchTest {

    private static final byte[] SECRET = "db-password=correct horse battery staple".getBytes(StandardCharsets.UTF_8);
    private static final long SECRET_GPA = 0x80A000;
    private static final GuestConfig CONFIG = new GuestConfig("t", "sev", 1, "EPYC-v4", 64 << 20);

    private AmdSecureProcessor sp;
    private SevBackend sev;
    private byte[] firmware;
    private byte[] kernel;
    private byte[] initrd;
    private Map<String, String> expected;

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SevLaunchTest.class.getResourceAsStream("/vectors/firmware/" + name)) {
            return in.readAllBytes();
        }
    }

    @Before
    public void setUp() throws IOException {
        sp = Platforms.processor(15, 5);
        sev = new SevBackend(sp);
        firmware = resource("synthetic-ovmf.fd");
        kernel = resource("synthetic-kernel.bin");
        initrd = resource("synthetic-initrd.bin");
        expected = new HashMap<>();
        try (InputStream in = SevLaunchTest.class.getResourceAsStream("/vectors/firmware/expected.json")) {
            JsonObject o = JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
            for (JsonElement c : o.getAsJsonArray("cases")) {
                expected.put(c.getAsJsonObject().get("name").getAsString(),
                        c.getAsJsonObject().get("expected").getAsString());
            }
        }
    }

    private OwnerPolicy policy(long policy, byte[] expectDigest, boolean withKernel) {
        return new OwnerPolicy(policy, firmware, withKernel ? kernel : null, withKernel ? initrd : null,
                withKernel ? "console=ttyS0" : null, expectDigest, SECRET, SECRET_GPA);
    }

    /** Drives the firmware as the hypervisor does, up to LAUNCH_MEASURE. */
    private LaunchSession measuredUpTo(LaunchOwner owner, MapGuestMemory mem, boolean withKernel,
            long[] handle) {
        LaunchRequest req = owner.start(sev.descriptor(), sev.platformCertificates(), CONFIG);
        LaunchSession s = sev.begin(req, mem);
        handle[0] = s.handle();
        long load = OvmfImage.parse(firmware).loadAddress();
        mem.place(load, firmware);
        s.addPages(load, firmware.length, PageType.NORMAL);
        if (withKernel) {
            byte[] table = KernelHashes.table(kernel, initrd, "console=ttyS0");
            mem.place(0x807C00, table);
            s.addPages(0x807C00, table.length, PageType.NORMAL);
        }
        return s;
    }

    private LaunchSession launch(OwnerPolicy op, MapGuestMemory mem, boolean withKernel) {
        LaunchOwner owner = AmdOwners.sev().prepare(op);
        LaunchSession s = measuredUpTo(owner, mem, withKernel, new long[1]);
        Measurement m = s.measure();
        for (SecretPacket p : owner.approve(m)) {
            s.injectSecret(p);
        }
        s.finish();
        return s;
    }

    private byte[] guestRead(LaunchSession s, MapGuestMemory mem, long gpa, int len) {
        long page = gpa & ~0xFFFL;
        byte[] plain = sev.decryptPage(s.keySlot(), mem.hostPhysicalAddress(page), mem.readPage(page));
        return Arrays.copyOfRange(plain, (int) (gpa - page), (int) (gpa - page) + len);
    }

    @Test
    public void launchDigestOfSyntheticFirmwareMatchesSevVector() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, Hex.decode(expected.get("sev")), false), mem, false);
        assertEquals("RUNNING", sev.status(s.handle()).state());
        assertEquals(expected.get("sev"), Hex.encode(AmdOwners.sev()
                .expectedDigest(policy(1, null, false), 1, "EPYC-v4")));
    }

    @Test
    public void launchDigestWithKernelHashesMatchesSevKernelVector() {
        MapGuestMemory mem = new MapGuestMemory(1);
        launch(policy(1, Hex.decode(expected.get("sev-kernel")), true), mem, true);
        assertEquals(expected.get("sev-kernel"),
                Hex.encode(AmdOwners.sev().expectedDigest(policy(1, null, true), 1, "EPYC-v4")));
    }

    @Test
    public void guestReadsInjectedSecretAndHostSeesNoPlaintext() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, null, false), mem, false);
        assertArrayEquals(SECRET, guestRead(s, mem, SECRET_GPA, SECRET.length));
        for (byte[] page : mem.pages.values()) {
            for (int i = 0; i + 4 <= page.length; i++) {
                assertFalse("plaintext run in host memory", Arrays.equals(page, i, i + 4, SECRET, 0, 4)
                        && Arrays.equals(page, i, i + 8, SECRET, 0, 8));
            }
        }
        long load = OvmfImage.parse(firmware).loadAddress();
        assertFalse(Arrays.equals(Arrays.copyOf(firmware, 4096), mem.readPage(load)));
        assertArrayEquals(Arrays.copyOf(firmware, 4096), guestRead(s, mem, load, 4096));
        List<String> commands = s.log().stream().map(e -> e.command()).toList();
        assertEquals(List.of("LAUNCH_START", "ACTIVATE", "LAUNCH_UPDATE_DATA", "LAUNCH_MEASURE", "LAUNCH_SECRET",
                "LAUNCH_FINISH"), commands);
        assertTrue(s.log().stream().allMatch(e -> e.status().isSuccess()));
    }

    @Test
    public void theMeasurementNamesTheLaunchDigestBesideMeasure() {
        // regression: only MEASURE (an HMAC under the session's TIK) was shown, and tee:verify -m wants the digest
        LaunchOwner owner = AmdOwners.sev().prepare(policy(1, null, false));
        Measurement m = measuredUpTo(owner, new MapGuestMemory(1), false, new long[1]).measure();
        assertEquals(expected.get("sev"), m.fields().get("launch_digest"));
        assertEquals(Hex.encode(Arrays.copyOf(m.value(), 32)), m.fields().get("measure"));
        assertEquals("launch_digest comes first", "launch_digest", m.fields().keySet().iterator().next());
    }

    @Test
    public void ownerWithAnotherExpectedDigestRejectsTheMeasurement() {
        byte[] wrong = Hex.decode(expected.get("sev"));
        wrong[0] ^= 1;
        LaunchOwner owner = AmdOwners.sev().prepare(policy(1, wrong, false));
        LaunchSession s = measuredUpTo(owner, new MapGuestMemory(1), false, new long[1]);
        Measurement m = s.measure();
        LaunchRejectedException e = assertThrows(LaunchRejectedException.class, () -> owner.approve(m));
        assertTrue(e.getMessage().contains("does not match"));
    }

    @Test
    public void everyLaunchCommandInTheWrongStateIsInvalidGuestState() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchOwner owner = AmdOwners.sev().prepare(policy(1, null, false));
        LaunchSession s = measuredUpTo(owner, mem, false, new long[1]);
        assertState(() -> s.injectSecret(new SecretPacket(SECRET_GPA, new byte[0x34], new byte[8])));
        assertState(s::finish);
        Measurement m = s.measure();
        Map<Long, byte[]> before = snapshot(mem);
        assertState(s::measure);
        assertState(() -> s.addPages(0x1000, 4096, PageType.NORMAL));
        assertState(() -> s.addVcpuState(0));
        assertEquals(before.keySet(), snapshot(mem).keySet());
        List<SecretPacket> secrets = owner.approve(m);
        s.injectSecret(secrets.get(0));
        s.finish();
        assertState(s::finish);
        assertState(s::measure);
        assertState(() -> s.injectSecret(secrets.get(0)));
        assertEquals("RUNNING", sev.status(s.handle()).state());
        assertEquals("INVALID_GUEST_STATE", s.log().get(s.log().size() - 1).status().name());
    }

    private static void assertState(Runnable r) {
        TeeException e = assertThrows(TeeException.class, r::run);
        assertEquals(e.getMessage(), "INVALID_GUEST_STATE", e.status().name());
        assertEquals(2, e.status().code());
    }

    private static Map<Long, byte[]> snapshot(MapGuestMemory mem) {
        Map<Long, byte[]> m = new HashMap<>();
        mem.pages.forEach((k, v) -> m.put(k, v.clone()));
        return m;
    }

    private LaunchRequest tamper(LaunchRequest req, String param, int offset) {
        Map<String, byte[]> p = new HashMap<>(req.ownerParameters());
        byte[] b = p.get(param).clone();
        b[offset] ^= 1;
        p.put(param, b);
        return new LaunchRequest(req.policy(), p, req.vcpuCount(), req.vcpuType());
    }

    @Test
    public void badWrapMacIsBadMeasurementAndAllocatesNothing() {
        LaunchRequest req = AmdOwners.sev().prepare(policy(1, null, false)).start(sev.descriptor(),
                sev.platformCertificates(), CONFIG);
        TeeException e = assertThrows(TeeException.class, () -> sev.begin(tamper(req, "session", 0x40),
                new MapGuestMemory(1)));
        assertEquals("BAD_MEASUREMENT", e.status().name());
        assertTrue(e.getMessage().contains("WRAP_MAC"));
        e = assertThrows(TeeException.class, () -> sev.begin(tamper(req, "session", 0x10), new MapGuestMemory(1)));
        assertEquals("BAD_MEASUREMENT", e.status().name());
        assertEquals(0, sev.limits().inUse());
    }

    @Test
    public void changedPolicyOrPolicyMacIsPolicyFailure() {
        LaunchRequest req = AmdOwners.sev().prepare(policy(1, null, false)).start(sev.descriptor(),
                sev.platformCertificates(), CONFIG);
        LaunchRequest debugByHost = new LaunchRequest(0, req.ownerParameters(), 1, "EPYC-v4");
        TeeException e = assertThrows(TeeException.class, () -> sev.begin(debugByHost, new MapGuestMemory(1)));
        assertEquals("POLICY_FAILURE", e.status().name());
        assertTrue(e.getMessage().contains("POLICY_MAC"));
        e = assertThrows(TeeException.class, () -> sev.begin(tamper(req, "session", 0x60), new MapGuestMemory(1)));
        assertEquals("POLICY_FAILURE", e.status().name());
        assertEquals(0, sev.limits().inUse());
    }

    @Test
    public void policyDemandsTheBackendCannotMeetArePolicyFailure() {
        LaunchRequest es = new LaunchRequest(0x4, Map.of(), 1, "EPYC-v4");
        assertEquals("POLICY_FAILURE", assertThrows(TeeException.class,
                () -> sev.begin(es, new MapGuestMemory(1))).status().name());
        LaunchRequest newer = new LaunchRequest(0x0002_0000L, Map.of(), 1, "EPYC-v4");
        TeeException e = assertThrows(TeeException.class, () -> sev.begin(newer, new MapGuestMemory(1)));
        assertEquals("POLICY_FAILURE", e.status().name());
        assertTrue(e.getMessage().contains("requires firmware API 2.0"));
        assertEquals("INVALID_PARAM", assertThrows(TeeException.class,
                () -> sev.begin(new LaunchRequest(0x100, Map.of(), 1, "x"), new MapGuestMemory(1))).status()
                .name());
    }

    @Test
    public void tamperedSecretIsBadMeasurementAndGuestIsUnchanged() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchOwner owner = AmdOwners.sev().prepare(policy(1, null, false));
        LaunchSession s = measuredUpTo(owner, mem, false, new long[1]);
        SecretPacket good = owner.approve(s.measure()).get(0);
        byte[] payload = good.payload();
        payload[0] ^= 1;
        Map<Long, byte[]> before = snapshot(mem);
        TeeException e = assertThrows(TeeException.class,
                () -> s.injectSecret(new SecretPacket(good.guestPhysicalAddress(), good.header(), payload)));
        assertEquals("BAD_MEASUREMENT", e.status().name());
        byte[] header = good.header();
        header[0x20] ^= 1;
        assertEquals("BAD_MEASUREMENT", assertThrows(TeeException.class,
                () -> s.injectSecret(new SecretPacket(good.guestPhysicalAddress(), header, good.payload()))).status()
                .name());
        assertEquals(before.keySet(), snapshot(mem).keySet());
        before.forEach((k, v) -> assertArrayEquals(v, mem.pages.get(k)));
        assertEquals("LSECRET", sev.status(s.handle()).state());
        s.injectSecret(good);
        s.finish();
        assertArrayEquals(SECRET, guestRead(s, mem, SECRET_GPA, SECRET.length));
    }

    @Test
    public void asidExhaustionIsResourceLimit() {
        sev = new SevBackend(Platforms.processor(6, 5));
        sev.begin(new LaunchRequest(0, Map.of(), 1, "EPYC-v4"), new MapGuestMemory(1));
        sev.begin(new LaunchRequest(0, Map.of(), 1, "EPYC-v4"), new MapGuestMemory(1));
        TeeException e = assertThrows(TeeException.class,
                () -> sev.begin(new LaunchRequest(0, Map.of(), 1, "EPYC-v4"), new MapGuestMemory(1)));
        assertEquals("RESOURCE_LIMIT", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("ASIDs 5..6 are in use"));
    }

    @Test
    public void nodbgRefusesDebugDecryptAndDebugPolicyAllowsIt() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, null, false), mem, false);
        assertEquals("POLICY_FAILURE", assertThrows(TeeException.class,
                () -> sev.debugDecrypt(s.handle(), mem, SECRET_GPA, 8)).status().name());
        MapGuestMemory mem2 = new MapGuestMemory(1);
        LaunchSession d = launch(policy(0, null, false), mem2, false);
        assertArrayEquals(SECRET, sev.debugDecrypt(d.handle(), mem2, SECRET_GPA, SECRET.length));
    }

    @Test
    public void hostWriteIsUndetectedAndGuestDecryptsGarbage() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, null, false), mem, false);
        mem.pages.get(SECRET_GPA)[0] ^= 1;
        byte[] seen = guestRead(s, mem, SECRET_GPA, SECRET.length);
        assertFalse(Arrays.equals(SECRET, seen));
        assertArrayEquals(Arrays.copyOfRange(SECRET, 16, SECRET.length), Arrays.copyOfRange(seen, 16, seen.length));
    }

    @Test
    public void contextsSurviveABackendRestart() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, null, false), mem, false);
        SevBackend restarted = new SevBackend(sp);
        assertEquals("RUNNING", restarted.status(s.handle()).state());
        KeySlot slot = s.keySlot();
        byte[] plain = restarted.decryptPage(slot, mem.hostPhysicalAddress(SECRET_GPA), mem.readPage(SECRET_GPA));
        assertArrayEquals(SECRET, Arrays.copyOf(plain, SECRET.length));
        restarted.deactivate(s.handle());
        restarted.decommission(s.handle());
        assertEquals("INVALID_GUEST", assertThrows(TeeException.class, () -> sev.status(s.handle())).status()
                .name());
    }

    // ---- ATTESTATION (0x36) and its verifier

    private static final byte[] MNONCE = Hex.decode("00112233445566778899aabbccddeeff");

    private static VerificationOptions trusting(byte[] root, Map<String, String> reference,
            Map<String, String> policy) {
        return new VerificationOptions(Clock.systemUTC(), root == null ? List.of() : List.of(root), reference, policy);
    }

    private static String firstCheck(Appraisal v) {
        assertFalse("expected a rejection", v.accepted());
        return v.failures().get(0).check();
    }

    @Test
    public void attestationReportsTheVectorLaunchDigestSignedByThePek() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, null, false), mem, false);
        Evidence e = sev.attest(s.handle(), mem, MNONCE);
        assertEquals(SevFirmware.EVIDENCE_FORMAT, e.format());
        assertEquals(SevFirmware.EVIDENCE_FORMAT, sev.format());
        SevAttestationReport r = SevAttestationReport.parse(e.report());
        assertEquals(expected.get("sev"), Hex.encode(r.launchDigest()));
        assertArrayEquals(MNONCE, r.mnonce());
        assertEquals(1, r.policy());
        EvidenceVerifier v = AmdVerifiers.sev();
        Map<String, byte[]> certs = sev.platformCertificates();
        Appraisal ok = v.verify(e, trusting(certs.get("cek"), Map.of("launch_digest", expected.get("sev"),
                "report_data", Hex.encode(MNONCE)), Map.of()));
        assertTrue(ok.failures().toString(), ok.accepted());
        assertEquals(expected.get("sev"), ok.claim("launch_digest"));
        assertEquals("CEK", ok.claim("trusted_by"));
        assertTrue(v.verify(e, trusting(certs.get("oca"), Map.of(), Map.of())).accepted());
        // a shorter MNONCE is zero-padded, as the firmware's 16-byte field holds it
        Evidence shortNonce = sev.attest(s.handle(), mem, new byte[] {0x42});
        assertTrue(v.verify(shortNonce, trusting(certs.get("cek"), Map.of("report_data", "42"), Map.of())).accepted());
    }

    @Test
    public void theVerifierRejectsTamperingOtherPlatformsWrongValuesAndDebugGuests() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchSession s = launch(policy(1, null, false), mem, false);
        Evidence e = sev.attest(s.handle(), mem, MNONCE);
        byte[] cek = sev.platformCertificates().get("cek");
        EvidenceVerifier v = AmdVerifiers.sev();
        for (int i : new int[] {0x00, 0x0F, 0x10, 0x2F, 0x30, 0x40, 0x88, 0xCF}) {
            byte[] t = e.report();
            t[i] ^= 0x01;
            Evidence bad = new Evidence(e.format(), t, e.certificates(), Map.of());
            assertEquals("byte 0x" + Integer.toHexString(i), "signature",
                    firstCheck(v.verify(bad, trusting(cek, Map.of(), Map.of()))));
        }
        byte[] reserved = e.report();
        reserved[0x3C] = 1;
        assertEquals("format", firstCheck(v.verify(new Evidence(e.format(), reserved, e.certificates(), Map.of()),
                trusting(cek, Map.of(), Map.of()))));
        byte[] wrongDigest = Hex.decode(expected.get("sev"));
        wrongDigest[31] ^= 1;
        assertEquals("launch_digest", firstCheck(v.verify(e, trusting(cek, Map.of("launch_digest",
                Hex.encode(wrongDigest)), Map.of()))));
        assertEquals("report_data", firstCheck(v.verify(e, trusting(cek, Map.of("report_data", "01"), Map.of()))));
        assertEquals("chain", firstCheck(v.verify(e, trusting(null, Map.of(), Map.of()))));
        assertEquals("options", firstCheck(v.verify(e, trusting(cek, Map.of("mrtd", "00"), Map.of()))));
        assertEquals("measurement", firstCheck(v.verify(e, trusting(cek, Map.of("measurement",
                Hex.encode(wrongDigest)), Map.of()))));

        // another chip: its CEK does not vouch for this PEK, and its certificates do not verify this report
        Map<String, byte[]> other = new SevBackend(Platforms.processor(15, 5, "another chip")).platformCertificates();
        assertEquals("chain", firstCheck(v.verify(e, trusting(other.get("cek"), Map.of(), Map.of()))));
        Evidence swapped = new Evidence(e.format(), e.report(), List.of(other.get("pek"), other.get("oca"),
                other.get("cek")), Map.of());
        assertEquals("signature", firstCheck(v.verify(swapped, trusting(other.get("cek"), Map.of(), Map.of()))));

        // a debuggable guest (no NODBG) is refused unless the policy allows it
        MapGuestMemory mem2 = new MapGuestMemory(1);
        LaunchSession debug = launch(policy(0, null, false), mem2, false);
        Evidence d = sev.attest(debug.handle(), mem2, MNONCE);
        assertEquals("debug", firstCheck(v.verify(d, trusting(cek, Map.of(), Map.of()))));
        assertTrue(v.verify(d, trusting(cek, Map.of(), Map.of("allow_debug", "true"))).accepted());
    }

    @Test
    public void attestationNeedsAMeasuredGuestAndAtMostSixteenBytesOfMnonce() {
        MapGuestMemory mem = new MapGuestMemory(1);
        LaunchOwner owner = AmdOwners.sev().prepare(policy(1, null, false));
        LaunchSession s = measuredUpTo(owner, mem, false, new long[1]);
        TeeException early = assertThrows(TeeException.class, () -> sev.attest(s.handle(), mem, MNONCE));
        assertEquals("INVALID_GUEST_STATE", early.status().name());
        s.measure();
        assertEquals(SevFirmware.EVIDENCE_FORMAT, sev.attest(s.handle(), mem, MNONCE).format());
        TeeException longNonce = assertThrows(TeeException.class, () -> sev.attest(s.handle(), mem, new byte[17]));
        assertEquals("INVALID_LENGTH", longNonce.status().name());
        assertEquals("LSECRET", sev.status(s.handle()).state());
    }

    @Test
    public void cpuid8000001fReportsThePlatformsAsidLimits() {
        io.teebox.spi.guest.GuestAccess guest = (io.teebox.spi.guest.GuestAccess) java.lang.reflect.Proxy
                .newProxyInstance(getClass().getClassLoader(), new Class<?>[] {io.teebox.spi.guest.GuestAccess.class},
                        (p, m, args) -> m.getName().equals("config") ? new io.teebox.api.hypervisor.GuestConfig("g",
                                "sev", 1, "EPYC-Milan", 1 << 20) : null);
        long[] leaf = new SevGuestInterface(sp).cpuid(guest, 0x8000_001FL, 0);
        assertEquals("ECX: the number of encrypted guests", 15, leaf[2]);
        assertEquals("EDX: the first SEV-only ASID", 5, leaf[3]);
        assertEquals("EAX: SME and SEV, not SEV-ES", 0b11, leaf[0]);
        assertEquals("CPUID(1) is the model's signature", 0xA00F11L, new SevGuestInterface(sp).cpuid(guest, 1, 0)[0]);
        assertEquals(5, sev.limits().first());
    }
}
