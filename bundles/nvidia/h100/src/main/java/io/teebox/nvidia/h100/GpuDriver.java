package io.teebox.nvidia.h100;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.abi.GpuEvidenceJson;
import io.teebox.nvidia.h100.internal.DriverChannel;
import io.teebox.spdm.MeasurementReport;
import io.teebox.spdm.Requester;
import io.teebox.spdm.Session;
import io.teebox.spdm.SpdmException;

/**
 * The H100's driver as a guest runs it inside its confidential VM: the SPDM 1.1 requester that authenticates the
 * GPU (its 5-certificate chain to NVIDIA's device-identity root) and opens a session with it, the bounce-buffer
 * copies encrypted under the channel keys derived from that session, and the GPU's evidence. The bounce buffer is a
 * run of guest pages the driver shares with the host, since the GPU cannot reach the guest's private memory; the
 * host sees only ciphertext and tags there.
 * <p>
 * A GPU that was reset (detached and attached again, its backend updated) has no session any more: calls then fail
 * with an {@link IllegalStateException} saying so, and {@link #connect()} establishes a new one. Not thread-safe.
 */
public final class GpuDriver implements AutoCloseable {

    /** The page size of the bounce buffer. */
    public static final int PAGE = 4096;
    /** The GPU's evidence as NVIDIA's JSON carrier, the attachment of {@link #evidence(byte[])}. */
    public static final String JSON_ATTACHMENT = "nvidia-json";
    /** The certificates in an H100's device chain. */
    public static final int CHAIN_LENGTH = 5;

    /**
     * An established session.
     *
     * @param sessionId the SPDM session id (ReqSessionID in bits 15:0, RspSessionID in 31:16)
     * @param version the SPDM version, {@code 1.1}
     * @param baseAsym the signature algorithm, {@code ECDSA P-384}
     * @param baseHash the hash, {@code SHA-384}
     * @param dhe the key exchange group, {@code secp384r1}
     * @param aead the session cipher, {@code AES-256-GCM}
     * @param leafSubject the device leaf certificate's subject
     * @param certificates how many certificates the device's chain holds (5)
     */
    public record SessionInfo(int sessionId, String version, String baseAsym, String baseHash, String dhe,
            String aead, String leafSubject, int certificates) {
    }

    /**
     * The GPU was reset since the driver connected (detached and attached again, or its firmware updated): the
     * driver dropped its session, and {@link #connect()} establishes a new one. Not thrown for a session an SPDM
     * error ended (a tampered or replayed message), which a driver must not paper over by reconnecting.
     */
    public static final class GpuReset extends IllegalStateException {

        private static final long serialVersionUID = 1L;

        GpuReset(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Which way a copy went. */
    public enum Direction {
        /** From the guest to device memory. */
        HOST_TO_DEVICE,
        /** From device memory to the guest. */
        DEVICE_TO_HOST
    }

    /**
     * One copy through the bounce buffer.
     *
     * @param direction which way
     * @param bounceGpa the bounce buffer's guest physical address
     * @param length the plaintext bytes
     * @param ivCounter the channel IV counter used
     * @param hostView the bounce buffer as the host saw it: ciphertext ‖ 16-byte GCM tag
     * @param plaintext for a copy from the device, the data; empty for a copy to the device
     */
    public record Transfer(Direction direction, long bounceGpa, int length, long ivCounter, byte[] hostView,
            byte[] plaintext) {

        /** Copies the arrays. */
        public Transfer {
            Objects.requireNonNull(direction, "direction");
            hostView = hostView.clone();
            plaintext = plaintext.clone();
        }

        /** @return a copy of what the host saw */
        @Override
        public byte[] hostView() {
            return hostView.clone();
        }

        /** @return a copy of the plaintext */
        @Override
        public byte[] plaintext() {
            return plaintext.clone();
        }
    }

    private final GuestContext guest;
    private final GuestDevice gpu;
    private final X509Certificate deviceRoot;
    private final long bounceGpa;
    private final int bouncePages;
    private final SecureRandom random = new SecureRandom();
    private Session session;
    private DriverChannel channel;
    private boolean closed;

    private GpuDriver(GuestContext guest, GuestDevice gpu, X509Certificate deviceRoot, long bounceGpa,
            int bouncePages) {
        this.guest = guest;
        this.gpu = gpu;
        this.deviceRoot = deviceRoot;
        this.bounceGpa = bounceGpa;
        this.bouncePages = bouncePages;
    }

    /**
     * Opens the driver: shares the bounce pages with the host.
     *
     * @param guest the guest the driver runs in
     * @param gpu the GPU as the guest reaches it
     * @param deviceRoot the device-identity root the GPU's chain must lead to ("NVIDIA Device Identity CA")
     * @param bounceBufferGpa the bounce buffer's page-aligned guest physical address
     * @param bouncePages its pages, 1..257 (a transfer of up to 1 MiB with its tag)
     * @return the driver, not yet connected
     * @throws IllegalArgumentException for an unaligned address or a page count out of range
     * @throws TeeException if the guest refuses to share the pages (it does not run)
     */
    public static GpuDriver open(GuestContext guest, GuestDevice gpu, X509Certificate deviceRoot,
            long bounceBufferGpa, int bouncePages) {
        Objects.requireNonNull(guest, "guest");
        Objects.requireNonNull(gpu, "gpu");
        Objects.requireNonNull(deviceRoot, "deviceRoot");
        if (bounceBufferGpa < 0 || bounceBufferGpa % PAGE != 0) {
            throw new IllegalArgumentException("bounceBufferGpa 0x" + Long.toHexString(bounceBufferGpa)
                    + " is not a page-aligned guest physical address");
        }
        if (bouncePages < 1 || bouncePages > 257) {
            throw new IllegalArgumentException("bouncePages is " + bouncePages + ", expected 1..257");
        }
        for (int i = 0; i < bouncePages; i++) {
            guest.share(bounceBufferGpa + (long) i * PAGE, true);
        }
        return new GpuDriver(guest, gpu, deviceRoot, bounceBufferGpa, bouncePages);
    }

    /**
     * Runs GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS, GET_CERTIFICATE, KEY_EXCHANGE and
     * FINISH with the GPU and derives the copy channel's keys from the session; an earlier session is dropped.
     *
     * @return the session
     * @throws IllegalStateException naming the SPDM error or the failed check (chain not to the root, not 5
     *             certificates, a bad signature, a tampered message)
     */
    public SessionInfo connect() {
        open();
        drop();
        Session s;
        try {
            s = new Requester(p -> DriverChannel.exchange(gpu, p), random, 0, List.of(deviceRoot), 1024).connect();
        } catch (SpdmException e) {
            throw new IllegalStateException(gpu.id() + ": SPDM session refused: " + e.getMessage()
                    + e.error().map(x -> " [" + x + "]").orElse(""), e);
        } catch (MalformedStructureException e) {
            throw new IllegalStateException(gpu.id() + ": SPDM session refused, malformed response: "
                    + e.getMessage(), e);
        }
        List<X509Certificate> chain = leafFirst(s);
        if (chain.size() != CHAIN_LENGTH) {
            throw new IllegalStateException(gpu.id() + ": the GPU's certificate chain holds " + chain.size()
                    + " certificates, expected " + CHAIN_LENGTH + " as NVIDIA's are");
        }
        session = s;
        channel = new DriverChannel(s.keys().exportMasterSecret());
        return new SessionInfo(s.id(), "1.1", "ECDSA P-384", "SHA-384", "secp384r1", "AES-256-GCM",
                chain.get(0).getSubjectX500Principal().getName(), chain.size());
    }

    /** @return whether a session is established and has not ended */
    public boolean connected() {
        return session != null && session.isOpen();
    }

    /**
     * Copies data into device memory: encrypts it under the host-to-device key with the next IV counter, writes
     * ciphertext and tag into the bounce buffer and asks the GPU's copy engine to decrypt it into its memory.
     *
     * @param data the bytes, 1..bounce buffer size − 16 (at most 1 MiB − 16)
     * @param deviceAddress where in device memory (in CC mode, inside the compute protected region)
     * @return the transfer
     * @throws IllegalStateException if not connected, or the GPU was reset
     * @throws TeeException with the GPU's status if it refuses the transfer (a tag that does not verify, a counter
     *             used before)
     */
    public Transfer copyToDevice(byte[] data, long deviceAddress) {
        DriverChannel ch = channel("copyToDevice");
        fits(data.length);
        long counter = ch.nextH2d();
        guest.write(bounceGpa, ch.seal(true, counter, data));
        submit(ch.submission(true, session.id(), counter, bounceGpa, deviceAddress, data.length));
        return new Transfer(Direction.HOST_TO_DEVICE, bounceGpa, data.length, counter, guest.read(bounceGpa,
                data.length + DriverChannel.TAG), new byte[0]);
    }

    /**
     * Copies data out of device memory: the GPU's copy engine encrypts it under the device-to-host key into the
     * bounce buffer, and the driver decrypts it.
     *
     * @param deviceAddress where in device memory
     * @param length bytes, 1..bounce buffer size − 16
     * @return the transfer, with the plaintext
     * @throws IllegalStateException if not connected, the GPU was reset, or the bounce buffer's tag does not verify
     * @throws TeeException with the GPU's status if it refuses the transfer
     */
    public Transfer copyFromDevice(long deviceAddress, int length) {
        DriverChannel ch = channel("copyFromDevice");
        fits(length);
        long counter = ch.nextD2h();
        submit(ch.submission(false, session.id(), counter, bounceGpa, deviceAddress, length));
        byte[] sealed = guest.read(bounceGpa, length + DriverChannel.TAG);
        byte[] plain = ch.open(false, counter, sealed).orElseThrow(() -> new IllegalStateException(gpu.id()
                + ": the GCM tag of the bounce buffer at GPA 0x" + Long.toHexString(bounceGpa) + " does not "
                + "verify under the device-to-host key with IV counter " + counter + " (changed in transit)"));
        return new Transfer(Direction.DEVICE_TO_HOST, bounceGpa, length, counter, sealed, plain);
    }

    /**
     * The GPU's evidence for a verifier's nonce: GET_MEASUREMENTS (signature requested, all blocks, slot 0) inside
     * the session; the signed request and response are NVIDIA's attestation report.
     *
     * @param nonce32 the verifier's 32-byte nonce
     * @return evidence of format {@value AttestationReport#EVIDENCE_FORMAT}: the report, the 5 certificates (DER,
     *         leaf first) and NVIDIA's JSON carrier as attachment {@value #JSON_ATTACHMENT}
     * @throws IllegalArgumentException if the nonce is not 32 bytes
     * @throws IllegalStateException if not connected, the GPU was reset, or the report's signature does not verify
     */
    public Evidence evidence(byte[] nonce32) {
        if (nonce32 == null || nonce32.length != 32) {
            throw new IllegalArgumentException("the GPU's nonce is 32 bytes, got "
                    + (nonce32 == null ? "none" : nonce32.length));
        }
        Session s = session("evidence");
        MeasurementReport m;
        try {
            m = s.getMeasurements(nonce32);
        } catch (SpdmException e) {
            throw ended(e);
        } catch (MalformedStructureException e) {
            throw new IllegalStateException(gpu.id() + ": the GPU's MEASUREMENTS answer is malformed: "
                    + e.getMessage(), e);
        }
        byte[] report = m.report();
        AttestationReport.parse(report);
        List<X509Certificate> chain = leafFirst(s);
        List<byte[]> der = chain.stream().map(X509Authority::toDer).toList();
        String pem = X509Authority.toPem(chain.toArray(X509Certificate[]::new));
        byte[] json = new GpuEvidenceJson(GpuEvidenceJson.HOPPER, nonce32, report, pem).toJson()
                .getBytes(StandardCharsets.UTF_8);
        return new Evidence(AttestationReport.EVIDENCE_FORMAT, report, der, Map.of(JSON_ATTACHMENT, json));
    }

    /** Drops the session and stops sharing the bounce pages. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        drop();
        closed = true;
        for (int i = 0; i < bouncePages; i++) {
            guest.share(bounceGpa + (long) i * PAGE, false);
        }
    }

    private void open() {
        if (closed) {
            throw new IllegalStateException(gpu.id() + ": the driver is closed");
        }
    }

    private void drop() {
        session = null;
        if (channel != null) {
            channel.destroy();
            channel = null;
        }
    }

    private void fits(int length) {
        long room = Math.min((long) bouncePages * PAGE - DriverChannel.TAG, DriverChannel.MAX_LENGTH);
        if (length < 1 || length > room) {
            throw new IllegalArgumentException("a transfer is 1.." + room + " bytes with this " + bouncePages
                    + "-page bounce buffer, got " + length);
        }
    }

    private Session session(String what) {
        open();
        if (session == null) {
            throw new IllegalStateException(gpu.id() + ": " + what + " needs an SPDM session; connect() first");
        }
        if (!session.isOpen()) {
            drop();
            throw new IllegalStateException(gpu.id() + ": the SPDM session has ended; connect() again");
        }
        return session;
    }

    private DriverChannel channel(String what) {
        session(what);
        return channel;
    }

    private void submit(byte[] command) {
        try {
            DriverChannel.complete(gpu.submit(command));
        } catch (TeeException e) {
            if (e.getMessage().contains("NV_ERR_INVALID_STATE")) {
                drop();
                throw new GpuReset(gpu.id() + ": the GPU no longer knows this driver's session (it was "
                        + "reset: detached and attached again, or its firmware updated); connect() again. The GPU "
                        + "said: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    private IllegalStateException ended(SpdmException e) {
        boolean gone = !session.isOpen();
        if (gone) {
            drop();
        }
        return new IllegalStateException(gpu.id() + ": " + e.getMessage() + e.error().map(x -> " [" + x + "]")
                .orElse("") + (gone ? "; the session has ended (the GPU may have been reset), connect() again" : ""),
                e);
    }

    private static List<X509Certificate> leafFirst(Session s) {
        List<X509Certificate> out = new ArrayList<>();
        for (byte[] der : s.certificateChain().certificates()) {
            out.add(0, X509Authority.certificateFromDer(der));
        }
        return out;
    }
}
