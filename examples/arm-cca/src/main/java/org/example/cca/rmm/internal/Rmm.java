package org.example.cca.rmm.internal;

import io.teebox.api.guest.EventRecord;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.spi.handoff.RevisionHandoff;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.example.cca.rmm.Cca;
import org.example.cca.rmm.HashAlgorithm;
import org.example.cca.rmm.RealmParams;
import org.example.cca.rmm.RmiCommand;
import org.example.cca.rmm.RmiStatus;
import org.example.cca.rmm.Rim;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * The Realm Management Monitor of one emulated platform, with what sits below it: the CCA platform attestation key
 * (CPAK, P-384, emulated as fused into the platform), the granule protection table (which physical granules are in
 * the realm PAS) and the memory encryption contexts (one AES-XTS key per MECID). Realms live here, not in any
 * service: the backend's components come and go with the bundle, the RMM keeps its realms. On a real machine the RMM
 * keeps its state in realm-PAS memory through a restart of the host's drivers; this bundle keeps it in its
 * persistent data area across a stop or an update of itself, and hands it to its next revision through teebox's
 * {@link RevisionHandoff}, which also outlives an uninstall and a new install ({@link #release()} writes it,
 * {@link #acquire()} reads it back), so realms, their measurements, their keys and the CPAK survive all three.
 */
final class Rmm {

    private static final Logger LOG = Logger.getLogger(Rmm.class.getName());
    private static final String STATE_FILE = "rmm-state.bin";
    private static final int MAGIC = 0x43434131; // "CCA1"
    /** MECIDs the platform has; 0 is the host's (non-realm) context. */
    static final int FIRST_MECID = 1;
    static final int LAST_MECID = 63;
    /** Where the emulated RDs are: a carve-out of realm-PAS memory. */
    private static final long RD_BASE = 0x88_0000_0000L;
    private static final SecureRandom RANDOM = new SecureRandom();

    private static Rmm instance;
    private static int users;

    private KeyPair cpak;
    private final Map<Long, Realm> realms = new TreeMap<>();
    private final Map<Integer, byte[]> mecKeys = new TreeMap<>();
    /** The granule protection table: granules in the realm PAS (everything else is non-secure). */
    private final Set<Long> realmPas = new HashSet<>();
    private long nextRd = RD_BASE;

    private Rmm() {
    }

    /** @return the platform's RMM, read back from the bundle's data area the first time after a start */
    static synchronized Rmm acquire() {
        if (instance == null) {
            instance = load();
        }
        users++;
        return instance;
    }

    /** Called as a component that acquired the RMM goes; the last one writes the state out. */
    static synchronized void release() {
        if (--users == 0 && instance != null) {
            instance.save();
            instance = null;
        }
    }

    // ---- platform ---------------------------------------------------------------------------------------------

    synchronized KeyPair cpak() {
        return cpak;
    }

    /** @return the CPAK's public key, SubjectPublicKeyInfo DER */
    synchronized byte[] cpakPublic() {
        return cpak.getPublic().getEncoded();
    }

    synchronized int mecidsInUse() {
        return mecKeys.size();
    }

    synchronized int realmGranules() {
        return realmPas.size();
    }

    // ---- realms -----------------------------------------------------------------------------------------------

    /** RMI_GRANULE_DELEGATE of the RD, RMI_REALM_CREATE: a MECID with a fresh key, the initial RIM, a RAK. */
    synchronized Realm create(long policy, RealmParams params) {
        Integer mecid = null;
        for (int id = FIRST_MECID; id <= LAST_MECID; id++) {
            if (!mecKeys.containsKey(id)) {
                mecid = id;
                break;
            }
        }
        if (mecid == null) {
            throw RmiStatus.RMI_ERROR_INPUT.error("RMI_REALM_CREATE: all " + (LAST_MECID - FIRST_MECID + 1)
                    + " MECIDs are in use");
        }
        long rd = nextRd;
        nextRd += 0x1000;
        byte[] key = new byte[64];
        RANDOM.nextBytes(key);
        mecKeys.put(mecid, key);
        realmPas.add(rd);
        Realm r = new Realm(rd, mecid, policy, params, p384());
        realms.put(rd, r);
        r.log(RmiCommand.RMI_GRANULE_DELEGATE.name(), ok(), String.format("addr=0x%X (RD)", rd));
        r.log(RmiCommand.RMI_REALM_CREATE.name(), ok(), String.format("rd=0x%X s2sz=%d hash_algo=%s flags=0x%X "
                + "MECID=%d RIM=%s", rd, params.s2sz(), params.hashAlgo(), params.flags(), mecid, hex(r.rim.value())));
        return r;
    }

    synchronized Realm realm(long rd) {
        Realm r = realms.get(rd);
        if (r == null) {
            throw RmiStatus.RMI_ERROR_INPUT.error(String.format("rd 0x%X is not a Realm Descriptor granule", rd));
        }
        return r;
    }

    synchronized Realm bySlot(KeySlot slot) {
        for (Realm r : realms.values()) {
            if (r.mecid == slot.id()) {
                return r;
            }
        }
        throw RmiStatus.RMI_ERROR_INPUT.error(slot + " belongs to no realm");
    }

    /** RMI_DATA_DESTROY of its granules, RMI_REC_DESTROY, RMI_REALM_DESTROY, RMI_GRANULE_UNDELEGATE. */
    synchronized void destroy(long rd) {
        Realm r = realm(rd);
        realms.remove(rd);
        mecKeys.remove(r.mecid);
        realmPas.remove(rd);
        r.log(RmiCommand.RMI_REALM_DESTROY.name(), ok(), String.format("rd=0x%X MECID %d freed", rd, r.mecid));
    }

    /** Moves a granule into the realm PAS (RMI_GRANULE_DELEGATE): the GPT now faults every non-realm access. */
    synchronized void delegate(Realm r, long pa) {
        if (realmPas.add(pa)) {
            r.log(RmiCommand.RMI_GRANULE_DELEGATE.name(), ok(), String.format("addr=0x%X", pa));
        }
    }

    synchronized boolean inRealmPas(long pa) {
        return realmPas.contains(pa);
    }

    synchronized Mec mec(KeySlot slot) {
        if (!Cca.KEY_SLOT.equals(slot.kind())) {
            throw RmiStatus.RMI_ERROR_INPUT.error(slot + " is not a " + Cca.KEY_SLOT);
        }
        byte[] key = mecKeys.get(slot.id());
        if (key == null) {
            throw RmiStatus.RMI_ERROR_INPUT.error(slot + " has no memory encryption context");
        }
        return new Mec(key);
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    static FirmwareStatus ok() {
        return RmiStatus.RMI_SUCCESS.status();
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    static KeyPair p384() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp384r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-384 is missing from the JDK", e);
        }
    }

    /** @return the uncompressed point 0x04 || X || Y of a P-384 public key */
    static byte[] point(java.security.PublicKey key) {
        ECPublicKey k = (ECPublicKey) key;
        byte[] out = new byte[97];
        out[0] = 4;
        put48(out, 1, k.getW().getAffineX());
        put48(out, 49, k.getW().getAffineY());
        return out;
    }

    private static void put48(byte[] out, int at, java.math.BigInteger v) {
        byte[] b = v.toByteArray();
        int n = Math.min(b.length, 48);
        System.arraycopy(b, b.length - n, out, at + 48 - n, n);
    }

    // ---- persistence ------------------------------------------------------------------------------------------

    /** The key of this bundle's state in teebox's {@link RevisionHandoff}, which also survives an uninstall. */
    private static final String HANDOFF_KEY = "org.example.cca";

    private static File stateFile() {
        Bundle b = FrameworkUtil.getBundle(Rmm.class);
        File f = b == null || b.getBundleContext() == null ? null : b.getBundleContext().getDataFile(STATE_FILE);
        return f;
    }

    private static Rmm load() {
        Rmm rmm = new Rmm();
        Bundle b = FrameworkUtil.getBundle(Rmm.class);
        java.util.Map<String, Object> handed = b == null || b.getBundleContext() == null ? null
                : RevisionHandoff.take(b.getBundleContext(), HANDOFF_KEY);
        if (handed != null && handed.get("state") instanceof byte[] state) {
            // the previous revision of this bundle, also one that was uninstalled (the arm-cca feature removed and
            // installed again): its data area went with it, its realms and the platform's CPAK did not
            try {
                rmm.read(state);
                return rmm;
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOG.log(Level.WARNING, "the RMM state handed over by the previous revision is unreadable", e);
                rmm = new Rmm();
            }
        }
        File f = stateFile();
        if (f != null && f.isFile()) {
            try {
                rmm.read(Files.readAllBytes(f.toPath()));
                return rmm;
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                LOG.log(Level.WARNING, "the RMM state in " + f + " is unreadable; starting a fresh platform", e);
                rmm = new Rmm();
            }
        }
        rmm.cpak = p384();
        return rmm;
    }

    private synchronized void save() {
        File f = stateFile();
        if (f == null) {
            return;
        }
        try {
            byte[] state = write();
            RevisionHandoff.put(FrameworkUtil.getBundle(Rmm.class).getBundleContext(), HANDOFF_KEY,
                    java.util.Map.of("state", state));
            File tmp = new File(f.getPath() + ".tmp");
            Files.write(tmp.toPath(), state);
            Files.move(tmp.toPath(), f.toPath(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "the RMM state could not be written to " + f + "; realms will not survive", e);
        }
    }

    private byte[] write() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream o = new DataOutputStream(bytes);
        o.writeInt(MAGIC);
        blob(o, cpak.getPrivate().getEncoded());
        blob(o, cpak.getPublic().getEncoded());
        o.writeLong(nextRd);
        o.writeInt(mecKeys.size());
        for (Map.Entry<Integer, byte[]> e : mecKeys.entrySet()) {
            o.writeInt(e.getKey());
            blob(o, e.getValue());
        }
        o.writeInt(realmPas.size());
        for (long pa : realmPas) {
            o.writeLong(pa);
        }
        o.writeInt(realms.size());
        for (Realm r : realms.values()) {
            o.writeLong(r.rd);
            o.writeInt(r.mecid);
            o.writeLong(r.policy);
            blob(o, r.params.toBytes());
            o.writeInt(r.state.ordinal());
            o.writeBoolean(r.entered);
            blob(o, r.rim.value());
            for (byte[] rem : r.rems) {
                blob(o, rem);
            }
            blob(o, r.rak.getPrivate().getEncoded());
            blob(o, r.rak.getPublic().getEncoded());
            o.writeInt(r.recs);
            o.writeInt(r.runnableRecs);
            o.writeLong(r.entry);
            o.writeLong(r.entryX0);
            o.writeInt(r.ram.size());
            for (long ipa : r.ram) {
                o.writeLong(ipa);
            }
            o.writeInt(r.log.size());
            for (LaunchLogEntry e : r.log) {
                o.writeUTF(e.command());
                o.writeUTF(e.status().vendor());
                o.writeUTF(e.status().name());
                o.writeLong(e.status().code());
                o.writeUTF(e.detail());
            }
            o.writeInt(r.events.size());
            for (EventRecord e : r.events) {
                o.writeInt(e.register());
                o.writeLong(e.type());
                blob(o, e.digest().value());
                blob(o, e.data().value());
                o.writeUTF(e.description());
            }
        }
        o.flush();
        return bytes.toByteArray();
    }

    private void read(byte[] data) throws IOException, GeneralSecurityException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(data));
        if (in.readInt() != MAGIC) {
            throw new IOException("not an RMM state file");
        }
        KeyFactory ec = KeyFactory.getInstance("EC");
        byte[] cpakPriv = blob(in, 1024);
        byte[] cpakPub = blob(in, 1024);
        cpak = new KeyPair(ec.generatePublic(new X509EncodedKeySpec(cpakPub)), ec.generatePrivate(
                new PKCS8EncodedKeySpec(cpakPriv)));
        nextRd = in.readLong();
        for (int n = in.readInt(); n > 0; n--) {
            mecKeys.put(in.readInt(), blob(in, 64));
        }
        for (int n = in.readInt(); n > 0; n--) {
            realmPas.add(in.readLong());
        }
        for (int n = in.readInt(); n > 0; n--) {
            long rd = in.readLong();
            int mecid = in.readInt();
            long policy = in.readLong();
            RealmParams p = parseParams(blob(in, RealmParams.SIZE));
            Realm.State state = Realm.State.values()[in.readInt()];
            boolean entered = in.readBoolean();
            byte[] rim = blob(in, 64);
            byte[][] rems = new byte[4][];
            for (int i = 0; i < 4; i++) {
                rems[i] = blob(in, 64);
            }
            byte[] rakPriv = blob(in, 1024);
            byte[] rakPub = blob(in, 1024);
            Realm r = new Realm(rd, mecid, policy, p, new KeyPair(ec.generatePublic(new X509EncodedKeySpec(rakPub)),
                    ec.generatePrivate(new PKCS8EncodedKeySpec(rakPriv))));
            r.state = state;
            r.entered = entered;
            r.rim = Rim.resume(p.hashAlgo(), rim);
            System.arraycopy(rems, 0, r.rems, 0, 4);
            r.recs = in.readInt();
            r.runnableRecs = in.readInt();
            r.entry = in.readLong();
            r.entryX0 = in.readLong();
            for (int k = in.readInt(); k > 0; k--) {
                r.ram.add(in.readLong());
            }
            for (int k = in.readInt(); k > 0; k--) {
                String command = in.readUTF();
                FirmwareStatus s = new FirmwareStatus(in.readUTF(), in.readUTF(), in.readLong());
                r.log(command, s, in.readUTF());
            }
            for (int k = in.readInt(); k > 0; k--) {
                r.events.add(new EventRecord(in.readInt(), in.readLong(), Bytes.of(blob(in, 64)),
                        Bytes.of(blob(in, 1 << 20)), in.readUTF()));
            }
            realms.put(rd, r);
        }
    }

    private static RealmParams parseParams(byte[] b) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        byte[] rpv = java.util.Arrays.copyOfRange(b, 0x400, 0x440);
        return new RealmParams(bb.getLong(0), bb.getInt(0x8), bb.getInt(0x10), bb.getInt(0x18), bb.getInt(0x20),
                bb.getInt(0x28), HashAlgorithm.of(b[0x30]), rpv, bb.getShort(0x800) & 0xFFFF, bb.getLong(0x808));
    }

    private static void blob(DataOutputStream o, byte[] b) throws IOException {
        o.writeInt(b.length);
        o.write(b);
    }

    private static byte[] blob(DataInputStream in, int max) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > max) {
            throw new IOException("a field of " + n + " bytes where at most " + max + " fit");
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** @return facts for the descriptor */
    synchronized Map<String, String> facts() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("realms", String.valueOf(realms.size()));
        m.put("GPT realm granules", String.valueOf(realmPas.size()));
        return m;
    }
}
