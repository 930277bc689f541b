package io.teebox.hypervisor.internal;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeException;
import io.teebox.api.tee.TeeKind;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.LaunchDefaults;
import io.teebox.kit.crypto.Digests;
import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.spi.exits.ExitProtocol;
import io.teebox.spi.guest.GuestAccess;
import io.teebox.spi.guest.GuestServices;
import io.teebox.spi.loader.GuestImage;
import io.teebox.spi.loader.GuestImageLoader;
import io.teebox.spi.loader.LaunchStaging;
import io.teebox.kit.crypto.PageCipher;

/**
 * A small TEE for testing the hypervisor alone: real XTS page encryption with one key per slot, a SHA-256 launch
 * digest over page contents, secrets written verbatim, a configurable host-write rule, a loader that lays the whole
 * firmware image below 4 GiB (its vCPU save areas a page of the vCPU index each), and exits that show the host the
 * whole save area. Its contexts live in a
 * {@link Firmware} object that outlives the service instances, like a secure processor outlives a backend bundle.
 */
final class TestTee implements TeeBackend, MemoryEncryption, LaunchService, GuestImageLoader, ExitProtocol,
        GuestServices {

    static final FirmwareStatus OK = new FirmwareStatus("test", "SUCCESS", 0);
    static final FirmwareStatus BAD_STATE = new FirmwareStatus("test", "INVALID_GUEST_STATE", 2);

    /** The part that survives a backend restart. */
    static final class Firmware {
        // concurrent: guests launch and are destroyed from several threads, like the real firmware's callers
        final Map<Integer, PageCipher> keys = new java.util.concurrent.ConcurrentHashMap<>();
        final Map<Long, Integer> contexts = new java.util.concurrent.ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicLong nextHandle = new java.util.concurrent.atomic.AtomicLong(1);
        final java.util.concurrent.atomic.AtomicInteger nextSlot = new java.util.concurrent.atomic.AtomicInteger(1);
    }

    final Firmware fw;
    final String type;
    final HostAccessOutcome.Effect writeEffect;
    /** Whether addVcpuState encrypts the save area. */
    boolean encryptsRegisters;
    /** The vCPU models guests may have; empty for any. */
    List<String> models = io.teebox.kit.x86.CpuModels.known();
    /** Whether this TEE keeps a per-page table (answered from the pages the host maps and their sharing). */
    boolean pageTable;
    /** The exits recorded by this TEE's protocol, for the tests to inspect. */
    static final String PATH = "test exit: the host reads the save area";

    TestTee(Firmware fw, String type, HostAccessOutcome.Effect writeEffect) {
        this.fw = fw;
        this.type = type;
        this.writeEffect = writeEffect;
    }

    @Override
    public BackendDescriptor descriptor() {
        EnumSet<Capability> caps = EnumSet.of(Capability.MEMORY_ENCRYPTION);
        if (encryptsRegisters) {
            caps.add(Capability.REGISTER_ENCRYPTION);
        }
        if (writeEffect != HostAccessOutcome.Effect.UNDETECTED) {
            caps.add(Capability.MEMORY_INTEGRITY);
        }
        return new BackendDescriptor(type, "test", TeeKind.CPU, "test", "test TEE", caps, FirmwareVersion.of(1, 0, 0),
                TcbVersion.ofLong(0, Map.of()), limits(), new LaunchDefaults(0x1, "policy", "test",
                        models.isEmpty() ? "" : models.get(0), models), Map.of());
    }

    // ---- GuestServices ----------------------------------------------------------------------------------------

    @Override
    public Map<Long, String> pageStates(GuestAccess guest) {
        if (!pageTable) {
            return Map.of();
        }
        Map<Long, String> out = new java.util.HashMap<>();
        guest.residentPages().forEach((gpa, hpa) -> out.put(gpa, String.format("TEST %s hpa 0x%X slot %d",
                guest.isShared(gpa) ? "shared" : "owned", hpa, guest.keySlot().id())));
        return out;
    }

    // ---- GuestImageLoader -------------------------------------------------------------------------------------

    @Override
    public void check(GuestImage image, GuestConfig config) {
        byte[] fw = image.firmware().map(Bytes::value).orElseGet(DefaultFirmware::image);
        if (fw.length == 0 || fw.length % 4096 != 0) {
            throw new IllegalArgumentException("test firmware must be a positive multiple of 4096 bytes, got "
                    + fw.length);
        }
        if (image.kernel().isPresent()) {
            throw new IllegalArgumentException("the test TEE boots no kernel");
        }
    }

    @Override
    public void load(GuestImage image, LaunchSession session, LaunchStaging staging) {
        byte[] fw = image.firmware().map(Bytes::value).orElseGet(DefaultFirmware::image);
        long at = 0x1_0000_0000L - fw.length;
        staging.place(at, fw);
        session.addPages(at, fw.length, PageType.NORMAL);
        for (int i = 0; i < staging.config().vcpus(); i++) {
            staging.resetVcpu(i, io.teebox.kit.x86.Vmsa.qemuReset(i == 0 ? 0xFFFF_FFF0L : 0x8000_0000L + i, 0, 0),
                    false);
        }
        if (encryptsRegisters) {
            for (int i = 0; i < staging.config().vcpus(); i++) {
                session.addVcpuState(i);
            }
        }
    }

    @Override
    public Map<String, String> describe(byte[] firmware) {
        return Map.of("test image", (firmware == null ? DefaultFirmware.image() : firmware).length + " bytes");
    }

    // ---- ExitProtocol -----------------------------------------------------------------------------------------

    @Override
    public String name() {
        return "test exits";
    }

    @Override
    public ExitTrace execute(GuestAccess guest, int vcpu, GuestInstruction insn) {
        Map<String, Long> saw = new LinkedHashMap<>();
        saw.put("operand", insn.operand());
        saw.put("sub", insn.subOperand());
        saw.put("value", insn.value());
        return guest.record(vcpu, insn, PATH, insn.kind().ordinal(), saw, guest.emulate(insn));
    }

    @Override
    public long[] cpuid(GuestAccess guest, long leaf, long subleaf) {
        return leaf == 0 ? new long[] {0x10, 0x74736554L, 0x20202020L, 0x20202020L} : new long[4];
    }

    @Override
    public Map<String, Long> registers(byte[] saveArea, boolean encrypted) {
        return encrypted ? Map.of() : io.teebox.kit.x86.Vmsa.registers(saveArea);
    }

    @Override
    public Map<String, byte[]> platformCertificates() {
        return Map.of();
    }

    @Override
    public KeySlotLimits limits() {
        return new KeySlotLimits("slot", 1, 16, fw.keys.size());
    }

    private PageCipher key(KeySlot slot) {
        PageCipher c = fw.keys.get(slot.id());
        if (c == null) {
            throw new TeeException(new FirmwareStatus("test", "INVALID_ASID", 0xD), "no key for " + slot);
        }
        return c;
    }

    @Override
    public byte[] encryptPage(KeySlot slot, long hpa, byte[] plaintext) {
        return key(slot).encrypt(hpa, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hpa, byte[] ciphertext) {
        return key(slot).decrypt(hpa, ciphertext);
    }

    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return access == HostAccess.READ ? new HostAccessOutcome(HostAccessOutcome.Effect.CIPHERTEXT, "ciphertext")
                : new HostAccessOutcome(writeEffect, "test rule");
    }

    @Override
    public LaunchSession begin(LaunchRequest request, GuestMemory memory) {
        long handle = fw.nextHandle.getAndIncrement();
        int slot = fw.nextSlot.getAndIncrement();
        byte[] k = Digests.sha256(new byte[] {(byte) slot});
        fw.keys.put(slot, PageCipher.xts(java.util.Arrays.copyOf(k, 16), java.util.Arrays.copyOfRange(k, 16, 32)));
        fw.contexts.put(handle, slot);
        return new Session(handle, new KeySlot("slot", slot), memory);
    }

    /** How often {@link #status} and {@link #state} were asked. */
    final java.util.concurrent.atomic.AtomicInteger statusCalls = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger stateCalls = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public String state(long handle) {
        stateCalls.incrementAndGet();
        if (!fw.contexts.containsKey(handle)) {
            throw new TeeException(new FirmwareStatus("test", "INVALID_GUEST", 0x10), "no guest " + handle);
        }
        return "RUNNING";
    }

    @Override
    public GuestStatus status(long handle) {
        statusCalls.incrementAndGet();
        Integer slot = fw.contexts.get(handle);
        if (slot == null) {
            throw new TeeException(new FirmwareStatus("test", "INVALID_GUEST", 0x10), "no guest " + handle);
        }
        return new GuestStatus(handle, "RUNNING", new KeySlot("slot", slot), 0, Map.of());
    }

    @Override
    public void activate(long handle) {
        status(handle);
    }

    @Override
    public void deactivate(long handle) {
        status(handle);
    }

    @Override
    public void decommission(long handle) {
        Integer slot = fw.contexts.remove(handle);
        if (slot != null) {
            fw.keys.remove(slot);
        }
    }

    @Override
    public byte[] debugDecrypt(long handle, GuestMemory memory, long gpa, int length) {
        throw new TeeException(new FirmwareStatus("test", "POLICY_FAILURE", 7), "no debugging");
    }

    final class Session implements LaunchSession {
        final long handle;
        final KeySlot slot;
        final GuestMemory memory;
        final MessageDigest digest = Digests.newSha256();
        final List<LaunchLogEntry> log = new ArrayList<>();
        final Set<Long> encrypted = new HashSet<>();
        boolean measured;
        byte[] measure;

        Session(long handle, KeySlot slot, GuestMemory memory) {
            this.handle = handle;
            this.slot = slot;
            this.memory = memory;
            log("START", OK);
        }

        private void log(String command, FirmwareStatus status) {
            log(command, status, "");
        }

        private void log(String command, FirmwareStatus status, String detail) {
            log.add(new LaunchLogEntry(log.size() + 1, command, status, detail));
        }

        @Override
        public long handle() {
            return handle;
        }

        @Override
        public KeySlot keySlot() {
            return slot;
        }

        @Override
        public void addPages(long gpa, long length, PageType type) {
            if (measured) {
                log("UPDATE", BAD_STATE);
                throw new TeeException(BAD_STATE, "UPDATE after MEASURE");
            }
            for (long a = gpa; a < gpa + length; a += 4096) {
                long page = a & ~0xFFFL;
                byte[] raw = memory.readPage(page);
                int from = (int) (Math.max(a, gpa) - page);
                int to = (int) Math.min(4096, gpa + length - page);
                digest.update(raw, from, to - from);
                if (encrypted.add(page)) {
                    memory.writePage(page, encryptPage(slot, memory.hostPhysicalAddress(page), raw));
                }
            }
            log("UPDATE", OK, String.format("gpa=0x%X len=0x%X %s", gpa, length, type));
        }

        @Override
        public void addVcpuState(int vcpu) {
            if (encryptsRegisters) {
                memory.writeSaveArea(vcpu, encryptPage(slot, 0xFFFF_0000_0000L + 4096L * vcpu,
                        memory.readSaveArea(vcpu)), true);
                log("LAUNCH_UPDATE_VMSA", OK, "vcpu " + vcpu);
                return;
            }
            throw new TeeException(new FirmwareStatus("test", "UNSUPPORTED", 0x15), "no register protection");
        }

        @Override
        public Measurement measure() {
            if (measured) {
                log("MEASURE", BAD_STATE);
                throw new TeeException(BAD_STATE, "MEASURE twice");
            }
            measured = true;
            measure = digest.digest();
            log("MEASURE", OK);
            return new Measurement("test-digest", measure, Map.of());
        }

        @Override
        public void injectSecret(SecretPacket packet) {
            long page = packet.guestPhysicalAddress() & ~0xFFFL;
            int off = (int) (packet.guestPhysicalAddress() - page);
            long hpa = memory.hostPhysicalAddress(page);
            byte[] plain = decryptPage(slot, hpa, memory.readPage(page));
            System.arraycopy(packet.payload(), 0, plain, off, packet.payload().length);
            memory.writePage(page, encryptPage(slot, hpa, plain));
            log("SECRET", OK);
        }

        @Override
        public void finish() {
            log("FINISH", OK);
        }

        @Override
        public List<LaunchLogEntry> log() {
            return List.copyOf(log);
        }
    }
}
