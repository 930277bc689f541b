package io.teebox.hypervisor.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import io.teebox.api.hypervisor.ExitTrace;
import io.teebox.api.hypervisor.GuestConfig;
import io.teebox.api.hypervisor.GuestInstruction;
import io.teebox.api.hypervisor.GuestState;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.TeeException;
import io.teebox.spi.guest.GuestAccess;

/**
 * One guest as its backend's code reaches it for the length of one call: its memory through its key, its shared
 * pages, its vCPU save areas, the host's device model. Made by the hypervisor with the guest's monitor held.
 */
final class GuestSide implements GuestAccess {

    /** Largest single memory access. */
    static final int MAX_ACCESS = 1 << 20;
    private static final int MAX_EXITS = 1000;

    final Guest g;
    final Backend b;

    GuestSide(Guest g, Backend b) {
        this.g = g;
        this.b = b;
    }

    @Override
    public String name() {
        return g.config.name();
    }

    @Override
    public GuestConfig config() {
        return g.config;
    }

    @Override
    public long handle() {
        return g.handle;
    }

    @Override
    public KeySlot keySlot() {
        return g.slot;
    }

    @Override
    public GuestMemory memory() {
        return g.firmwareView;
    }

    @Override
    public java.util.SortedMap<Long, Long> residentPages() {
        java.util.TreeMap<Long, Long> out = new java.util.TreeMap<>();
        g.memory.view().forEach((gpa, p) -> out.put(gpa, p.hpa));
        return out;
    }

    static void checkLength(int length) {
        if (length < 0 || length > MAX_ACCESS) {
            throw new IllegalArgumentException("length must be 0.." + MAX_ACCESS + " bytes, got " + length);
        }
    }

    @Override
    public byte[] read(long gpa, int length) {
        checkLength(length);
        g.memory.checkRange(gpa, length);
        byte[] out = new byte[length];
        forEachPage(gpa, length, (pageGpa, inPage, off, n) -> System.arraycopy(plaintext(pageGpa), inPage, out, off,
                n));
        return out;
    }

    @Override
    public void write(long gpa, byte[] data) {
        checkLength(data.length);
        g.memory.checkRange(gpa, data.length);
        forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
            byte[] plain = plaintext(pageGpa);
            System.arraycopy(data, off, plain, inPage, n);
            GuestPages.Page p = g.memory.page(pageGpa);
            if (p.priv || !p.shared) {
                if (!p.priv) {
                    b.memory().assignPage(g.slot, pageGpa, p.hpa);
                }
                p.raw = b.memory().guestEncrypt(g.slot, pageGpa, p.hpa, plain);
                p.priv = true;
            } else {
                p.raw = plain;
            }
        });
    }

    /** The guest's view of one page: its key's plaintext, or the shared bytes. */
    private byte[] plaintext(long pageGpa) {
        GuestPages.Page p = g.memory.peek(pageGpa);
        if (p == null) {
            if (!b.tee().descriptor().has(Capability.MEMORY_INTEGRITY)) {
                return new byte[GuestPages.PAGE_SIZE];
            }
            // On TEEs that track page ownership the guest's private access to a page it was never given is the
            // backend's to answer (an exception in the guest).
            p = g.memory.page(pageGpa);
            return b.memory().guestDecrypt(g.slot, pageGpa, p.hpa, p.raw);
        }
        if (!p.priv) {
            return p.raw.clone();
        }
        try {
            return b.memory().guestDecrypt(g.slot, pageGpa, p.hpa, p.raw);
        } catch (TeeException e) {
            if (b.memory().hostAccess(HostAccess.WRITE).effect() == HostAccessOutcome.Effect.GUEST_TERMINATED) {
                terminate(String.format("terminated by the TEE on reading page 0x%X: %s", pageGpa, e.getMessage()));
            }
            throw e;
        }
    }

    @Override
    public void share(long gpa, boolean shared) {
        g.memory.checkPageAligned(gpa);
        GuestPages.Page p = g.memory.page(gpa);
        p.priv = !shared;
        p.shared = shared;
    }

    @Override
    public boolean isShared(long gpa) {
        g.memory.checkPageAligned(gpa);
        GuestPages.Page p = g.memory.peek(gpa);
        return p != null && p.shared;
    }

    /** The guest validates or rescinds a page; a page it never had is first handed to it by the host. */
    long accept(long gpa, boolean accept) {
        g.memory.checkPageAligned(gpa);
        GuestPages.Page p = g.memory.page(gpa);
        if (!p.priv) {
            b.memory().assignPage(g.slot, gpa, p.hpa);
            p.priv = true;
            p.shared = false;
        }
        return b.memory().acceptPage(g.slot, gpa, p.hpa, accept);
    }

    @Override
    public void convert(long gpa, boolean toPrivate) {
        g.memory.checkPageAligned(gpa);
        GuestPages.Page p = g.memory.page(gpa);
        if (toPrivate) {
            b.memory().assignPage(g.slot, gpa, p.hpa);
            p.priv = true;
            p.shared = false;
        } else {
            b.memory().releasePage(g.slot, gpa, p.hpa);
            p.priv = false;
            p.shared = true;
        }
    }

    @Override
    public byte[] hostRead(long gpa, int length) {
        checkLength(length);
        g.memory.checkRange(gpa, length);
        byte[] out = new byte[length];
        forEachPage(gpa, length, (pageGpa, inPage, off, n) -> {
            GuestPages.Page p = g.memory.peek(pageGpa);
            if (p != null) {
                System.arraycopy(p.raw, inPage, out, off, n);
            }
        });
        return out;
    }

    @Override
    public void hostWrite(long gpa, byte[] data) {
        checkLength(data.length);
        g.memory.checkRange(gpa, data.length);
        forEachPage(gpa, data.length, (pageGpa, inPage, off, n) -> {
            GuestPages.Page p = g.memory.page(pageGpa);
            if (p.priv) {
                throw new IllegalStateException(String.format("page 0x%X is private to the guest; the host writes "
                        + "only shared pages here", pageGpa));
            }
            System.arraycopy(data, off, p.raw, inPage, n);
        });
    }

    Vcpu vcpu(int vcpu) {
        if (vcpu < 0 || vcpu >= g.vcpus.length) {
            throw new IllegalArgumentException("vCPU " + vcpu + " does not exist; guest " + g.config.name()
                    + " has vCPUs 0.." + (g.vcpus.length - 1));
        }
        return g.vcpus[vcpu];
    }

    @Override
    public byte[] saveArea(int vcpu) {
        return vcpu(vcpu).saveArea.clone();
    }

    @Override
    public boolean saveAreaEncrypted(int vcpu) {
        return vcpu(vcpu).encrypted;
    }

    @Override
    public void saveArea(int vcpu, byte[] saveArea) {
        if (saveArea == null || saveArea.length != GuestPages.PAGE_SIZE) {
            throw new IllegalArgumentException("a save area is " + GuestPages.PAGE_SIZE + " bytes");
        }
        vcpu(vcpu).saveArea = saveArea.clone();
    }

    @Override
    public Map<String, Long> protocolState(int vcpu) {
        return vcpu(vcpu).protocolState;
    }

    @Override
    public Map<String, Long> emulate(GuestInstruction insn) {
        HostDevices.check(insn);
        if (insn.kind() == GuestInstruction.Kind.CPUID) {
            long[] v = b.exits().cpuid(this, insn.operand(), insn.subOperand());
            Map<String, Long> r = new LinkedHashMap<>();
            r.put("rax", v[0] & 0xFFFF_FFFFL);
            r.put("rbx", v[1] & 0xFFFF_FFFFL);
            r.put("rcx", v[2] & 0xFFFF_FFFFL);
            r.put("rdx", v[3] & 0xFFFF_FFFFL);
            return r;
        }
        return HostDevices.emulate(g, insn);
    }

    @Override
    public ExitTrace record(int vcpu, GuestInstruction insn, String path, long exitCode, Map<String, Long> saw,
            Map<String, Long> result) {
        ExitTrace t = new ExitTrace(++g.exitSequence, vcpu, insn, path, exitCode, saw, result);
        g.exits.addLast(t);
        while (g.exits.size() > MAX_EXITS) {
            g.exits.removeFirst();
        }
        return t;
    }

    @Override
    public void terminate(String reason) {
        g.state = GuestState.TERMINATED;
        g.note = reason;
    }

    @FunctionalInterface
    interface PageChunk {
        void accept(long pageGpa, int inPage, int offset, int length);
    }

    static void forEachPage(long gpa, int length, PageChunk chunk) {
        long pos = gpa;
        int off = 0;
        while (off < length) {
            long pageGpa = GuestPages.pageOf(pos);
            int inPage = (int) (pos - pageGpa);
            int n = Math.min(GuestPages.PAGE_SIZE - inPage, length - off);
            chunk.accept(pageGpa, inPage, off, n);
            off += n;
            pos += n;
        }
    }
}
