package io.teebox.nvidia.h100.internal;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.device.DeviceHost;
import io.teebox.api.device.DeviceInfo;
import io.teebox.api.device.GuestDevice;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;

/**
 * A guest backed by a byte array, as the tests need it: its context (reads and writes through its key, pages shared
 * or private), the DMA window the hypervisor gives an attached device (shared pages only, as the IOMMU with the RMP
 * or the shared bit allows), and the device as its driver reaches it. Private pages are stored "encrypted" (XOR
 * 0x5A) so a DMA to them would see ciphertext, but the DMA is refused anyway.
 */
final class TestGuest implements GuestContext, DeviceHost {

    static final int PAGE = 4096;
    final String name;
    final boolean confidential;
    final byte[] memory;
    final Set<Long> shared = new HashSet<>();

    TestGuest(String name, boolean confidential, int pages) {
        this.name = name;
        this.confidential = confidential;
        this.memory = new byte[pages * PAGE];
    }

    GuestDevice device(H100Backend backend, String id) {
        return new GuestDevice() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public String guest() {
                return name;
            }

            @Override
            public DeviceInfo info() {
                return backend.device(id);
            }

            @Override
            public byte[] exchange(byte[] message) {
                return backend.exchange(id, message);
            }

            @Override
            public byte[] submit(byte[] command) {
                return backend.submit(id, command);
            }
        };
    }

    private boolean isShared(long gpa) {
        return !confidential || shared.contains(gpa / PAGE);
    }

    private void range(long gpa, int length) {
        if (gpa < 0 || gpa + length > memory.length) {
            throw new IllegalArgumentException("range outside guest memory");
        }
    }

    /** The host's view of guest memory (what the hypervisor and its tools see). */
    byte[] hostRead(long gpa, int length) {
        range(gpa, length);
        return Arrays.copyOfRange(memory, (int) gpa, (int) gpa + length);
    }

    /** The host writes guest memory (shared pages as stored). */
    void hostWrite(long gpa, byte[] data) {
        range(gpa, data.length);
        System.arraycopy(data, 0, memory, (int) gpa, data.length);
    }

    // ---- GuestContext

    @Override
    public String guest() {
        return name;
    }

    @Override
    public byte[] read(long gpa, int length) {
        range(gpa, length);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (memory[(int) gpa + i] ^ (isShared(gpa + i) ? 0 : 0x5A));
        }
        return out;
    }

    @Override
    public void write(long gpa, byte[] data) {
        range(gpa, data.length);
        for (int i = 0; i < data.length; i++) {
            memory[(int) gpa + i] = (byte) (data[i] ^ (isShared(gpa + i) ? 0 : 0x5A));
        }
    }

    @Override
    public long accept(long gpa, boolean accept) {
        return 0;
    }

    @Override
    public void share(long gpa, boolean share) {
        if (share) {
            shared.add(gpa / PAGE);
        } else {
            shared.remove(gpa / PAGE);
        }
    }

    @Override
    public ExitTrace execute(int vcpu, GuestInstruction instruction) {
        throw new UnsupportedOperationException("not in this test");
    }

    @Override
    public RuntimeMeasurements measurements() {
        throw new UnsupportedOperationException("not in this test");
    }

    @Override
    public Evidence evidence(Bytes reportData) {
        throw new UnsupportedOperationException("not in this test");
    }

    @Override
    public <T> Optional<T> extension(Class<T> type) {
        return Optional.empty();
    }

    // ---- DeviceHost

    @Override
    public String guestTeeType() {
        return confidential ? "sev-snp" : "none";
    }

    @Override
    public boolean confidentialGuest() {
        return confidential;
    }

    @Override
    public byte[] dmaRead(long gpa, int length) {
        dma(gpa, length);
        return hostRead(gpa, length);
    }

    @Override
    public void dmaWrite(long gpa, byte[] data) {
        dma(gpa, data.length);
        hostWrite(gpa, data);
    }

    private void dma(long gpa, int length) {
        range(gpa, length);
        for (long p = gpa / PAGE; p <= (gpa + length - 1) / PAGE; p++) {
            if (!isShared(p * PAGE)) {
                throw new TeeException(new FirmwareStatus("iommu", "IO_PAGE_FAULT", 1), "DMA to private page 0x"
                        + Long.toHexString(p * PAGE));
            }
        }
    }
}
