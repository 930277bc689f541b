package org.example.cca.rmm.internal;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.Measurement;
import io.teebox.api.launch.PageType;
import io.teebox.api.launch.SecretPacket;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.memory.MemoryEncryption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.example.cca.rmm.Cca;
import org.example.cca.rmm.RecParams;
import org.example.cca.rmm.RmiCommand;
import org.example.cca.rmm.RmiStatus;
import org.example.cca.rmm.Rim;

/**
 * A realm's construction by the host, as Linux KVM drives it ({@code arch/arm64/kvm/rme.c}): pages by
 * RMI_RTT_INIT_RIPAS and RMI_DATA_CREATE (measured, or with RMI_NO_MEASURE_CONTENT), vCPUs by RMI_REC_CREATE,
 * {@link #measure()} is RMI_REALM_ACTIVATE (the RIM is final) and {@link #finish()} the first RMI_REC_ENTER. Each
 * data granule is delegated to the realm PAS and encrypted under the realm's MEC.
 */
final class RealmLaunch implements LaunchSession {

    private static final int PAGE = MemoryEncryption.PAGE_SIZE;

    private final Rmm rmm;
    private final Realm realm;
    private final GuestMemory memory;

    RealmLaunch(Rmm rmm, Realm realm, GuestMemory memory) {
        this.rmm = rmm;
        this.realm = realm;
        this.memory = memory;
    }

    @Override
    public long handle() {
        return realm.rd;
    }

    @Override
    public KeySlot keySlot() {
        return new KeySlot(Cca.KEY_SLOT, realm.mecid);
    }

    /** The entry point and X0 of the RECs the loader creates next (the host writes them into RmiRecParams). */
    void entry(long pc, long x0) {
        synchronized (rmm) {
            realm.entry = pc;
            realm.entryX0 = x0;
        }
    }

    @Override
    public void addPages(long gpa, long length, PageType type) {
        synchronized (rmm) {
            String command = RmiCommand.RMI_DATA_CREATE.name();
            if ((gpa & (PAGE - 1)) != 0 || gpa < 0) {
                throw refuse(command, RmiStatus.RMI_ERROR_INPUT, String.format("ipa 0x%X is not granule-aligned",
                        gpa));
            }
            if (type != PageType.NORMAL && type != PageType.UNMEASURED) {
                throw refuse(command, RmiStatus.RMI_ERROR_INPUT, "no RMI command adds a " + type + " granule: "
                        + "RMI_DATA_CREATE copies host data, measured (RMI_MEASURE_CONTENT) or not");
            }
            if (realm.state != Realm.State.REALM_NEW) {
                throw refuse(command, RmiStatus.RMI_ERROR_REALM, "the realm is " + realm.state
                        + "; data granules are created only while it is REALM_NEW");
            }
            long pages = (length + PAGE - 1) / PAGE;
            long top = gpa + pages * PAGE;
            long base = -1;
            for (long ipa = gpa; ipa < top; ipa += PAGE) {
                if (realm.ram.contains(ipa)) {
                    throw refuse(command, RmiStatus.RMI_ERROR_RTT, String.format("ipa 0x%X is already ASSIGNED", ipa));
                }
            }
            base = gpa;
            realm.rim.ripas(base, top);
            realm.log(RmiCommand.RMI_RTT_INIT_RIPAS.name(), Rmm.ok(), String.format("base=0x%X top=0x%X RIPAS=RAM",
                    base, top));
            long flags = type == PageType.NORMAL ? Rim.MEASURE_CONTENT : Rim.NO_MEASURE_CONTENT;
            Mec mec = rmm.mec(keySlot());
            for (long ipa = gpa; ipa < top; ipa += PAGE) {
                long pa = memory.hostPhysicalAddress(ipa);
                byte[] plain = memory.readPage(ipa);
                rmm.delegate(realm, pa);
                realm.rim.data(ipa, flags, plain);
                memory.writePage(ipa, mec.encrypt(pa, plain));
                realm.ram.add(ipa);
            }
            realm.log(command, Rmm.ok(), String.format("ipa=0x%X granules=%d flags=%s RIM=%s", gpa, pages,
                    flags == Rim.MEASURE_CONTENT ? "RMI_MEASURE_CONTENT" : "RMI_NO_MEASURE_CONTENT",
                    Rmm.hex(realm.rim.value())));
        }
    }

    @Override
    public void addVcpuState(int vcpu) {
        synchronized (rmm) {
            String command = RmiCommand.RMI_REC_CREATE.name();
            if (realm.state != Realm.State.REALM_NEW) {
                throw refuse(command, RmiStatus.RMI_ERROR_REALM, "the realm is " + realm.state
                        + "; RECs are created only while it is REALM_NEW");
            }
            if (vcpu != realm.recs) {
                throw refuse(command, RmiStatus.RMI_ERROR_INPUT, "REC " + vcpu + " out of order: the next REC is "
                        + realm.recs + " (MPIDRs are assigned in order)");
            }
            long[] gprs = new long[8];
            gprs[0] = realm.entryX0;
            RecParams rec = new RecParams(vcpu == 0 ? RecParams.RUNNABLE : 0, vcpu, realm.entry, gprs);
            long pa = 0x90_0000_0000L + realm.mecid * 0x10_0000L + vcpu * (long) PAGE;
            rmm.delegate(realm, pa);
            if (rec.runnable()) {
                realm.rim.rec(rec);
                realm.runnableRecs++;
            }
            realm.recs++;
            realm.log(command, Rmm.ok(), String.format("rec=0x%X mpidr=%d pc=0x%X x0=0x%X %s", pa, vcpu, rec.pc(),
                    gprs[0], rec.runnable() ? "RUNNABLE, measured RIM=" + Rmm.hex(realm.rim.value())
                            : "NOT_RUNNABLE (waits for PSCI CPU_ON), not measured"));
        }
    }

    @Override
    public Measurement measure() {
        synchronized (rmm) {
            String command = RmiCommand.RMI_REALM_ACTIVATE.name();
            if (realm.state != Realm.State.REALM_NEW) {
                throw refuse(command, RmiStatus.RMI_ERROR_REALM, "the realm is already " + realm.state);
            }
            realm.state = Realm.State.REALM_ACTIVE;
            byte[] rim = realm.rim.value();
            realm.log(command, Rmm.ok(), "RIM=" + Rmm.hex(rim));
            Map<String, String> f = new LinkedHashMap<>();
            f.put("RIM", Rmm.hex(rim));
            f.put("hash_algo", realm.algorithm.tokenName());
            f.put("RPV", Rmm.hex(realm.params.rpv()));
            f.put("RECs", realm.recs + " (" + realm.runnableRecs + " runnable)");
            return new Measurement(Cca.MEASUREMENT_FORMAT, rim, f);
        }
    }

    @Override
    public void injectSecret(SecretPacket packet) {
        synchronized (rmm) {
            throw refuse("(launch secret)", RmiStatus.RMI_ERROR_INPUT, "the RMM has no launch-secret command: a "
                    + "realm owner releases secrets after verifying an attestation token");
        }
    }

    @Override
    public void finish() {
        synchronized (rmm) {
            String command = RmiCommand.RMI_REC_ENTER.name();
            if (realm.state != Realm.State.REALM_ACTIVE) {
                throw refuse(command, RmiStatus.RMI_ERROR_REALM, "the realm is " + realm.state
                        + "; a REC is entered only once RMI_REALM_ACTIVATE made it REALM_ACTIVE");
            }
            realm.entered = true;
            realm.log(command, Rmm.ok(), "rec 0: the realm runs");
        }
    }

    @Override
    public List<LaunchLogEntry> log() {
        synchronized (rmm) {
            return List.copyOf(realm.log);
        }
    }

    private RuntimeException refuse(String command, RmiStatus status, String reason) {
        realm.log(command, status.status(), "refused: " + reason);
        return status.error(command + ": " + reason);
    }
}
