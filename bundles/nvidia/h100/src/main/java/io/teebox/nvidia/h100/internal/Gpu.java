package io.teebox.nvidia.h100.internal;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import javax.crypto.AEADBadTagException;

import io.teebox.api.device.DeviceHost;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.HostRead;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.HostAccessOutcome.Effect;
import io.teebox.kit.codec.MalformedStructureException;
import io.teebox.kit.hex.Hex;
import io.teebox.nvidia.abi.OpaqueData;
import io.teebox.spdm.Packet;
import io.teebox.spdm.Responder;
import io.teebox.spdm.SessionKeys;

/**
 * One emulated H100: its CC mode, the guest that holds it, the GSP's SPDM responder, its copy engine's channels and
 * its memory. A reset (attach, detach, a mode change, a new backend) ends every SPDM session, forgets the channel
 * keys and counters and, in a CC mode, scrubs the compute protected region.
 * <p>
 * Memory as the real H100 protects it: in CC mode the GPU's memory is not encrypted (Hopper has no HBM encryption;
 * Blackwell adds it); the compute protected region is closed to everything outside the GPU's TEE by the memory
 * firewalls, and the only way data enters or leaves it is the copy engine decrypting from or encrypting into bounce
 * buffers (NVIDIA's "Confidential Computing on H100 GPUs" blog and deployment guides, NVIDIA patent US 2023/0297696
 * A1 "protected memory region ... access to the PPU memory is blocked from other computing devices"). So a host
 * (BAR) read of the CPR gets no data, not even ciphertext: teebox returns zeros ({@code FIXED_DATA}), the blocked
 * pattern real hardware returns is not documented; a host write to it is dropped ({@code HOST_FAULT}). Unprotected
 * memory, and all memory in mode {@code off}, reads and writes as stored. Thread-safe: one request at a time.
 */
final class Gpu {

    /** The channel state of one SPDM session. */
    private static final class Channel {
        final ChannelCrypto crypto;
        long lastH2d;
        long lastD2h;

        Channel(ChannelCrypto crypto) {
            this.crypto = crypto;
        }
    }

    private final String id;
    private final GpuFirmware firmware;
    private final GpuIdentity identity;
    private final ModeStore modes;
    private final DeviceMemory memory;
    private final SecureRandom random = new SecureRandom();
    private CcMode mode;
    private DeviceHost host;
    private Responder responder;
    private final Map<Integer, Channel> channels = new HashMap<>();
    private long resets;

    Gpu(String id, GpuFirmware firmware, GpuIdentity identity, ModeStore modes, long memorySize, long cprStart) {
        this.id = id;
        this.firmware = firmware;
        this.identity = identity;
        this.modes = modes;
        this.memory = new DeviceMemory(memorySize, cprStart);
        this.mode = modes.mode(id);
    }

    String id() {
        return id;
    }

    GpuIdentity identity() {
        return identity;
    }

    GpuFirmware firmware() {
        return firmware;
    }

    synchronized CcMode mode() {
        return mode;
    }

    synchronized DeviceInfo info() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("product", "NVIDIA H100 (GH100 A01)");
        p.put("driver", firmware.driverVersion());
        p.put("vbios", firmware.vbiosVersion());
        p.put("project", firmware.project() + "-" + firmware.projectSku() + " chip SKU " + firmware.chipSku());
        p.put("serial", identity.serial().toString(16).toUpperCase(java.util.Locale.ROOT));
        p.put("memory", (memory.size() >> 20) + " MiB HBM3, " + memory.pagesInUse() + " pages written");
        p.put("compute protected region", mode.confidential() ? "0x" + Long.toHexString(memory.cprStart())
                + "..0x" + Long.toHexString(memory.size() - 1) + " behind the memory firewall" : "none (CC off)");
        p.put("performance counters", mode.perfCounters() ? "on" : "off");
        p.put("debugging", mode.debug() ? "allowed" : "refused");
        p.put("spdm sessions", responder == null ? "0" : String.valueOf(responder.sessions().size()));
        p.put("resets", String.valueOf(resets));
        return new DeviceInfo(id, H100Backend.TEE_TYPE, mode.text(), CcMode.NAMES, mode.confidential(),
                Optional.ofNullable(host).map(DeviceHost::guest), p);
    }

    synchronized DeviceInfo setMode(CcMode next) {
        if (host != null) {
            throw NvStatus.NV_ERR_STATE_IN_USE.error(id + " is held by guest " + host.guest()
                    + "; the CC mode is set only while no guest holds the GPU (detach it first)");
        }
        modes.store(id, next);
        mode = next;
        reset();
        memory.scrubAll();
        return info();
    }

    synchronized void attach(DeviceHost next) {
        if (host != null) {
            throw NvStatus.NV_ERR_STATE_IN_USE.error(id + " is held by guest " + host.guest());
        }
        if (mode.confidential() && !next.confidentialGuest()) {
            throw NvStatus.NV_ERR_NOT_SUPPORTED.error(id + " is in CC mode " + mode.text()
                    + " and attaches only to a confidential VM; guest " + next.guest() + " (" + next.guestTeeType()
                    + ") is not one");
        }
        reset();
        host = next;
    }

    synchronized void detach() {
        reset();
        host = null;
    }

    /** Ends the sessions, forgets the channels and scrubs the CPR: the GPU as after a function-level reset. */
    private void reset() {
        channels.values().forEach(c -> c.crypto.destroy());
        channels.clear();
        responder = null;
        if (mode.confidential()) {
            memory.scrubCpr();
        }
        resets++;
    }

    private Responder responder() {
        if (responder == null) {
            CcMode m = mode;
            OpaqueData opaque = firmware.opaqueData(m);
            responder = new Responder(identity.aliasKey(), identity.chainRootFirst(), () -> firmware.blocks(m),
                    opaque.encode(), random, 0);
        }
        return responder;
    }

    private DeviceHost held(String what) {
        if (host == null) {
            throw NvStatus.NV_ERR_INVALID_STATE.error(id + " is not attached to a guest; " + what
                    + " needs the guest that holds it");
        }
        return host;
    }

    synchronized byte[] exchange(byte[] message) {
        held("an SPDM message");
        Packet request;
        try {
            request = Mailbox.unframe(message);
        } catch (MalformedStructureException e) {
            throw NvStatus.NV_ERR_INVALID_ARGUMENT.error(id + ": " + e.getMessage());
        }
        return Mailbox.frame(responder().exchange(request));
    }

    synchronized byte[] submit(byte[] command) {
        DeviceHost h = held("a work submission");
        WorkSubmission w;
        try {
            w = WorkSubmission.parse(command);
        } catch (MalformedStructureException e) {
            throw NvStatus.NV_ERR_INVALID_ARGUMENT.error(id + ": " + e.getMessage());
        }
        try {
            memory.check(w.deviceAddress(), w.length());
        } catch (IllegalArgumentException e) {
            throw NvStatus.NV_ERR_INVALID_ARGUMENT.error(id + ": " + e.getMessage());
        }
        if (mode.confidential() && !memory.insideCpr(w.deviceAddress(), w.length())) {
            throw NvStatus.NV_ERR_INVALID_ARGUMENT.error(id + ": in CC mode the copy engine decrypts into and "
                    + "encrypts from the compute protected region only (0x" + Long.toHexString(memory.cprStart())
                    + " and up), not 0x" + Long.toHexString(w.deviceAddress()));
        }
        Channel ch = channel(w.sessionId());
        boolean toDevice = w.opcode() == WorkSubmission.COPY_TO_DEVICE;
        String name = toDevice ? ChannelCrypto.H2D : ChannelCrypto.D2H;
        long last = toDevice ? ch.lastH2d : ch.lastD2h;
        if (Long.compareUnsigned(w.ivCounter(), last) <= 0) {
            throw NvStatus.NV_ERR_INVALID_DATA.error(id + ": IV counter " + Long.toUnsignedString(w.ivCounter())
                    + " of channel " + name + " is not above the last one used, " + Long.toUnsignedString(last)
                    + " (a replayed or reordered transfer); nothing was copied");
        }
        if (Long.compareUnsigned(w.ivCounter(), ChannelCrypto.MAX_MESSAGE_COUNTER) > 0) {
            throw NvStatus.NV_ERR_INSUFFICIENT_RESOURCES.error(id + ": IV counter "
                    + Long.toUnsignedString(w.ivCounter()) + " of channel " + name + " is beyond the 32-bit message "
                    + "counter; the channel has used all its IVs and its keys must be rotated");
        }
        if (toDevice) {
            byte[] sealed = h.dmaRead(w.bounceGpa(), w.bounceBytes());
            byte[] plain;
            try {
                plain = ch.crypto.open(true, w.ivCounter(), sealed);
            } catch (AEADBadTagException e) {
                throw NvStatus.NV_ERR_INVALID_DATA.error(id + ": the GCM tag of the " + w.bounceBytes()
                        + "-byte bounce buffer at GPA 0x" + Long.toHexString(w.bounceGpa()) + " does not verify "
                        + "under " + name + " with IV counter " + Long.toUnsignedString(w.ivCounter())
                        + " (changed in transit); nothing was copied");
            }
            ch.lastH2d = w.ivCounter();
            memory.write(w.deviceAddress(), plain);
            return new WorkCompletion(w.opcode(), 0, w.ivCounter(), plain.length).encode();
        }
        byte[] sealed = ch.crypto.seal(false, w.ivCounter(), memory.read(w.deviceAddress(), w.length()));
        h.dmaWrite(w.bounceGpa(), sealed);
        ch.lastD2h = w.ivCounter();
        return new WorkCompletion(w.opcode(), 0, w.ivCounter(), sealed.length).encode();
    }

    /** The channel of a session that is established now; a channel whose session ended is destroyed. */
    private Channel channel(int sessionId) {
        Optional<SessionKeys> keys = responder == null ? Optional.empty() : responder.sessionKeys(sessionId);
        // a session ends when the driver starts a new connection (GET_VERSION) or a secured message fails
        channels.entrySet().removeIf(e -> {
            boolean gone = responder == null || responder.sessionKeys(e.getKey()).isEmpty();
            if (gone) {
                e.getValue().crypto.destroy();
            }
            return gone;
        });
        if (keys.isEmpty()) {
            throw NvStatus.NV_ERR_INVALID_STATE.error(id + ": there is no established SPDM session 0x"
                    + Integer.toHexString(sessionId) + " (the GPU was reset since, a newer session replaced it, or "
                    + "the handshake did not finish); establish a session first");
        }
        return channels.computeIfAbsent(sessionId, k -> new Channel(new ChannelCrypto(keys.get()
                .exportMasterSecret())));
    }

    synchronized HostRead hostAccess(long address, HostAccess access, byte[] data) {
        memory.check(address, data.length);
        boolean firewalled = mode.confidential() && memory.touchesCpr(address, data.length);
        switch (access) {
            case READ -> {
                if (!firewalled) {
                    return new HostRead(memory.read(address, data.length), new HostAccessOutcome(Effect.UNDETECTED,
                            mode.confidential() ? "unprotected memory: the host reads what is stored"
                                    : "CC mode off: no memory firewall, the host reads what is stored"));
                }
                byte[] out = memory.read(address, data.length);
                long from = Math.max(0, memory.cprStart() - address);
                for (long i = from; i < out.length; i++) {
                    out[(int) i] = 0;
                }
                return new HostRead(out, new HostAccessOutcome(Effect.FIXED_DATA, "memory firewall: the compute "
                        + "protected region (0x" + Long.toHexString(memory.cprStart()) + " and up) is closed to the "
                        + "host in CC mode " + mode.text() + "; its bytes read as zeros, not even ciphertext (HBM "
                        + "is not encrypted on Hopper)"));
            }
            case WRITE -> {
                if (firewalled) {
                    return new HostRead(new byte[0], new HostAccessOutcome(Effect.HOST_FAULT, "memory firewall: "
                            + "the write to the compute protected region is dropped in CC mode " + mode.text()
                            + "; device memory is unchanged"));
                }
                memory.write(address, data);
                return new HostRead(new byte[0], new HostAccessOutcome(Effect.UNDETECTED, mode.confidential()
                        ? "unprotected memory: the write lands" : "CC mode off: the write lands"));
            }
            default -> throw new IllegalArgumentException("a host access to device memory is READ or WRITE, got "
                    + access);
        }
    }

    /**
     * A debugger's read of device memory (as NVIDIA's developer tools make it through the GPU's debug interface).
     *
     * @throws io.teebox.api.tee.TeeException NV_ERR_INSUFFICIENT_PERMISSIONS in CC mode {@code on}
     */
    synchronized byte[] debugRead(long address, int length) {
        if (length < 0 || length > 1 << 20) {
            throw new IllegalArgumentException("a debug read is 0..1048576 bytes, got " + length);
        }
        if (!mode.debug()) {
            throw NvStatus.NV_ERR_INSUFFICIENT_PERMISSIONS.error(id + " is in CC mode on: debugging is refused "
                    + "(set the mode devtools, with no guest attached, to debug)");
        }
        return memory.read(address, length);
    }

    /**
     * @return the performance counters (a count of copies, the modelled ones)
     * @throws io.teebox.api.tee.TeeException NV_ERR_INSUFFICIENT_PERMISSIONS in CC mode {@code on}
     */
    synchronized Map<String, Long> perfCounters() {
        if (!mode.perfCounters()) {
            throw NvStatus.NV_ERR_INSUFFICIENT_PERMISSIONS.error(id + " is in CC mode on: performance counters "
                    + "are off");
        }
        Map<String, Long> m = new LinkedHashMap<>();
        m.put("fb_pages_in_use", (long) memory.pagesInUse());
        m.put("resets", resets);
        return m;
    }

    @Override
    public String toString() {
        return id + " (H100, mode " + mode.text() + ", FWID " + Hex.encode(firmware.fwid()).substring(0, 16) + "...)";
    }
}
