package io.teebox.tpm.guest.internal;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Function;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.guest.EventRecord;
import io.teebox.api.guest.GuestContext;
import io.teebox.api.guest.PrivilegeLevels;
import io.teebox.api.guest.RuntimeMeasurements;
import io.teebox.api.hypervisor.Hypervisor;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.x509.X509Authority;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.guest.GuestTpm;
import io.teebox.tpm.vtpm.VirtualTpm;

/**
 * One guest's vTPM: every call restores the TPM from the guest's pages (through its key, at the most privileged
 * level), runs its commands and writes the state back, so nothing of it lives outside the guest between calls.
 */
final class GuestTpmImpl implements GuestTpm {

    private static final Clock CLOCK = Clock.systemUTC();

    private final Hypervisor hypervisor;
    private final String guest;
    private final long address;

    GuestTpmImpl(Hypervisor hypervisor, String guest, long address) {
        this.hypervisor = hypervisor;
        this.guest = guest;
        this.address = address;
    }

    /** The state area of a guest: below the top 256 KiB of its memory. */
    static long stateAddress(long memoryBytes) {
        return memoryBytes - 256 * 1024 - STATE_SIZE;
    }

    @Override
    public String guest() {
        return guest;
    }

    @Override
    public long stateAddress() {
        return address;
    }

    private static Optional<PrivilegeLevels> levels(GuestContext ctx) {
        return ctx.extension(PrivilegeLevels.class);
    }

    /** Reads the pages as the paravisor: level 0. */
    static byte[] read(GuestContext ctx, long gpa, int length) {
        Optional<PrivilegeLevels> l = levels(ctx);
        return l.isPresent() ? l.get().read(0, gpa, length) : ctx.read(gpa, length);
    }

    private static void write(GuestContext ctx, long gpa, byte[] data) {
        Optional<PrivilegeLevels> l = levels(ctx);
        if (l.isPresent()) {
            l.get().write(0, gpa, data);
        } else {
            ctx.write(gpa, data);
        }
    }

    /** @return the state in the guest's pages, or empty when they hold none */
    static Optional<VtpmState> load(GuestContext ctx, long address) {
        byte[] header;
        try {
            header = read(ctx, address, VtpmState.HEADER);
        } catch (RuntimeException notThere) {
            return Optional.empty();
        }
        int size = VtpmState.size(header);
        if (size < 0) {
            return Optional.empty();
        }
        if (size > STATE_SIZE) {
            throw new IllegalStateException("the vTPM state of " + size + " bytes exceeds its " + STATE_SIZE
                    + "-byte area");
        }
        return Optional.of(VtpmState.parse(read(ctx, address, size)));
    }

    private void store(GuestContext ctx, VtpmState s) {
        byte[] b = s.toBytes();
        if (b.length > STATE_SIZE) {
            throw new IllegalStateException("the vTPM state of " + b.length + " bytes exceeds its " + STATE_SIZE
                    + "-byte area");
        }
        write(ctx, address, b);
    }

    /** Runs commands on the TPM restored from the guest's pages and writes its state back. */
    private synchronized <T> T run(Function<Session, T> work) {
        GuestContext ctx = hypervisor.context(guest);
        VtpmState s = load(ctx, address).orElseThrow(() -> new IllegalStateException("guest " + guest
                + "'s vTPM pages hold no state"));
        VirtualTpm tpm = VirtualTpm.restore(s.tpm(), CLOCK);
        Session session = new Session(ctx, s, tpm, new VtpmEngineRoom(tpm));
        T result = work.apply(session);
        store(ctx, session.state.with(tpm.exportState(), session.state.eventLog()));
        return result;
    }

    /** One call's view: the context, the state read and the TPM. */
    static final class Session {
        final GuestContext ctx;
        VtpmState state;
        final VirtualTpm tpm;
        final VtpmEngineRoom room;

        Session(GuestContext ctx, VtpmState state, VirtualTpm tpm, VtpmEngineRoom room) {
            this.ctx = ctx;
            this.state = state;
            this.tpm = tpm;
            this.room = room;
        }
    }

    /**
     * Provisions a vTPM in the guest's pages: validates them, keeps the guest OS's level out of them, makes the
     * TPM, its keys and the EK certificate.
     */
    static GuestTpmImpl provision(Hypervisor hypervisor, String guest, long address, VtpmCa ca) {
        GuestContext ctx = hypervisor.context(guest);
        for (long gpa = address; gpa < address + STATE_SIZE; gpa += 4096) {
            ctx.accept(gpa, true);
        }
        Optional<PrivilegeLevels> levels = levels(ctx);
        if (levels.isPresent()) {
            for (long gpa = address; gpa < address + STATE_SIZE; gpa += 4096) {
                for (int level = 1; level < levels.get().count(); level++) {
                    levels.get().permit(gpa, level, false, false, false);
                }
            }
        }
        byte[] seed = new byte[64];
        new SecureRandom().nextBytes(seed);
        VirtualTpm tpm = VirtualTpm.create(seed, CLOCK);
        Arrays.fill(seed, (byte) 0);
        VtpmEngineRoom room = new VtpmEngineRoom(tpm);
        room.startup();
        TpmtPublic ek = room.ekPublic();
        X509Certificate cert = ca.issueEk(guest, ek.publicKey());
        byte[] der = X509Authority.toDer(cert);
        room.nvDefineAndWrite(EK_CERT_INDEX, der);
        VtpmEngineRoom.Primary srk = room.createPrimary(Tpm2.OWNER, VtpmEngineRoom.storageTemplate());
        VtpmEngineRoom.Primary ak = room.createPrimary(Tpm2.ENDORSEMENT, VtpmEngineRoom.akTemplate());
        VtpmEngineRoom.Primary dec = room.createPrimary(Tpm2.ENDORSEMENT, VtpmEngineRoom.decryptTemplate());
        VtpmState s = new VtpmState(srk.handle(), ak.handle(), dec.handle(), ek.toBytes(),
                ak.publicArea().toBytes(), dec.publicArea().toBytes(), der.length, tpm.exportState(), new byte[0]);
        GuestTpmImpl g = new GuestTpmImpl(hypervisor, guest, address);
        g.store(ctx, s);
        return g;
    }

    @Override
    public byte[] execute(byte[] command) {
        return run(s -> s.tpm.execute(command.clone()));
    }

    @Override
    public void reboot() {
        run(s -> {
            s.tpm.reset();
            s.room.startup();
            // _TPM_Init flushed the transient keys: the primaries come back the same from the same seeds
            int srk = s.room.createPrimary(Tpm2.OWNER, VtpmEngineRoom.storageTemplate()).handle();
            int ak = s.room.createPrimary(Tpm2.ENDORSEMENT, VtpmEngineRoom.akTemplate()).handle();
            int dec = s.room.createPrimary(Tpm2.ENDORSEMENT, VtpmEngineRoom.decryptTemplate()).handle();
            s.state = s.state.withHandles(srk, ak, dec, s.state.tpm());
            s.state = s.state.with(s.state.tpm(), new byte[0]);
            return null;
        });
    }

    static TpmAlgId bank(String bank) {
        return switch (bank) {
            case "sha256" -> TpmAlgId.SHA256;
            case "sha384" -> TpmAlgId.SHA384;
            default -> throw new IllegalArgumentException("PCR bank '" + bank + "' is not one of this vTPM's: "
                    + "sha256, sha384");
        };
    }

    @Override
    public SortedMap<Integer, byte[]> pcrs(String bank) {
        TpmAlgId alg = bank(bank);
        return run(s -> s.room.pcrs(alg, VtpmEngineRoom.all()));
    }

    /** The RTMR UEFI's CC measurement protocol maps a PCR to (TDX), or -1. */
    static int rtmr(int pcr) {
        if (pcr == 1 || pcr == 7) {
            return 0;
        }
        if (pcr >= 2 && pcr <= 6) {
            return 1;
        }
        if (pcr >= 8 && pcr <= 15) {
            return 2;
        }
        return -1;
    }

    @Override
    public void extend(int pcr, Map<String, byte[]> digests) {
        if (pcr < 0 || pcr > 23) {
            throw new IllegalArgumentException("PCR " + pcr + " is not 0..23");
        }
        Map<TpmAlgId, byte[]> byAlg = new EnumMap<>(TpmAlgId.class);
        digests.forEach((bank, d) -> {
            TpmAlgId a = bank(bank);
            if (d.length != a.digestSize()) {
                throw new IllegalArgumentException(bank + " digest is " + d.length + " bytes, expected "
                        + a.digestSize());
            }
            byAlg.put(a, d.clone());
        });
        run(s -> {
            s.room.extend(pcr, byAlg);
            RuntimeMeasurements m = s.ctx.measurements();
            int r = rtmr(pcr);
            if (m.kind().equals("RTMR") && r >= 0 && byAlg.containsKey(TpmAlgId.SHA384)) {
                m.extend(r, Bytes.of(byAlg.get(TpmAlgId.SHA384)), new EventRecord(r, 0, Bytes.of(byAlg.get(
                        TpmAlgId.SHA384)), Bytes.of(new byte[0]), "vTPM PCR " + pcr + " mirrored"));
            }
            return null;
        });
    }

    private VtpmState state() {
        return run(s -> s.state);
    }

    @Override
    public byte[] ekPublic() {
        return state().ekPublic().clone();
    }

    @Override
    public byte[] akPublic() {
        return state().akPublic().clone();
    }

    @Override
    public byte[] encryptionKeyPublic() {
        return state().decryptPublic().clone();
    }

    @Override
    public X509Certificate ekCertificate() {
        return X509Authority.certificateFromDer(run(s -> s.room.nvRead(EK_CERT_INDEX, s.state.ekCertSize())));
    }

    @Override
    public Quote quote(int[] pcrs, byte[] qualifyingData) {
        int[] sorted = pcrs.clone();
        Arrays.sort(sorted);
        return run(s -> {
            byte[][] q = s.room.quote(s.state.ak(), sorted, qualifyingData);
            return new Quote(q[0], q[1], s.room.pcrs(TpmAlgId.SHA256, sorted));
        });
    }

    @Override
    public byte[] seal(byte[] secret, int[] pcrs) {
        return run(s -> s.room.seal(s.state.srk(), secret, pcrs));
    }

    @Override
    public byte[] unseal(byte[] blob, int[] pcrs) {
        return run(s -> s.room.unseal(s.state.srk(), blob, pcrs));
    }

    @Override
    public byte[] decrypt(byte[] ciphertext) {
        return run(s -> s.room.decrypt(s.state.decrypt(), ciphertext));
    }

    @Override
    public void eventLog(byte[] log) {
        run(s -> {
            s.state = s.state.with(s.state.tpm(), log.clone());
            return null;
        });
    }

    @Override
    public byte[] eventLog() {
        return state().eventLog().clone();
    }

    @Override
    public byte[] runtimeClaims() {
        VtpmState s = state();
        JsonArray keys = new JsonArray();
        keys.add(jwk("HCLAkPub", "sign", TpmtPublic.fromBytes(s.akPublic())));
        keys.add(jwk("HCLEkPub", "encrypt", TpmtPublic.fromBytes(s.decryptPublic())));
        JsonObject vm = new JsonObject();
        vm.addProperty("console-enabled", false);
        vm.addProperty("secure-boot", true);
        vm.addProperty("tpm-enabled", true);
        vm.addProperty("tpm-persisted", true);
        vm.addProperty("vmUniqueId", UUID.nameUUIDFromBytes(guest.getBytes(StandardCharsets.UTF_8)).toString());
        JsonObject claims = new JsonObject();
        claims.add("keys", keys);
        claims.add("vm-configuration", vm);
        claims.addProperty("user-data", HexFormat.of().formatHex(new byte[64]).toUpperCase(java.util.Locale.ROOT));
        return claims.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JsonObject jwk(String kid, String op, TpmtPublic pub) {
        RSAPublicKey k = (RSAPublicKey) pub.publicKey();
        JsonObject o = new JsonObject();
        o.addProperty("kid", kid);
        JsonArray ops = new JsonArray();
        ops.add(op);
        o.add("key_ops", ops);
        o.addProperty("kty", "RSA");
        o.addProperty("e", b64url(unsigned(k.getPublicExponent())));
        o.addProperty("n", b64url(unsigned(k.getModulus())));
        return o;
    }

    private static byte[] unsigned(BigInteger v) {
        byte[] b = v.toByteArray();
        return b.length > 1 && b[0] == 0 ? Arrays.copyOfRange(b, 1, b.length) : b;
    }

    private static String b64url(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] evidence(byte[] nonce, int[] pcrs) {
        byte[] claims = runtimeClaims();
        byte[] reportData = Arrays.copyOf(sha256(claims), 64);
        GuestContext ctx = hypervisor.context(guest);
        Optional<PrivilegeLevels> l = levels(ctx);
        Evidence hw = l.isPresent() ? l.get().evidence(0, Bytes.of(reportData)) : ctx.evidence(Bytes.of(reportData));
        Quote q = quote(pcrs, nonce);
        Base64.Encoder b64 = Base64.getEncoder();
        JsonObject hardware = new JsonObject();
        hardware.addProperty("format", hw.format());
        hardware.addProperty("evidence", b64.encodeToString(hw.report()));
        JsonArray certs = new JsonArray();
        hw.certificates().forEach(c -> certs.add(b64.encodeToString(c)));
        hardware.add("certificates", certs);
        JsonObject quote = new JsonObject();
        quote.addProperty("message", b64.encodeToString(q.attest()));
        quote.addProperty("signature", b64.encodeToString(q.signature()));
        JsonObject values = new JsonObject();
        q.pcrValues().forEach((k, v) -> values.addProperty(Integer.toString(k), HexFormat.of().formatHex(v)));
        quote.add("pcrs", values);
        JsonObject e = new JsonObject();
        e.add("hardware", hardware);
        e.addProperty("runtime_claims", b64.encodeToString(claims));
        e.add("quote", quote);
        e.addProperty("event_log", b64.encodeToString(eventLog()));
        return e.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return the PCRs as hex, for the shell */
    Map<Integer, String> hex(String bank) {
        Map<Integer, String> out = new LinkedHashMap<>();
        pcrs(bank).forEach((k, v) -> out.put(k, HexFormat.of().formatHex(v)));
        return out;
    }
}
