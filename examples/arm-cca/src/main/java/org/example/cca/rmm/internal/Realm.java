package org.example.cca.rmm.internal;

import io.teebox.api.guest.EventRecord;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.tee.FirmwareStatus;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.example.cca.rmm.HashAlgorithm;
import org.example.cca.rmm.RealmParams;
import org.example.cca.rmm.Rim;

/** One realm as the RMM holds it in its Realm Descriptor (RD) and RECs. Guarded by the {@link Rmm}'s monitor. */
final class Realm {

    /** RMM realm states (DEN0137 RmmRealmState), and whether the first REC has been entered. */
    enum State {
        REALM_NEW, REALM_ACTIVE, REALM_SYSTEM_OFF
    }

    final long rd;
    final int mecid;
    final long policy;
    final RealmParams params;
    final HashAlgorithm algorithm;
    State state = State.REALM_NEW;
    boolean entered;
    Rim rim;
    final byte[][] rems = new byte[4][];
    final KeyPair rak;
    int recs;
    int runnableRecs;
    long entry;
    long entryX0;
    /** IPAs with RIPAS RAM; all others are EMPTY. */
    final Set<Long> ram = new TreeSet<>();
    final List<LaunchLogEntry> log = new ArrayList<>();
    final List<EventRecord> events = new ArrayList<>();

    Realm(long rd, int mecid, long policy, RealmParams params, KeyPair rak) {
        this.rd = rd;
        this.mecid = mecid;
        this.policy = policy;
        this.params = params;
        this.algorithm = params.hashAlgo();
        this.rim = Rim.start(params);
        this.rak = rak;
        for (int i = 0; i < 4; i++) {
            rems[i] = new byte[algorithm.size()];
        }
    }

    void log(String command, FirmwareStatus status, String detail) {
        log.add(new LaunchLogEntry(log.size() + 1, command, status, detail));
    }
}
