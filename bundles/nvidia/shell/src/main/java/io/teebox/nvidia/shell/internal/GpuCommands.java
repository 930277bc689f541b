package io.teebox.nvidia.shell.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.apache.felix.service.command.annotations.GogoCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

import io.teebox.api.appraisal.Appraisal;
import io.teebox.api.appraisal.Check;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.attestation.EvidenceVerifier;
import io.teebox.api.attestation.VerificationOptions;
import io.teebox.api.device.DeviceAssignment;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.device.HostRead;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.hex.Hex;
import io.teebox.kit.hex.HexDump;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.h100.GpuDriver;
import io.teebox.nvidia.h100.H100Platform;
import io.teebox.nvidia.rim.NvidiaServices;
import io.teebox.nvidia.rim.Rim;

/**
 * Gogo commands of the H100 (scope {@code gpu}): the host's side (CC mode, attach and detach, reads of GPU memory,
 * replaying what it relayed) and the guest driver's side (the SPDM session, bounce-buffer copies, evidence), each
 * saying whose view it shows.
 */
@Component(service = GpuCommands.class, immediate = true)
@GogoCommand(scope = "gpu", function = {"list", "mode", "attach", "detach", "connect", "copy", "replay", "peek",
    "attest", "rims"})
@Descriptor("NVIDIA H100 in confidential-computing mode: CC mode, attach/detach, SPDM session, bounce-buffer copies, "
        + "protected GPU memory, GPU evidence and NVIDIA's RIMs")
public final class GpuCommands {

    private static final String FORMAT = AttestationReport.EVIDENCE_FORMAT;

    private final DeviceAssignment assignment;
    private final GuestDrivers drivers;
    private final NvidiaServices nvidia;
    private final EvidenceVerifier verifier;
    /**
     * Optional and dynamic: after the h100 bundle is updated without a refresh this bundle still sees the package of
     * the old revision, whose H100Platform type the new service does not have; the host tools wait for a refresh.
     */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private volatile H100Platform platform;
    private final List<DeviceTee> tees = new CopyOnWriteArrayList<>();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            target = "(collateral.vendor=nvidia)")
    private volatile io.teebox.spi.collateral.CollateralSource rimSource;
    private final Map<DeviceTee, String> types = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param assignment the hypervisor's device assignment
     * @param drivers the guests' GPU drivers
     * @param nvidia NVIDIA's services (roots, RIMs)
     * @param verifier the GPU evidence verifier
     */
    @Activate
    public GpuCommands(@Reference DeviceAssignment assignment, @Reference GuestDrivers drivers,
            @Reference NvidiaServices nvidia,
            @Reference(target = "(" + EvidenceVerifier.FORMAT_PROPERTY + "=" + FORMAT + ")") EvidenceVerifier verifier) {
        this.assignment = assignment;
        this.drivers = drivers;
        this.nvidia = nvidia;
        this.verifier = verifier;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindTee(DeviceTee tee, Map<String, Object> props) {
        types.put(tee, String.valueOf(props.get(TeeType.PROPERTY)));
        tees.add(tee);
    }

    void unbindTee(DeviceTee tee) {
        tees.remove(tee);
        types.remove(tee);
    }

    private DeviceTee tee(String device) {
        DeviceInfo d = info(device);
        for (DeviceTee t : tees) {
            if (d.teeType().equals(types.get(t))) {
                return t;
            }
        }
        throw new IllegalStateException("the " + d.teeType() + " backend of " + device + " is away");
    }

    private DeviceInfo info(String device) {
        List<String> ids = new ArrayList<>();
        for (DeviceInfo d : assignment.devices()) {
            if (d.id().equals(device)) {
                return d;
            }
            ids.add(d.id());
        }
        throw new IllegalArgumentException("no GPU '" + device + "'; " + (ids.isEmpty()
                ? "no device backend is present (is the h100 bundle started?)" : "GPUs: " + String.join(", ", ids)));
    }

    // ---- the host's side -------------------------------------------------------------------------------------

    @Descriptor("The GPUs: CC mode, the guest that holds each, firmware and VBIOS")
    public String list() {
        StringBuilder b = new StringBuilder(String.format("%-6s %-6s %-9s %-12s %s%n", "GPU", "TEE", "CC mode",
                "guest", "device"));
        for (DeviceInfo d : assignment.devices()) {
            StringBuilder p = new StringBuilder();
            d.properties().forEach((k, v) -> p.append(p.length() == 0 ? "" : ", ").append(k).append(' ').append(v));
            b.append(String.format("%-6s %-6s %-9s %-12s %s%n", d.id(), d.teeType(), d.mode(),
                    d.guest().orElse("-"), p));
        }
        for (DeviceAssignment.Assignment a : assignment.assignments()) {
            if (!a.present()) {
                b.append(String.format("%-6s %-6s %-9s %-12s its backend is away; it returns from reset%n",
                        a.device(), a.teeType(), "?", a.guest()));
            }
        }
        return b.toString().stripTrailing();
    }

    @Descriptor("Query or set a GPU's CC mode from the host (off, on, devtools), as nvidia_gpu_tools --set-cc-mode "
            + "does; only while no guest holds it")
    public String mode(
            @Descriptor("off, on or devtools; leave out to query") @Parameter(names = {"-s", "--set"},
                    absentValue = "") String mode,
            @Descriptor("GPU, e.g. gpu0") String device) {
        DeviceInfo d = mode.isEmpty() ? info(device) : tee(device).setMode(device, mode);
        return device + " CC mode: " + d.mode() + (mode.isEmpty() ? "" : " (set; the GPU was reset)")
                + " (modes: " + String.join(", ", d.modes()) + ")";
    }

    @Descriptor("Attach a GPU to a running guest (a GPU in CC mode only to a confidential VM: SNP or TDX)")
    public String attach(@Descriptor("guest id or name") String guest, @Descriptor("GPU, e.g. gpu0") String device) {
        assignment.attach(guest, device);
        DeviceInfo d = info(device);
        return device + " attached to guest " + guest + " in CC mode " + d.mode()
                + "; its driver connects (SPDM) on first use, or with gpu:connect";
    }

    @Descriptor("Detach a GPU from its guest: the session ends, keys and protected memory are scrubbed")
    public String detach(@Descriptor("guest id or name") String guest, @Descriptor("GPU") String device) {
        assignment.detach(guest, device);
        drivers.closed(guest, device);
        return device + " detached from guest " + guest;
    }

    @Descriptor("Read GPU memory from the host (a BAR read): what the host gets, and why")
    public String peek(
            @Descriptor("read as NVIDIA's debugger does instead (refused in CC mode on)")
            @Parameter(names = {"--debug"}, presentValue = "true", absentValue = "false") boolean debug,
            @Descriptor("GPU") String device,
            @Descriptor("GPU memory address, e.g. 0x0") String address,
            @Descriptor("bytes, 1..4096") String length) {
        long a = number("address", address);
        int n = (int) number("length", length);
        if (n < 1 || n > 4096) {
            throw new IllegalArgumentException("length must be 1..4096, got " + length);
        }
        if (debug) {
            H100Platform p = platform;
            if (p == null) {
                throw new IllegalStateException("the H100 debugger is unavailable: the h100 bundle was updated and "
                        + "this one still uses its old package (felix:refresh)");
            }
            byte[] d = p.debugRead(device, a, n);
            return "debugger read of " + device + " at 0x" + Long.toHexString(a) + " (CC mode " + info(device).mode()
                    + "):\n" + HexDump.format(a, d);
        }
        HostRead r = tee(device).hostAccess(device, a, HostAccess.READ, new byte[n]);
        return "host read of " + device + " at 0x" + Long.toHexString(a) + ": " + r.outcome().effect() + " - "
                + r.outcome().explanation() + "\n" + HexDump.format(a, r.data());
    }

    @Descriptor("The host replays the last work submission it relayed from the guest's driver to the GPU")
    public String replay(@Descriptor("guest id or name") String guest, @Descriptor("GPU") String device) {
        GuestDrivers.Open o = drivers.opened(guest, device);
        byte[] completion = o.relay().replay();
        return "the GPU completed the replayed submission: " + Hex.encode(completion);
    }

    // ---- the guest driver's side -----------------------------------------------------------------------------

    @Descriptor("The guest's driver opens the SPDM session with the GPU: version, capabilities, algorithms, "
            + "certificate chain, KEY_EXCHANGE, FINISH")
    public String connect(@Descriptor("guest id or name") String guest, @Descriptor("GPU") String device) {
        GuestDrivers.Open o = drivers.opened(guest, device);
        GpuDriver.SessionInfo i = o.driver().connect();
        return "guest " + guest + "'s driver: SPDM " + i.version() + " session 0x" + Integer.toHexString(i.sessionId())
                + " with " + device + " established\n  GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS ("
                + i.baseAsym() + ", " + i.baseHash() + ", " + i.dhe() + ", " + i.aead() + "), GET_DIGESTS, "
                + "GET_CERTIFICATE (" + i.certificates() + " certificates to the NVIDIA device root), KEY_EXCHANGE, "
                + "FINISH\n  the GPU is " + subject(i.leafSubject()) + "\n  host: " + o.relay().counts()
                + " (it saw every byte; the session keys never left the guest and the GPU)";
    }

    @Descriptor("Copy through the bounce buffer: the guest's driver encrypts (AES-256-GCM, session key) into "
            + "shared pages and the GPU decrypts into protected memory, or the reverse; shows what the host saw")
    public String copy(
            @Descriptor("copy from the GPU to the guest instead: DATA is the length")
            @Parameter(names = {"--from-device"}, presentValue = "true", absentValue = "false") boolean fromDevice,
            @Descriptor("the host flips one bit of the bounce buffer before the GPU reads it")
            @Parameter(names = {"--tamper"}, presentValue = "true", absentValue = "false") boolean tamper,
            @Descriptor("guest id or name") String guest,
            @Descriptor("GPU") String device,
            @Descriptor("GPU memory address") String address,
            @Descriptor("data: text, hex:00ff..., or @FILE; with --from-device the number of bytes") String data) {
        long a = number("address", address);
        int length = fromDevice ? (int) number("length", data) : 0;
        byte[] content = fromDevice ? null : bytes(data);
        GuestDrivers.Result<GpuDriver.Transfer> r = drivers.withSession(guest, device, d -> {
            if (tamper) {
                d.relay().tamperNext(d.bounceGpa());
            }
            return fromDevice ? d.driver().copyFromDevice(a, length) : d.driver().copyToDevice(content, a);
        });
        GuestDrivers.Open o = r.driver();
        GpuDriver.Transfer t = r.value();
        StringBuilder b = new StringBuilder();
        if (r.reconnected()) {
            b.append("(the GPU had been reset since the driver's last session: it established a new one)\n");
        }
        byte[] seen = t.hostView();
        if (t.direction() == GpuDriver.Direction.HOST_TO_DEVICE) {
            b.append(String.format("guest %s -> %s: %d bytes into protected GPU memory at 0x%x%n", guest, device,
                    t.length(), a));
        } else {
            b.append(String.format("%s -> guest %s: %d bytes from protected GPU memory at 0x%x%n", device, guest,
                    t.length(), a));
        }
        b.append(String.format("  through the bounce buffer at GPA 0x%x (shared pages), AES-256-GCM under the "
                + "session's Lce0_%s_user key, IV counter %d%n", t.bounceGpa(),
                t.direction() == GpuDriver.Direction.HOST_TO_DEVICE ? "h2d" : "d2h", t.ivCounter()));
        b.append("  the host saw (ciphertext || 16-byte tag):\n");
        b.append(indent(HexDump.format(t.bounceGpa(), java.util.Arrays.copyOf(seen, Math.min(seen.length, 64)))));
        if (t.direction() == GpuDriver.Direction.DEVICE_TO_HOST) {
            byte[] plain = t.plaintext();
            boolean text = plain.length > 0;
            for (byte x : plain) {
                text &= x >= 0x20 && x < 0x7F;
            }
            b.append("  the guest decrypted").append(text ? ": \"" + new String(plain, StandardCharsets.US_ASCII)
                    + "\"\n" : ":\n").append(indent(HexDump.format(a, plain)));
        }
        b.append("  host: ").append(o.relay().counts()).append("; mem:peek ").append(guest).append(" 0x")
                .append(Long.toHexString(t.bounceGpa())).append(" 64 shows the bounce buffer as the host sees it");
        return b.toString();
    }

    @Descriptor("GPU evidence: the guest's driver asks for a signed GET_MEASUREMENTS report with a nonce; the GPU "
            + "verifier appraises it against NVIDIA's roots and RIMs")
    public String attest(
            @Descriptor("the 32-byte nonce in hex (default: random)")
            @Parameter(names = {"-n", "--nonce"}, absentValue = "") String nonce,
            @Descriptor("write the report to this file, its chain to FILE.certs.pem and NVIDIA's JSON evidence (arch, "
                    + "nonce, evidence, certificate) to FILE.json")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String out,
            @Descriptor("guest id or name") String guest, @Descriptor("GPU") String device) {
        byte[] n;
        if (nonce.isEmpty()) {
            n = new byte[32];
            new SecureRandom().nextBytes(n);
        } else {
            n = hex("nonce (-n)", nonce);
            if (n.length != 32) {
                throw new IllegalArgumentException("nonce (-n) must be 32 bytes, got " + n.length);
            }
        }
        Evidence e = drivers.evidence(guest, device, io.teebox.api.tee.Bytes.of(n));
        StringBuilder b = new StringBuilder();
        b.append(String.format("GPU attestation report of %s, %d bytes, %d certificates, nonce %s%n", device,
                e.report().length, e.certificates().size(), Hex.encode(n)));
        b.append(appraise(e, n));
        if (!out.isEmpty()) {
            write(out, e.report());
            write(out + ".certs.pem", X509Authority.toPem(e.certificates().stream().map(X509Authority::certificateFromDer)
                    .toArray(java.security.cert.X509Certificate[]::new)).getBytes(StandardCharsets.US_ASCII));
            byte[] json = e.attachment(GpuDriver.JSON_ATTACHMENT);
            if (json != null) {
                write(out + ".json", json);
            }
            b.append("\nwrote ").append(out).append(", ").append(out).append(".certs.pem")
                    .append(json != null ? " and " + out + ".json" : "").append(" (tee:verify -r ROOT -d NONCE ")
                    .append(FORMAT).append(' ').append(out).append(" checks them)");
        }
        return b.toString().stripTrailing();
    }

    @Descriptor("NVIDIA's reference values: the RIMs published for the GPUs' driver and VBIOS (signed SWID tags), "
            + "the RIM service and OCSP responder URLs, the roots verifiers are given (-o DIR exports them)")
    public String rims(
            @Descriptor("write the roots to this directory as NVIDIA's verifier names them, verifier_device_root.pem "
                    + "and verifier_RIM_root.pem, and both in nvidia_roots.pem")
            @Parameter(names = {"-o", "--out"}, absentValue = "") String out) {
        StringBuilder b = new StringBuilder();
        if (!out.isEmpty()) {
            try {
                Files.createDirectories(Path.of(out));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot create " + out + ": " + e.getMessage());
            }
            write(Path.of(out, "verifier_device_root.pem").toString(), X509Authority.toPem(nvidia.deviceRoot())
                    .getBytes(StandardCharsets.US_ASCII));
            write(Path.of(out, "verifier_RIM_root.pem").toString(), X509Authority.toPem(nvidia.rimRoot())
                    .getBytes(StandardCharsets.US_ASCII));
            write(Path.of(out, "nvidia_roots.pem").toString(), X509Authority.toPem(nvidia.deviceRoot(),
                    nvidia.rimRoot()).getBytes(StandardCharsets.US_ASCII));
            b.append("wrote ").append(Path.of(out, "verifier_device_root.pem")).append(", ")
                    .append(Path.of(out, "verifier_RIM_root.pem")).append(" and both in ")
                    .append(Path.of(out, "nvidia_roots.pem")).append(" (tee:verify -r takes it)\n");
        }
        b.append("RIM service: ").append(nvidia.rimServiceUrl()).append("/v1/rim/{id}\nOCSP responder: ")
                .append(nvidia.ocspUrl()).append("\ndevice root: ")
                .append(nvidia.deviceRoot().getSubjectX500Principal().getName()).append("\nRIM root: ")
                .append(nvidia.rimRoot().getSubjectX500Principal().getName()).append('\n');
        H100Platform p = platform;
        for (String id : p == null ? List.<String>of() : p.rimIds()) {
            java.util.Optional<io.teebox.api.tee.Bytes> json = rimSource == null ? java.util.Optional.empty()
                    : rimSource.fetch("rim", Map.of("id", id));
            if (json.isEmpty()) {
                b.append(id).append(": not published\n");
                continue;
            }
            com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(new String(json.get().value(),
                    StandardCharsets.UTF_8)).getAsJsonObject();
            Rim rim = Rim.parse(java.util.Base64.getDecoder().decode(o.get("rim").getAsString()));
            b.append(String.format("%s: version %s, %d measurements (%d active), signed by %s%n", id,
                    rim.colloquialVersion(), rim.measurements().size(), rim.activeMeasurements().size(),
                    rim.certificates().get(0).getSubjectX500Principal().getName()));
        }
        return b.toString().stripTrailing();
    }

    /** A subject as people read it: the DICE leaf's serialNumber by name, not as DER hex. */
    private static String subject(String dn) {
        try {
            return new javax.security.auth.x500.X500Principal(dn).getName(javax.security.auth.x500.X500Principal.RFC2253,
                    Map.of("2.5.4.5", "SERIALNUMBER"));
        } catch (IllegalArgumentException e) {
            return dn;
        }
    }

    private static String indent(String dump) {
        return dump.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
    }

    private String appraise(Evidence e, byte[] nonce) {
        Appraisal a = verifier.verify(e, new VerificationOptions(Clock.systemUTC(),
                List.of(X509Authority.toDer(nvidia.deviceRoot()), X509Authority.toDer(nvidia.rimRoot())),
                Map.of("report_data", Hex.encode(nonce)), Map.of()));
        StringBuilder b = new StringBuilder("appraisal: " + a.status() + "\n");
        for (Check c : a.checks()) {
            b.append(String.format("  %-16s %-16s %s%n", c.check(), c.tier(), c.reason()));
        }
        for (String k : List.of("driver_version", "vbios_version", "project", "chip_sku", "device_subject")) {
            if (a.claims().containsKey(k)) {
                b.append(String.format("  %-16s %s%n", k, k.endsWith("subject") ? subject(a.claim(k)) : a.claim(k)));
            }
        }
        return b.toString();
    }

    // ---- arguments

    static long number(String what, String text) {
        try {
            long v = Long.decode(text.strip());
            if (v < 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " '" + text + "' is not a non-negative number (decimal or 0x "
                    + "hex)");
        }
    }

    private static byte[] hex(String what, String text) {
        try {
            return Hex.decode(text.strip().replaceFirst("^0[xX]", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not hex: " + e.getMessage());
        }
    }

    private static byte[] bytes(String data) {
        if (data.startsWith("hex:")) {
            return hex("data", data.substring(4));
        }
        if (data.startsWith("@")) {
            Path f = Path.of(data.substring(1));
            try {
                return Files.readAllBytes(f);
            } catch (IOException e) {
                throw new IllegalArgumentException("data file " + f + " cannot be read: " + e.getMessage());
            }
        }
        return data.getBytes(StandardCharsets.UTF_8);
    }

    private static void write(String out, byte[] content) {
        try {
            Path parent = Path.of(out).toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.write(Path.of(out), content);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write " + out + ": " + e.getMessage());
        }
    }
}
