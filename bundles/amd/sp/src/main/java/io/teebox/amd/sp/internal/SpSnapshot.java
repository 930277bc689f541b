package io.teebox.amd.sp.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.Rmp;
import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.sp.SnpIdentity;

/**
 * The secure processor's state for its next firmware revision: what a new revision of this bundle (an update, or
 * an uninstall and a new install of the AMD feature) takes over so that running guests resume. It holds every
 * guest context whose launch is over (RUNNING), with its VEK, the ASID it owns and whether its key is installed,
 * and the RMP entries of those ASIDs. A guest in the middle of its launch is not carried: its launch session is
 * the firmware's working state, lost with the revision that ran it, as a real SP firmware update loses an
 * unfinished LAUNCH. The bytes never leave the process: they are handed over through the framework's service
 * registry.
 */
final class SpSnapshot {

    private static final int MAGIC = 0x53505331; // "SPS1"
    private static final int SEV = 1;
    private static final int SNP = 2;

    private SpSnapshot() {
    }

    /**
     * @param contexts the guest contexts
     * @param memory the memory controller
     * @param rmp the RMP
     * @return the snapshot, or null when no guest runs
     */
    static byte[] write(GuestContexts contexts, MemoryController memory, Rmp rmp) {
        List<FirmwareContext> running = new ArrayList<>();
        for (FirmwareContext c : contexts.all()) {
            if (c.state() == SevGuestState.RUNNING && memory.vek(c.handle()) != null) {
                running.add(c);
            }
        }
        if (running.isEmpty()) {
            return null;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeLong(contexts.nextHandle());
            out.writeInt(running.size());
            for (FirmwareContext c : running) {
                out.writeInt(c instanceof SnpContext ? SNP : SEV);
                out.writeLong(c.handle());
                out.writeInt(c.pool().ordinal());
                out.writeInt(c.asid());
                out.writeLong(c.policy());
                bytes(out, memory.vek(c.handle()));
                out.writeBoolean(memory.installed(c.handle(), c.asid()));
                List<Long> pages = new ArrayList<>(c.launchedPages());
                out.writeInt(pages.size());
                for (long p : pages) {
                    out.writeLong(p);
                }
                List<Integer> vmsas = c.launchedVmsas();
                out.writeInt(vmsas.size());
                for (int v : vmsas) {
                    out.writeInt(v);
                }
                if (c instanceof SnpContext s) {
                    bytes(out, s.launchDigest());
                    bytes(out, s.reportId());
                    bytes(out, s.hostData());
                    out.writeLong(s.launchTcb());
                    SnpIdentity id = s.identity();
                    bytes(out, id.familyId());
                    bytes(out, id.imageId());
                    out.writeLong(id.guestSvn());
                    bytes(out, id.idKeyDigest());
                    bytes(out, id.authorKeyDigest());
                    out.writeBoolean(id.authorKeyEn());
                    bytes(out, s.secretsPage());
                    for (long n : s.seqnos()) {
                        out.writeLong(n);
                    }
                } else {
                    SevContext s = (SevContext) c;
                    bytes(out, s.measurement());
                    bytes(out, s.launchDigest());
                }
                Map<Long, Rmp.Entry> entries = rmp.entries(c.asid());
                out.writeInt(entries.size());
                for (Map.Entry<Long, Rmp.Entry> e : entries.entrySet()) {
                    Rmp.Entry r = e.getValue();
                    out.writeLong(e.getKey());
                    out.writeBoolean(r.assigned());
                    out.writeInt(r.asid());
                    out.writeLong(r.gpa());
                    out.writeBoolean(r.validated());
                    out.writeBoolean(r.immutable());
                    out.writeBoolean(r.vmsa());
                    out.writeInt(r.vmplPerms());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Puts a snapshot's guests into a fresh secure processor's tables.
     *
     * @param snapshot what {@link #write} gave
     * @param contexts the (empty) guest contexts
     * @param memory the memory controller
     * @param rmp the RMP
     * @param asidAllowed whether the configuration in force still has an ASID in the guest's pool
     * @return how many guests were taken over
     * @throws IllegalArgumentException if the bytes are not a snapshot of this format
     */
    static int read(byte[] snapshot, GuestContexts contexts, MemoryController memory, Rmp rmp,
            java.util.function.BiPredicate<AsidPool, Integer> asidAllowed) {
        int restored = 0;
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a secure processor snapshot (magic)");
            }
            long next = in.readLong();
            int n = in.readInt();
            for (int i = 0; i < n; i++) {
                int kind = in.readInt();
                long handle = in.readLong();
                AsidPool pool = AsidPool.values()[in.readInt()];
                int asid = in.readInt();
                long policy = in.readLong();
                byte[] vek = bytes(in);
                boolean installed = in.readBoolean();
                List<Long> pages = new ArrayList<>();
                for (int k = in.readInt(); k > 0; k--) {
                    pages.add(in.readLong());
                }
                List<Integer> vmsas = new ArrayList<>();
                for (int k = in.readInt(); k > 0; k--) {
                    vmsas.add(in.readInt());
                }
                FirmwareContext c;
                if (kind == SNP) {
                    SnpContext s = new SnpContext(handle, asid, policy);
                    byte[] digest = bytes(in);
                    byte[] reportId = bytes(in);
                    byte[] hostData = bytes(in);
                    long tcb = in.readLong();
                    SnpIdentity id = new SnpIdentity(bytes(in), bytes(in), in.readLong(), bytes(in), bytes(in),
                            in.readBoolean());
                    byte[] secrets = bytes(in);
                    long[] seqnos = new long[8];
                    for (int k = 0; k < 8; k++) {
                        seqnos[k] = in.readLong();
                    }
                    s.restoreLaunch(digest, reportId, hostData, tcb, id, secrets, seqnos);
                    c = s;
                } else {
                    SevContext s = new SevContext(handle, pool, asid, policy);
                    s.restoreLaunch(bytes(in), bytes(in));
                    c = s;
                }
                int entries = in.readInt();
                List<long[]> pagesOf = new ArrayList<>();
                List<Rmp.Entry> rmpEntries = new ArrayList<>();
                for (int k = 0; k < entries; k++) {
                    long hpa = in.readLong();
                    rmpEntries.add(new Rmp.Entry(in.readBoolean(), in.readInt(), in.readLong(), in.readBoolean(),
                            in.readBoolean(), in.readBoolean(), in.readInt()));
                    pagesOf.add(new long[] {hpa});
                }
                if (!asidAllowed.test(pool, asid)) {
                    // the configuration in force has no such ASID any more: the guest is not taken over, and the
                    // hypervisor terminates it when the backend says the firmware does not know its handle
                    continue;
                }
                c.restore(SevGuestState.RUNNING, pages, vmsas);
                contexts.restore(c, next);
                memory.put(handle, vek);
                java.util.Arrays.fill(vek, (byte) 0);
                if (installed) {
                    memory.install(handle, asid);
                }
                for (int k = 0; k < rmpEntries.size(); k++) {
                    rmp.restore(pagesOf.get(k)[0], rmpEntries.get(k));
                }
                restored++;
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof IllegalArgumentException iae && iae.getMessage() != null
                    && iae.getMessage().startsWith("not a secure")) {
                throw iae;
            }
            throw new IllegalArgumentException("secure processor snapshot unreadable after " + restored
                    + " guests: " + e, e);
        }
        return restored;
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        if (b == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0) {
            return null;
        }
        if (n > 1 << 20) {
            throw new IOException("field of " + n + " bytes");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }
}
