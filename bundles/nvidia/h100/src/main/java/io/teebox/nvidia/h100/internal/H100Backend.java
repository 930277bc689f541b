package io.teebox.nvidia.h100.internal;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.device.DeviceHost;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.DeviceTee;
import io.teebox.api.device.HostRead;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.platform.PlatformState;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.LaunchDefaults;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeKind;
import io.teebox.api.tee.TeeType;
import io.teebox.kit.x509.X509Authority;
import io.teebox.nvidia.abi.AttestationReport;
import io.teebox.nvidia.h100.H100Platform;
import io.teebox.nvidia.rim.NvidiaServices;

/**
 * The NVIDIA H100 backend (tee.type {@value #TEE_TYPE}, kind DEVICE): the platform's H100 GPUs ({@code gpu0} ..)
 * as a {@link DeviceTee}, each with its identity under NVIDIA's PKI, its CC mode, the GSP's SPDM responder, its copy
 * engine's encrypted bounce-buffer channel and its firewalled memory. When a GPU is first attached it publishes the RIMs of its
 * driver and VBIOS on NVIDIA's (emulated) RIM service. Key material is made on first use, not at start.
 */
@Component(service = {TeeBackend.class, DeviceTee.class}, immediate = true,
        configurationPid = "io.teebox.nvidia.h100")
@Designate(ocd = H100Config.class)
@TeeType(H100Backend.TEE_TYPE)
public final class H100Backend implements TeeBackend, DeviceTee {

    /** The backend's tee.type. */
    public static final String TEE_TYPE = "h100";
    private static final Logger LOG = Logger.getLogger(H100Backend.class.getName());

    private final NvidiaServices services;
    private final GpuFirmware firmware;
    private final Map<String, Gpu> gpus = new LinkedHashMap<>();

    /**
     * @param config the configuration
     * @param services NVIDIA's PKI and RIM service
     * @param state where identities and modes are kept
     * @throws IllegalArgumentException for a configuration out of range, naming the attribute
     */
    @Activate
    public H100Backend(H100Config config, @Reference NvidiaServices services, @Reference PlatformState state) {
        check(config);
        this.services = services;
        this.firmware = new GpuFirmware(config.driverVersion(), config.vbiosVersion(), config.project(),
                config.projectSku(), config.chipSku());
        ModeStore modes = new ModeStore(state.directory(), CcMode.of(config.initialMode()));
        long size = (long) config.memoryMiB() << 20;
        long cpr = (long) config.unprotectedMiB() << 20;
        for (int i = 0; i < config.gpus(); i++) {
            String id = "gpu" + i;
            gpus.put(id, new Gpu(id, firmware, new GpuIdentity(id, state, services, firmware.fwid()), modes, size,
                    cpr));
        }
    }

    /** The backend goes (stopped, updated, reconfigured): each GPU resets, its session keys are scrubbed. */
    @Deactivate
    void deactivate() {
        gpus.values().forEach(Gpu::detach);
    }

    static void check(H100Config c) {
        if (c.gpus() < 1 || c.gpus() > 8) {
            throw new IllegalArgumentException("io.teebox.nvidia.h100: gpus must be 1..8, got " + c.gpus());
        }
        if (c.memoryMiB() < 1024 || c.memoryMiB() > 262144) {
            throw new IllegalArgumentException("io.teebox.nvidia.h100: memoryMiB must be 1024..262144, got "
                    + c.memoryMiB());
        }
        if (c.unprotectedMiB() < 1 || c.unprotectedMiB() >= c.memoryMiB()) {
            throw new IllegalArgumentException("io.teebox.nvidia.h100: unprotectedMiB must be 1.." + (c.memoryMiB()
                    - 1) + ", got " + c.unprotectedMiB());
        }
        try {
            CcMode.of(c.initialMode());
            new GpuFirmware(c.driverVersion(), c.vbiosVersion(), c.project(), c.projectSku(), c.chipSku());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("io.teebox.nvidia.h100: " + e.getMessage(), e);
        }
    }

    /**
     * Publishes the RIMs of the GPUs' driver and VBIOS once, when a GPU is first attached or the RIM ids are asked
     * for, not at activation: signing them needs NVIDIA's reference-value keys and two XML signatures, a fifth of a
     * second the platform's start need not pay. Evidence comes only from an attached GPU, and RIMs once published are
     * kept by the RIM service across restarts.
     */
    private final io.teebox.kit.lang.Lazy<Boolean> published = io.teebox.kit.lang.Lazy.of(() -> {
        publishRims();
        return Boolean.TRUE;
    });

    private void publishRims() {
        try {
            services.publish(firmware.driverRim());
            services.publish(firmware.vbiosRim());
        } catch (RuntimeException e) {
            // a RIM service that cannot sign now leaves the GPUs working; verifiers then miss the RIMs
            LOG.log(Level.WARNING, "io.teebox.nvidia.h100: cannot publish the RIMs " + firmware.driverRimId()
                    + " and " + firmware.vbiosRimId() + ": " + e.getMessage(), e);
        }
    }

    GpuFirmware firmware() {
        return firmware;
    }

    Gpu gpu(String id) {
        Gpu g = id == null ? null : gpus.get(id);
        if (g == null) {
            throw new IllegalArgumentException("no H100 '" + id + "'; there are " + gpus.keySet());
        }
        return g;
    }

    // ---- TeeBackend ------------------------------------------------------------------------------------------

    @Override
    public BackendDescriptor descriptor() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("gpus", String.join(", ", gpus.keySet()));
        p.put("driver", firmware.driverVersion());
        p.put("vbios", firmware.vbiosVersion());
        p.put("evidence", AttestationReport.EVIDENCE_FORMAT);
        p.put("spdm", "1.1, ECDSA P-384, SHA-384, secp384r1, AES-256-GCM");
        p.put("channel keys", "HKDF-SHA256-Expand(export master secret, \"" + ChannelCrypto.H2D + "\" / \""
                + ChannelCrypto.D2H + "\")");
        p.put("driver RIM", firmware.driverRimId());
        p.put("VBIOS RIM", firmware.vbiosRimId());
        p.put("modes", String.join(", ", CcMode.NAMES));
        byte[] vbios = firmware.vbiosBytes();
        Map<String, Integer> tcb = new LinkedHashMap<>();
        String[] parts = firmware.driverVersion().split("\\.");
        for (int i = 0; i < parts.length; i++) {
            tcb.put("DRIVER_" + i, Integer.parseInt(parts[i]));
        }
        String[] vparts = firmware.vbiosVersion().split("\\.");
        for (int i = 0; i < vparts.length; i++) {
            tcb.put("VBIOS_" + i, Integer.parseInt(vparts[i], 16));
        }
        return new BackendDescriptor(TEE_TYPE, "NVIDIA", TeeKind.DEVICE, "Hopper", "H100 (GH100)",
                EnumSet.of(Capability.DEVICE_ISOLATION, Capability.RUNTIME_ATTESTATION,
                        Capability.LAUNCH_MEASUREMENT),
                FirmwareVersion.parse(firmware.driverVersion()), new TcbVersion(new Bytes(vbios), tcb), null,
                LaunchDefaults.NONE, p);
    }

    /** The device-identity root verifiers are given, "NVIDIA Device Identity CA", and each GPU's 5 certificates. */
    @Override
    public Map<String, byte[]> platformCertificates() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        out.put("nvidia-device-identity-ca", X509Authority.toDer(services.deviceRoot()));
        out.put("nvidia-rim-root-ca", X509Authority.toDer(services.rimRoot()));
        return out;
    }

    @Override
    public String returnCodeName(String operation, long code) {
        for (NvStatus s : NvStatus.values()) {
            if (s.status().code() == code) {
                return s.name();
            }
        }
        return code == 0 ? "NV_OK" : "";
    }

    // ---- DeviceTee --------------------------------------------------------------------------------------------

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> out = new ArrayList<>();
        gpus.values().forEach(g -> out.add(g.info()));
        return out;
    }

    @Override
    public DeviceInfo device(String id) {
        return gpu(id).info();
    }

    @Override
    public DeviceInfo setMode(String id, String mode) {
        return gpu(id).setMode(CcMode.of(mode));
    }

    @Override
    public void attach(String id, DeviceHost host) {
        Gpu g = gpu(id);
        published.get();
        g.attach(java.util.Objects.requireNonNull(host, "host"));
    }

    @Override
    public void detach(String id) {
        gpu(id).detach();
    }

    @Override
    public byte[] exchange(String id, byte[] message) {
        return gpu(id).exchange(message);
    }

    @Override
    public byte[] submit(String id, byte[] command) {
        return gpu(id).submit(command);
    }

    @Override
    public HostRead hostAccess(String id, long deviceAddress, HostAccess access, byte[] data) {
        return gpu(id).hostAccess(deviceAddress, access, data);
    }

    // ---- what H100Tools offers as H100Platform ------------------------------------------------------------------

    byte[] debugRead(String id, long deviceAddress, int length) {
        return gpu(id).debugRead(deviceAddress, length);
    }

    Map<String, Long> perfCounters(String id) {
        return gpu(id).perfCounters();
    }

    List<X509Certificate> certificateChain(String id) {
        return gpu(id).identity().chain();
    }

    X509Certificate deviceRoot() {
        return services.deviceRoot();
    }

    List<String> rimIds() {
        published.get();
        return List.of(firmware.driverRimId(), firmware.vbiosRimId());
    }
}
