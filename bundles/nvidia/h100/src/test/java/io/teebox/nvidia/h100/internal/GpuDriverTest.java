package io.teebox.nvidia.h100.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome.Effect;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.DiceFwid;
import io.teebox.nvidia.abi.GpuEvidenceJson;
import io.teebox.nvidia.abi.MeasurementBlock;
import io.teebox.nvidia.h100.GpuDriver;
import io.teebox.nvidia.h100.GpuDriver.Direction;
import io.teebox.nvidia.h100.GpuDriver.SessionInfo;
import io.teebox.nvidia.h100.GpuDriver.Transfer;
import io.teebox.nvidia.verify.internal.GpuEvidenceVerifier;
import io.teebox.spdm.AlgorithmStructure;
import io.teebox.spdm.Algorithms;
import io.teebox.spdm.Capabilities;
import io.teebox.spdm.GetMeasurements;
import io.teebox.spdm.GetVersion;
import io.teebox.spdm.Packet;
import io.teebox.spdm.Requester;
import io.teebox.spdm.Spdm;

/** The guest's driver against the emulated GPU, end to end, with real crypto, through a host that relays. */
public class GpuDriverTest {

    private static final long BOUNCE = 0x4000;
    private static final long CPR = 512L << 20;

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Fixture fixture;
    private H100Backend backend;
    private TestGuest guest;
    /** What the relaying host does to each submission before the GPU sees it. */
    private UnaryOperator<byte[]> onSubmit = UnaryOperator.identity();
    /** What the relaying host does to each GPU answer to an SPDM message. */
    private UnaryOperator<byte[]> onAnswer = UnaryOperator.identity();
    /** What the relaying host does after the GPU completed a submission. */
    private Runnable afterSubmit = () -> { };
    private final List<byte[]> submissions = new ArrayList<>();
    private final List<byte[]> requests = new ArrayList<>();

    @Before
    public void attach() throws Exception {
        fixture = new Fixture(tmp.newFolder().toPath());
        backend = fixture.backend();
        guest = new TestGuest("cvm", true, 64);
        backend.attach("gpu0", guest);
    }

    /** The host's relay between the guest's driver and whichever backend drives gpu0 now. */
    private GuestDevice relay() {
        return new GuestDevice() {
            @Override
            public String id() {
                return "gpu0";
            }

            @Override
            public String guest() {
                return guest.name;
            }

            @Override
            public DeviceInfo info() {
                return backend.device("gpu0");
            }

            @Override
            public byte[] exchange(byte[] message) {
                requests.add(message.clone());
                return onAnswer.apply(backend.exchange("gpu0", message));
            }

            @Override
            public byte[] submit(byte[] command) {
                submissions.add(command.clone());
                byte[] completion = backend.submit("gpu0", onSubmit.apply(command));
                afterSubmit.run();
                return completion;
            }
        };
    }

    private GpuDriver driver() {
        return GpuDriver.open(guest, relay(), fixture.nvidia.deviceRoot(), BOUNCE, 4);
    }

    private static byte[] model(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ("weights of a model ".charAt(i % 19));
        }
        return b;
    }

    @Test
    public void theHandshakeAuthenticatesTheGpusFiveCertificatesAndOpensASession() {
        GpuDriver d = driver();
        assertFalse(d.connected());
        SessionInfo s = d.connect();
        assertTrue(d.connected());
        assertEquals(5, s.certificates());
        assertTrue(s.leafSubject(), s.leafSubject().contains("CN=GH100 A01 GSP FMC LF"));
        assertEquals("ECDSA P-384", s.baseAsym());
        assertEquals("AES-256-GCM", s.aead());
        assertEquals("1", backend.device("gpu0").properties().get("spdm sessions"));
        // the bounce pages are shared, the rest stays private
        assertTrue(guest.shared.containsAll(List.of(BOUNCE / 4096, BOUNCE / 4096 + 3)));
        assertFalse(guest.shared.contains(0L));
    }

    @Test
    public void aChainToAnotherRootIsRefused() {
        X509Certificate other = new TestNvidia().deviceRoot();
        GpuDriver d = GpuDriver.open(guest, relay(), other, BOUNCE, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class, d::connect);
        assertTrue(e.getMessage(), e.getMessage().contains("not a trusted root"));
        assertFalse(d.connected());
    }

    @Test
    public void aCopyGoesThroughTheBounceBufferAsCiphertextAndComesBack() {
        GpuDriver d = driver();
        d.connect();
        byte[] data = model(5000);
        Transfer in = d.copyToDevice(data, CPR + 0x10000);
        assertEquals(Direction.HOST_TO_DEVICE, in.direction());
        assertEquals(1, in.ivCounter());
        assertEquals(5000 + 16, in.hostView().length);
        // what the host sees in the shared bounce pages is the ciphertext, not the model
        byte[] host = guest.hostRead(BOUNCE, 5016);
        assertArrayEquals(in.hostView(), host);
        assertFalse(Arrays.equals(data, Arrays.copyOf(host, 5000)));
        assertFalse(new String(host, StandardCharsets.ISO_8859_1).contains("weights of a model"));
        Transfer out = d.copyFromDevice(CPR + 0x10000, 5000);
        assertEquals(Direction.DEVICE_TO_HOST, out.direction());
        assertArrayEquals(data, out.plaintext());
        assertEquals(1, out.ivCounter());
        assertFalse(new String(guest.hostRead(BOUNCE, 5016), StandardCharsets.ISO_8859_1).contains("weights"));
        // the host's own read of the GPU's protected memory yields no plaintext
        var read = backend.hostAccess("gpu0", CPR + 0x10000, HostAccess.READ, new byte[5000]);
        assertEquals(Effect.FIXED_DATA, read.outcome().effect());
        assertArrayEquals(new byte[5000], read.data());
        // counters advance
        assertEquals(2, d.copyToDevice(data, CPR).ivCounter());
    }

    @Test
    public void aFlippedCiphertextByteIsRefusedByTheTagAndTheGpuStaysUsable() {
        GpuDriver d = driver();
        d.connect();
        byte[] data = model(100);
        d.copyToDevice(data, CPR);
        onSubmit = c -> {
            byte[] b = guest.hostRead(BOUNCE, 1);
            b[0] ^= 1;
            guest.hostWrite(BOUNCE, b);
            return c;
        };
        TeeException e = assertThrows(TeeException.class, () -> d.copyToDevice(model(100), CPR + 4096));
        assertEquals("NV_ERR_INVALID_DATA", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("GCM tag"));
        onSubmit = UnaryOperator.identity();
        assertArrayEquals(new byte[100], d.copyFromDevice(CPR + 4096, 100).plaintext());
        d.copyToDevice(data, CPR + 4096);
        assertArrayEquals(data, d.copyFromDevice(CPR + 4096, 100).plaintext());
    }

    @Test
    public void aReplayedSubmissionIsRefusedByTheIvCounter() {
        GpuDriver d = driver();
        d.connect();
        d.copyToDevice(model(64), CPR);
        byte[] first = submissions.get(0);
        byte[] oldBounce = guest.hostRead(BOUNCE, 64 + 16);
        d.copyToDevice(new byte[64], CPR);
        // the host puts back the first transfer's bounce buffer and submission
        guest.hostWrite(BOUNCE, oldBounce);
        TeeException e = assertThrows(TeeException.class, () -> backend.submit("gpu0", first));
        assertEquals("NV_ERR_INVALID_DATA", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("IV counter 1"));
        assertTrue(e.getMessage(), e.getMessage().contains("replayed"));
        assertArrayEquals(new byte[64], d.copyFromDevice(CPR, 64).plaintext());
        // a counter past the 32-bit message counter is refused as CCSL refuses it
        byte[] far = new WorkSubmission(1, 0, WorkSubmission.parse(first).sessionId(), 0x100000000L, BOUNCE, CPR, 64)
                .encode();
        TeeException spent = assertThrows(TeeException.class, () -> backend.submit("gpu0", far));
        assertEquals("NV_ERR_INSUFFICIENT_RESOURCES", spent.status().name());
    }

    @Test
    public void aBounceBufferChangedAfterTheGpuWroteItFailsTheDriversTagCheck() {
        GpuDriver d = driver();
        d.connect();
        d.copyToDevice(model(64), CPR);
        afterSubmit = () -> {
            byte[] b = guest.hostRead(BOUNCE + 10, 1);
            b[0] ^= (byte) 0x80;
            guest.hostWrite(BOUNCE + 10, b);
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.copyFromDevice(CPR, 64));
        assertTrue(e.getMessage(), e.getMessage().contains("GCM tag"));
        afterSubmit = () -> { };
        assertArrayEquals(model(64), d.copyFromDevice(CPR, 64).plaintext());
    }

    @Test
    public void aTamperedSpdmAnswerEndsTheSessionWithTheSpdmError() {
        GpuDriver d = driver();
        d.connect();
        onAnswer = a -> {
            byte[] b = a.clone();
            if (Mailbox.unframe(b).secured()) {
                b[b.length - 1] ^= 1;
            }
            return b;
        };
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.evidence(new byte[32]));
        assertTrue(e.getMessage(), e.getMessage().contains("DECRYPT_ERROR"));
        assertFalse(d.connected());
        onAnswer = UnaryOperator.identity();
        IllegalStateException after = assertThrows(IllegalStateException.class, () -> d.copyToDevice(new byte[1],
                CPR));
        assertTrue(after.getMessage(), after.getMessage().contains("connect()"));
        d.connect();
        assertTrue(d.connected());
    }

    @Test
    public void theGpusEvidenceIsNvidiasReportAndVerifiesWithNvidiasVerifierGivenTheRoot() {
        GpuDriver d = driver();
        d.connect();
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 0x6B);
        Evidence ev = d.evidence(nonce);
        assertEquals("nvidia-gpu-spdm-measurements", ev.format());
        AttestationReport r = AttestationReport.parse(ev.report());
        assertArrayEquals(nonce, r.nonce());
        assertEquals(64, r.response().blocks().size());
        assertEquals(37 + r.response().encode().length, ev.report().length);
        assertEquals(5, ev.certificates().size());
        X509Certificate leaf = X509Authority.certificateFromDer(ev.certificates().get(0));
        assertArrayEquals(DiceFwid.of(leaf), r.opaqueData().fwid().orElseThrow());
        assertTrue(r.verify(leaf.getPublicKey()));
        GpuEvidenceJson json = GpuEvidenceJson.parse(new String(ev.attachment("nvidia-json"),
                StandardCharsets.UTF_8));
        assertEquals("HOPPER", json.arch());
        assertArrayEquals(ev.report(), json.evidence());
        assertEquals(5, X509Authority.certificatesFromPem(json.certificatePem()).size());

        Map<String, String> refs = new HashMap<>();
        refs.put("report_data", Hex.encode(nonce));
        refs.put("driver_version", "550.90.07");
        refs.put("vbios_version", "96.00.9F.00.01");
        GpuEvidenceVerifier verifier = new GpuEvidenceVerifier();
        Appraisal a = verifier.verify(ev, new VerificationOptions(Clock.systemUTC(), List.of(X509Authority.toDer(
                fixture.nvidia.deviceRoot())), refs, Map.of()));
        assertTrue(a.failures().toString(), a.accepted());
        // another root, another nonce, a flipped byte: refused
        Appraisal otherRoot = verifier.verify(ev, new VerificationOptions(Clock.systemUTC(), List.of(
                X509Authority.toDer(new TestNvidia().deviceRoot())), refs, Map.of()));
        assertFalse(otherRoot.accepted());
        byte[] flipped = ev.report();
        flipped[100] ^= 1;
        Appraisal tampered = verifier.verify(new Evidence(ev.format(), flipped, ev.certificates(), Map.of()),
                new VerificationOptions(Clock.systemUTC(), List.of(X509Authority.toDer(fixture.nvidia
                        .deviceRoot())), refs, Map.of()));
        assertTrue(tampered.failures().stream().map(Check::check).anyMatch("signature"::equals));
    }

    @Test
    public void devtoolsShowsInTheCcConfigurationBlockOfTheEvidence() {
        GpuDriver d = driver();
        d.connect();
        AttestationReport on = AttestationReport.parse(d.evidence(new byte[32]).report());
        backend.detach("gpu0");
        backend.setMode("gpu0", "devtools");
        backend.attach("gpu0", guest);
        d.connect();
        AttestationReport dev = AttestationReport.parse(d.evidence(new byte[32]).report());
        int cc = GpuFirmware.CC_CONFIGURATION + 1;
        for (MeasurementBlock b : on.response().blocks()) {
            byte[] other = dev.response().block(b.index()).value();
            assertEquals("block " + b.index(), b.index() != cc, Arrays.equals(b.value(), other));
        }
        assertArrayEquals(fixture.nvidia.published.get("NV_GPU_VBIOS_1010_0200_882_96009F0001").measurements()
                .get(GpuFirmware.CC_CONFIGURATION).alternatives().get(0), on.response().block(cc).value());
        assertNotEquals(Hex.encode(on.response().block(cc).value()), Hex.encode(dev.response().block(cc).value()));
    }

    @Test
    public void aResetGpuFailsTheDriverWithAReasonAndConnectReestablishesWithItsMemoryScrubbed() {
        GpuDriver d = driver();
        d.connect();
        d.copyToDevice(model(64), CPR);
        backend.detach("gpu0");
        backend.attach("gpu0", guest);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.copyFromDevice(CPR, 64));
        assertTrue(e.getMessage(), e.getMessage().contains("reset"));
        assertTrue(e.getMessage(), e.getMessage().contains("connect() again"));
        assertFalse(d.connected());
        d.connect();
        assertArrayEquals(new byte[64], d.copyFromDevice(CPR, 64).plaintext());
        // a new backend (a bundle update) is a reset too; the old one scrubs as it goes
        backend.deactivate();
        assertTrue(backend.device("gpu0").guest().isEmpty());
        assertEquals("0", backend.device("gpu0").properties().get("spdm sessions"));
        H100Backend updated = fixture.backend();
        backend = updated;
        updated.attach("gpu0", guest);
        IllegalStateException e2 = assertThrows(IllegalStateException.class, () -> d.evidence(new byte[32]));
        assertTrue(e2.getMessage(), e2.getMessage().contains("connect() again"));
        d.connect();
        assertEquals(64, AttestationReport.parse(d.evidence(new byte[32]).report()).response().blocks().size());
    }

    @Test
    public void aCopyOutsideTheCprAndBadArgumentsAreRefusedByName() {
        GpuDriver d = driver();
        d.connect();
        TeeException e = assertThrows(TeeException.class, () -> d.copyToDevice(new byte[16], 0x1000));
        assertEquals("NV_ERR_INVALID_ARGUMENT", e.status().name());
        assertTrue(e.getMessage(), e.getMessage().contains("compute protected region"));
        assertThrows(IllegalArgumentException.class, () -> d.copyToDevice(new byte[4 * 4096], CPR));
        assertThrows(IllegalArgumentException.class, () -> d.evidence(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> GpuDriver.open(guest, relay(), fixture.nvidia
                .deviceRoot(), 0x4001, 1));
        d.close();
        assertFalse(guest.shared.contains(BOUNCE / 4096));
        assertThrows(IllegalStateException.class, d::connect);
    }

    @Test
    public void aReplayedSecuredRequestEndsTheSessionAndTheDriverSaysSo() {
        GpuDriver d = driver();
        d.connect();
        d.evidence(new byte[32]);
        byte[] getMeasurements = requests.get(requests.size() - 1);
        assertTrue(Mailbox.unframe(getMeasurements).secured());
        Packet answer = Mailbox.unframe(backend.exchange("gpu0", getMeasurements));
        // the GSP cannot authenticate it (its sequence number is past): a plain ERROR DecryptError, session gone
        assertFalse(answer.secured());
        assertEquals(0x7F, answer.bytes()[1] & 0xFF);
        assertEquals(0x06, answer.bytes()[2]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> d.evidence(new byte[32]));
        assertTrue(e.getMessage(), e.getMessage().contains("INVALID_SESSION"));
        assertTrue(e.getMessage(), e.getMessage().contains("connect() again"));
        d.connect();
        assertTrue(d.connected());
    }

    @Test
    public void aPlainGetMeasurementsWithoutASessionIsNvidiasSignedReportToo() {
        byte[][] vca = {GetVersion.of().encode(),
            new Capabilities(true, Spdm.VERSION_11, 0, Requester
                    .CAPABILITIES).encode(),
            new Algorithms(true, Spdm.VERSION_11, Spdm.MEAS_SPEC_DMTF, 0,
                    Spdm.ASYM_ECDSA_P384, Spdm.HASH_SHA_384, List.of(), List.of(),
                    List.of(AlgorithmStructure.of(Spdm.ALG_TYPE_DHE,
                            Spdm.DHE_SECP384R1), AlgorithmStructure.of(
                                    Spdm.ALG_TYPE_AEAD, Spdm.AEAD_AES_256_GCM),
                            AlgorithmStructure.of(Spdm.ALG_TYPE_REQ_BASE_ASYM, 0),
                            AlgorithmStructure.of(Spdm.ALG_TYPE_KEY_SCHEDULE,
                                    Spdm.KEY_SCHEDULE_SPDM))).encode()};
        for (byte[] m : vca) {
            byte[] a = Mailbox.unframe(backend.exchange("gpu0", Mailbox.frame(Packet.plain(m)))).bytes();
            assertNotEquals(0x7F, a[1] & 0xFF);
        }
        byte[] nonce = new byte[32];
        Arrays.fill(nonce, (byte) 0x11);
        byte[] request = new GetMeasurements(Spdm.VERSION_11, 1, 0xFF, nonce, 0)
                .encode();
        assertEquals(37, request.length);
        byte[] response = Mailbox.unframe(backend.exchange("gpu0", Mailbox.frame(Packet.plain(
                request)))).bytes();
        byte[] report = Arrays.copyOf(request, 37 + response.length);
        System.arraycopy(response, 0, report, 37, response.length);
        AttestationReport r = AttestationReport.parse(report);
        assertArrayEquals(nonce, r.nonce());
        assertTrue(r.verify(backend.certificateChain("gpu0").get(0).getPublicKey()));
        assertEquals(64, r.response().blocks().size());
    }

    @Test
    public void aNewSessionRetiresTheChannelKeysOfTheOldOne() {
        GpuDriver d = driver();
        int old = d.connect().sessionId();
        d.copyToDevice(model(64), CPR);
        int next = d.connect().sessionId();
        assertNotEquals(old, next);
        // the host submits a copy under the old session's keys: the GPU no longer has them
        byte[] stale = new WorkSubmission(WorkSubmission.COPY_FROM_DEVICE, 0, old, 7, BOUNCE, CPR, 64).encode();
        TeeException e = assertThrows(TeeException.class, () -> backend.submit("gpu0", stale));
        assertEquals("NV_ERR_INVALID_STATE", e.status().name());
        assertArrayEquals(model(64), d.copyFromDevice(CPR, 64).plaintext());
        // connecting again and again does not exhaust the GSP's sessions
        for (int i = 0; i < 6; i++) {
            d.connect();
        }
        assertEquals("1", backend.device("gpu0").properties().get("spdm sessions"));
    }
}
