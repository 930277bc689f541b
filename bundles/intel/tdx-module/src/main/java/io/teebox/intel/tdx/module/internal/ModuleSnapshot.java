package io.teebox.intel.tdx.module.internal;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.intel.tdx.abi.EventLog;
import io.teebox.intel.tdx.abi.TdParams;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The TDX module's state as bytes, so a new revision of the bundle (another class loader) can take over running TDs:
 * each finalized TD's TDCS (TD_PARAMS, MRTD, RTMRs, event log, lifecycle), its key and HKID, its Secure EPT, the
 * MACs of its private lines and its call log. TDs still being built are not kept (their MRTD is a running hash).
 * The snapshot names the JVM it was taken in: the hypervisor's memory lives only as long as the JVM, so a snapshot
 * from another run is discarded.
 */
final class ModuleSnapshot {

    private static final int MAGIC = 0x5444_584D; // "TDXM"
    private static final int VERSION = 1;
    /** The log count of a TD whose call log was handed over as objects. */
    private static final int LOG_HANDED_OVER = -1;

    private ModuleSnapshot() {
    }

    /** @return an id of this JVM run: process id and start time */
    static String jvmRun() {
        ProcessHandle p = ProcessHandle.current();
        return p.pid() + "@" + p.info().startInstant().map(Object::toString).orElse("?");
    }

    /**
     * What a snapshot restores.
     *
     * @param tds the finalized TDs
     * @param nextHandle the next TD handle to hand out, so no handle of a dropped TD is given again
     */
    record Restored(List<TdContext> tds, long nextHandle) {
    }

    static byte[] write(List<TdContext> tds, long nextHandle) {
        return write(tds, nextHandle, null);
    }

    /**
     * @param tds the TDs
     * @param nextHandle the next handle
     * @param logs where the TDs' call logs go instead of the bytes (API objects the next revision can take as they
     *            are), or null to write them into the snapshot
     * @return the snapshot
     */
    static byte[] write(List<TdContext> tds, long nextHandle, Map<Long, List<LaunchLogEntry>> logs) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(jvmRun());
            out.writeLong(nextHandle);
            List<TdContext> kept = new ArrayList<>();
            for (TdContext td : tds) {
                synchronized (td) {
                    if (td.op == TdContext.OpState.RUNNABLE) {
                        kept.add(td);
                    }
                }
            }
            out.writeInt(kept.size());
            for (TdContext td : kept) {
                synchronized (td) {
                    writeTd(out, td, logs);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void writeTd(DataOutputStream out, TdContext td, Map<Long, List<LaunchLogEntry>> logs)
            throws IOException {
        out.writeLong(td.handle);
        out.writeInt(td.hkid);
        out.writeUTF(td.lifecycle.name());
        out.writeBoolean(td.launched);
        out.writeUTF(td.fatal == null ? "" : td.fatal);
        out.write(td.params.toBytes());
        out.writeInt(td.vcpus);
        for (boolean b : td.vcpuInitialized) {
            out.writeBoolean(b);
        }
        out.write(td.mrtd);
        for (byte[] r : td.rtmr) {
            out.write(r);
        }
        out.writeInt(td.events.size());
        for (EventLog.Event e : td.events) {
            out.writeInt(e.mrIndex());
            out.writeLong(e.eventType());
            out.write(e.digest());
            bytes(out, e.data());
        }
        out.write(td.keys.dataKey);
        out.write(td.keys.tweakKey);
        out.write(td.keys.macKey);
        out.writeLong(td.epoch);
        out.writeInt(td.sept.size());
        for (Map.Entry<Long, TdContext.Page> e : td.sept.entrySet()) {
            out.writeLong(e.getKey());
            out.writeLong(e.getValue().hpa);
            out.writeUTF(e.getValue().state.name());
            out.writeBoolean(e.getValue().blocked);
            out.writeLong(e.getValue().blockEpoch);
        }
        out.writeInt(td.macs.size());
        for (Map.Entry<Long, int[]> e : td.macs.entrySet()) {
            out.writeLong(e.getKey());
            for (int m : e.getValue()) {
                out.writeInt(m);
            }
        }
        if (logs != null) {
            out.writeInt(LOG_HANDED_OVER);
            logs.put(td.handle, List.copyOf(td.log));
            return;
        }
        out.writeInt(td.log.size());
        for (LaunchLogEntry l : td.log) {
            out.writeUTF(l.command());
            out.writeUTF(l.status().vendor());
            out.writeUTF(l.status().name());
            out.writeLong(l.status().code());
            out.writeUTF(l.detail());
        }
    }

    /**
     * @param snapshot bytes from {@link #write}
     * @return the TDs, or none if the snapshot comes from another JVM run
     * @throws IllegalArgumentException if the bytes are not a snapshot
     */
    static Restored read(byte[] snapshot) {
        return read(snapshot, Map.of());
    }

    /**
     * @param snapshot bytes from {@link #write}
     * @param logs the call logs handed over beside the snapshot, by TD handle
     * @return the TDs, or none if the snapshot comes from another JVM run
     * @throws IllegalArgumentException if the bytes are not a snapshot
     */
    static Restored read(byte[] snapshot, Map<Long, List<LaunchLogEntry>> logs) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(snapshot))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new IllegalArgumentException("not a TDX module snapshot of version " + VERSION);
            }
            if (!in.readUTF().equals(jvmRun())) {
                return new Restored(List.of(), 1);
            }
            long next = in.readLong();
            int n = in.readInt();
            List<TdContext> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(readTd(in, logs));
            }
            return new Restored(out, next);
        } catch (IOException e) {
            throw new IllegalArgumentException("TDX module snapshot is truncated or corrupt: " + e.getMessage(), e);
        }
    }

    private static TdContext readTd(DataInputStream in, Map<Long, List<LaunchLogEntry>> handedOver)
            throws IOException {
        TdContext td = new TdContext(in.readLong(), in.readInt());
        td.lifecycle = TdContext.Lifecycle.valueOf(in.readUTF());
        td.op = TdContext.OpState.RUNNABLE;
        td.launched = in.readBoolean();
        String fatal = in.readUTF();
        td.fatal = fatal.isEmpty() ? null : fatal;
        td.params = TdParams.parse(in.readNBytes(TdParams.SIZE));
        td.vcpus = in.readInt();
        if (td.vcpus < 1 || td.vcpus > td.params.maxVcpus()) {
            throw new IOException("vCPU count " + td.vcpus + " of TD " + td.handle + " is not 1..TD_PARAMS.MAX_VCPUS "
                    + td.params.maxVcpus());
        }
        td.vcpuInitialized = new boolean[td.vcpus];
        for (int i = 0; i < td.vcpus; i++) {
            td.vcpuInitialized[i] = in.readBoolean();
        }
        td.mrtd = in.readNBytes(48);
        for (int i = 0; i < 4; i++) {
            td.rtmr[i] = in.readNBytes(48);
        }
        int events = in.readInt();
        for (int i = 0; i < events; i++) {
            td.events.add(new EventLog.Event(in.readInt(), in.readLong(), in.readNBytes(48), bytes(in)));
        }
        td.keys = new MemoryKeys(in.readNBytes(16), in.readNBytes(16), in.readNBytes(32));
        td.epoch = in.readLong();
        int pages = in.readInt();
        for (int i = 0; i < pages; i++) {
            long gpa = in.readLong();
            long hpa = in.readLong();
            td.map(gpa, hpa, TdContext.PageState.valueOf(in.readUTF()));
            TdContext.Page p = td.sept.get(gpa);
            p.blocked = in.readBoolean();
            p.blockEpoch = in.readLong();
        }
        int macs = in.readInt();
        for (int i = 0; i < macs; i++) {
            long hpa = in.readLong();
            int[] m = new int[MemoryKeys.LINES_PER_PAGE];
            for (int j = 0; j < m.length; j++) {
                m[j] = in.readInt();
            }
            td.macs.put(hpa, m);
        }
        int logs = in.readInt();
        if (logs == LOG_HANDED_OVER) {
            td.log.addAll(handedOver.getOrDefault(td.handle, List.of()));
            return td;
        }
        for (int i = 0; i < logs; i++) {
            String cmd = in.readUTF();
            FirmwareStatus s = new FirmwareStatus(in.readUTF(), in.readUTF(), in.readLong());
            td.log.add(new LaunchLogEntry(i + 1, cmd, s, in.readUTF()));
        }
        return td;
    }

    private static void bytes(DataOutputStream out, byte[] b) throws IOException {
        out.writeInt(b.length);
        out.write(b);
    }

    private static byte[] bytes(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > (1 << 20)) {
            throw new IOException("field of " + n + " bytes");
        }
        return in.readNBytes(n);
    }
}
