package org.example.cca.rmm.internal;

import io.teebox.api.attestation.AttestationService;
import io.teebox.api.attestation.Evidence;
import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.LaunchService;
import io.teebox.api.launch.LaunchSession;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.HostAccessOutcome.Effect;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.memory.MemoryEncryption;
import io.teebox.api.tee.BackendDescriptor;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.Capability;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.api.tee.KeySlotLimits;
import io.teebox.api.tee.LaunchDefaults;
import io.teebox.api.tee.TcbVersion;
import io.teebox.api.tee.TeeBackend;
import io.teebox.api.tee.TeeKind;
import io.teebox.api.tee.TeeType;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.example.cca.rmm.Cca;
import org.example.cca.rmm.RealmImage;
import org.example.cca.rmm.RealmParams;
import org.example.cca.rmm.RmiCommand;
import org.example.cca.rmm.RmiStatus;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * The Arm CCA backend: the host's side of the RMM (RMI) as teebox's vendor-neutral services. Memory: the granule
 * protection table makes every host access to a realm granule fault (GPF) and the MEC encrypts realm granules with
 * AES-XTS per MECID. Launch: RMI_REALM_CREATE, RMI_RTT_INIT_RIPAS, RMI_DATA_CREATE, RMI_REC_CREATE,
 * RMI_REALM_ACTIVATE, RMI_REC_ENTER. Attestation: the realm's RSI_ATTESTATION_TOKEN_INIT/CONTINUE, a CCA token.
 */
@Component(service = {TeeBackend.class, MemoryEncryption.class, LaunchService.class, AttestationService.class},
        immediate = true)
@TeeType(Cca.TEE_TYPE)
public final class CcaBackend implements TeeBackend, MemoryEncryption, LaunchService, AttestationService {

    /** The vCPU models a realm may have (QEMU's aarch64 names), the default first. */
    static final List<String> VCPU_MODELS = List.of("neoverse-n2", "neoverse-v1", "cortex-a710", "max");

    private final Rmm rmm;

    /** Opens the platform's RMM. */
    @Activate
    public CcaBackend() {
        this.rmm = Rmm.acquire();
    }

    /** Lets the RMM go (the last component writes its state out). */
    @Deactivate
    void deactivate() {
        Rmm.release();
    }

    // ---- TeeBackend ------------------------------------------------------------------------------------------

    @Override
    public BackendDescriptor descriptor() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("memory rule", "GPT: a non-secure access to a realm granule takes a Granule Protection Fault");
        props.put("memory cipher", "FEAT_MEC: AES-256-XTS per MECID, tweaked by the physical address");
        props.put("measurements", "RIM + 4 REMs, SHA-256 or SHA-512 (policy bit 8)");
        props.put("evidence", Cca.EVIDENCE_FORMAT + " (platform token signed by the CPAK, realm token by the RAK)");
        props.putAll(rmm.facts());
        return new BackendDescriptor(Cca.TEE_TYPE, "Arm", TeeKind.CPU, "aarch64",
                "Armv9-A with RME and MEC (emulated FVP), RMM 1.0", EnumSet.of(Capability.MEMORY_ENCRYPTION,
                        Capability.MEMORY_INTEGRITY, Capability.REGISTER_ENCRYPTION, Capability.LAUNCH_MEASUREMENT,
                        Capability.RUNTIME_ATTESTATION),
                new FirmwareVersion("1.0.0", List.of(1, 0, 0)), new TcbVersion(Bytes.of(new byte[] {1, 0, 0, 0}),
                        Map.of("RMM", 1)), limits(), new LaunchDefaults(0, "RmiRealmFlags | hash_algo << 8",
                                "no LPA2, SVE or PMU; SHA-256 measurements", VCPU_MODELS.get(0), VCPU_MODELS),
                props);
    }

    /** The CPAK's public key: what a relying party trusts for this platform's tokens (Arm CCA endorsements). */
    @Override
    public Map<String, byte[]> platformCertificates() {
        return Map.of(Cca.CPAK, rmm.cpakPublic());
    }

    @Override
    public String returnCodeName(String operation, long code) {
        boolean rsi = operation.toLowerCase(java.util.Locale.ROOT).contains("rsi")
                || operation.equals("accept");
        for (RmiStatus s : RmiStatus.values()) {
            if (s.code() == code && s.name().startsWith(rsi ? "RSI" : "RMI")) {
                return s.name();
            }
        }
        return "";
    }

    // ---- MemoryEncryption -------------------------------------------------------------------------------------

    @Override
    public KeySlotLimits limits() {
        return new KeySlotLimits(Cca.KEY_SLOT, Rmm.FIRST_MECID, Rmm.LAST_MECID, rmm.mecidsInUse());
    }

    @Override
    public byte[] encryptPage(KeySlot slot, long hpa, byte[] plaintext) {
        check(hpa, plaintext);
        return rmm.mec(slot).encrypt(hpa, plaintext);
    }

    @Override
    public byte[] decryptPage(KeySlot slot, long hpa, byte[] ciphertext) {
        check(hpa, ciphertext);
        return rmm.mec(slot).decrypt(hpa, ciphertext);
    }

    private static void check(long hpa, byte[] page) {
        if (page.length != PAGE_SIZE) {
            throw new IllegalArgumentException("a granule is " + PAGE_SIZE + " bytes, got " + page.length);
        }
        if ((hpa & (PAGE_SIZE - 1)) != 0) {
            throw RmiStatus.RMI_ERROR_INPUT.error(String.format("PA 0x%X is not granule-aligned", hpa));
        }
    }

    /**
     * The GPT's rule: a realm granule is in the realm PAS, and every access from the non-secure PAS (the host) to it
     * takes a Granule Protection Fault at the host, before any data moves; so the host can neither read, write,
     * remap nor replay it. Moving a granule back to the host needs RMI_DATA_DESTROY and RMI_GRANULE_UNDELEGATE,
     * which the RMM refuses for a live realm's mapped granule (and which scrubs it). The DRAM behind it holds only
     * MEC ciphertext, which is what a physical attacker would see.
     */
    @Override
    public HostAccessOutcome hostAccess(HostAccess access) {
        return switch (access) {
            case READ -> new HostAccessOutcome(Effect.HOST_FAULT, "GPF: the granule is in the realm PAS; a "
                    + "non-secure read faults at the host (the DRAM holds only MEC AES-XTS ciphertext)");
            case WRITE -> new HostAccessOutcome(Effect.HOST_FAULT, "GPF: the granule is in the realm PAS; a "
                    + "non-secure write faults at the host and the granule is unchanged");
            case REMAP -> new HostAccessOutcome(Effect.HOST_FAULT, "the realm's RTTs belong to the RMM: "
                    + "RMI_DATA_DESTROY of a live realm's granule leaves it unmapped, never at another IPA, and the "
                    + "host's own stage 2 cannot map a realm-PAS granule (GPF)");
            case REPLAY -> new HostAccessOutcome(Effect.HOST_FAULT, "GPF: the host cannot write old ciphertext "
                    + "into a realm-PAS granule");
        };
    }

    /** The host hands the realm a granule at an IPA it accepted: RMI_GRANULE_DELEGATE, RMI_DATA_CREATE_UNKNOWN. */
    @Override
    public void assignPage(KeySlot slot, long gpa, long hpa) {
        synchronized (rmm) {
            Realm r = rmm.bySlot(slot);
            rmm.delegate(r, hpa);
            r.log(RmiCommand.RMI_DATA_CREATE_UNKNOWN.name(), Rmm.ok(), String.format("ipa=0x%X pa=0x%X", gpa, hpa));
        }
    }

    /** The realm gave a granule back (RIPAS EMPTY): RMI_DATA_DESTROY, RMI_GRANULE_UNDELEGATE. */
    @Override
    public void releasePage(KeySlot slot, long gpa, long hpa) {
        synchronized (rmm) {
            Realm r = rmm.bySlot(slot);
            r.ram.remove(gpa);
            r.log(RmiCommand.RMI_DATA_DESTROY.name(), Rmm.ok(), String.format("ipa=0x%X pa=0x%X", gpa, hpa));
        }
    }

    /** RSI_IPA_STATE_SET from the realm: RIPAS RAM (accept) or EMPTY (rescind); 0 is RSI_SUCCESS. */
    @Override
    public int acceptPage(KeySlot slot, long gpa, long hpa, boolean accept) {
        synchronized (rmm) {
            Realm r = rmm.bySlot(slot);
            if (accept) {
                r.ram.add(gpa);
            } else {
                r.ram.remove(gpa);
            }
            return RmiStatus.RSI_SUCCESS.code();
        }
    }

    /** A realm's load from an IPA: RIPAS EMPTY is a Synchronous External Abort the realm takes. */
    @Override
    public byte[] guestDecrypt(KeySlot slot, long gpa, long hpa, byte[] ciphertext) {
        synchronized (rmm) {
            if (!rmm.bySlot(slot).ram.contains(gpa)) {
                throw RmiStatus.RSI_ERROR_STATE.error(String.format("ipa 0x%X has RIPAS EMPTY: the realm's access "
                        + "takes a Synchronous External Abort (accept it with RSI_IPA_STATE_SET first)", gpa));
            }
        }
        return decryptPage(slot, hpa, ciphertext);
    }

    @Override
    public byte[] guestEncrypt(KeySlot slot, long gpa, long hpa, byte[] plaintext) {
        synchronized (rmm) {
            if (!rmm.bySlot(slot).ram.contains(gpa)) {
                throw RmiStatus.RSI_ERROR_STATE.error(String.format("ipa 0x%X has RIPAS EMPTY: the realm's store "
                        + "takes a Synchronous External Abort (accept it with RSI_IPA_STATE_SET first)", gpa));
            }
        }
        return encryptPage(slot, hpa, plaintext);
    }

    // ---- LaunchService ----------------------------------------------------------------------------------------

    @Override
    public Set<PageType> pageTypes() {
        return EnumSet.of(PageType.NORMAL, PageType.UNMEASURED);
    }

    @Override
    public LaunchSession begin(LaunchRequest request, GuestMemory memory) {
        RealmParams params;
        try {
            params = RealmImage.params(request.policy(), request.ownerParameter(Cca.PARAM_RPV));
            byte[] alg = request.ownerParameter(Cca.PARAM_HASH_ALGO);
            if (alg != null) {
                params = new RealmParams(params.flags(), params.s2sz(), params.sveVl(), params.numBps(),
                        params.numWps(), params.pmuNumCtrs(), org.example.cca.rmm.HashAlgorithm.of(alg.length == 1
                                ? alg[0] : -1), params.rpv(), params.vmid(), params.rttBase());
            }
        } catch (IllegalArgumentException e) {
            throw RmiStatus.RMI_ERROR_INPUT.error("RMI_REALM_CREATE: " + e.getMessage());
        }
        return new RealmLaunch(rmm, rmm.create(request.policy(), params), memory);
    }

    @Override
    public GuestStatus status(long handle) {
        synchronized (rmm) {
            Realm r = rmm.realm(handle);
            Map<String, String> d = new LinkedHashMap<>();
            d.put("RIM", Rmm.hex(r.rim.value()));
            d.put("hash_algo", r.algorithm.tokenName());
            d.put("RECs", String.valueOf(r.recs));
            d.put("entered", String.valueOf(r.entered));
            d.put("RIPAS RAM granules", String.valueOf(r.ram.size()));
            return new GuestStatus(r.rd, r.state.name(), new KeySlot(Cca.KEY_SLOT, r.mecid), r.policy, d);
        }
    }

    @Override
    public String state(long handle) {
        synchronized (rmm) {
            return rmm.realm(handle).state.name();
        }
    }

    /** A realm's MEC stays bound while it exists: the RMM has no separate activation. */
    @Override
    public void activate(long handle) {
        throw RmiStatus.RMI_ERROR_INPUT.error("the RMM has no command to rebind a realm's memory encryption context; "
                + "it is bound from RMI_REALM_CREATE to RMI_REALM_DESTROY");
    }

    /** See {@link #activate(long)}. */
    @Override
    public void deactivate(long handle) {
        throw RmiStatus.RMI_ERROR_INPUT.error("the RMM has no command to unbind a realm's memory encryption context; "
                + "RMI_REALM_DESTROY frees it");
    }

    @Override
    public void decommission(long handle) {
        rmm.destroy(handle);
    }

    @Override
    public byte[] debugDecrypt(long handle, GuestMemory memory, long gpa, int length) {
        rmm.realm(handle);
        throw RmiStatus.RMI_ERROR_INPUT.error("the RMM gives the host no way to read realm memory: realms are not "
                + "debuggable from the host");
    }

    // ---- AttestationService -----------------------------------------------------------------------------------

    @Override
    public String format() {
        return Cca.EVIDENCE_FORMAT;
    }

    /**
     * RSI_ATTESTATION_TOKEN_INIT with the challenge (report data zero-padded to 64 bytes), then
     * RSI_ATTESTATION_TOKEN_CONTINUE until the token is complete.
     */
    @Override
    public Evidence attest(long handle, GuestMemory memory, byte[] reportData) {
        if (reportData == null || reportData.length > 64) {
            throw RmiStatus.RSI_ERROR_INPUT.error("RSI_ATTESTATION_TOKEN_INIT: the challenge is at most 64 bytes, got "
                    + (reportData == null ? "none" : reportData.length));
        }
        byte[] token;
        synchronized (rmm) {
            Realm r = rmm.realm(handle);
            if (r.state != Realm.State.REALM_ACTIVE || !r.entered) {
                throw RmiStatus.RSI_ERROR_STATE.error("RSI_ATTESTATION_TOKEN_INIT: the realm is " + r.state
                        + (r.entered ? "" : " and has not run"));
            }
            token = TokenIssuer.token(rmm, r, Arrays.copyOf(reportData, 64));
        }
        return new Evidence(Cca.EVIDENCE_FORMAT, token, List.of(), Map.of());
    }

    Rmm rmm() {
        return rmm;
    }
}
