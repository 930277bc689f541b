package io.teebox.tpm.vtpm.internal;

import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import io.teebox.kit.crypto.Hmac;
import io.teebox.kit.crypto.Kdf;
import io.teebox.tpm.abi.CommandHeader;
import io.teebox.tpm.abi.PolicyDigests;
import io.teebox.tpm.abi.ResponseHeader;
import io.teebox.tpm.abi.Tpm2bData;
import io.teebox.tpm.abi.Tpm2bDigest;
import io.teebox.tpm.abi.Tpm2bName;
import io.teebox.tpm.abi.Tpm2bPrivate;
import io.teebox.tpm.abi.Tpm2bPublic;
import io.teebox.tpm.abi.Tpm2bSensitiveCreate;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmSt;
import io.teebox.tpm.abi.TpmWriter;
import io.teebox.tpm.abi.TpmlDigest;
import io.teebox.tpm.abi.TpmlDigestValues;
import io.teebox.tpm.abi.TpmlPcrSelection;
import io.teebox.tpm.abi.TpmsAttest;
import io.teebox.tpm.abi.TpmsClockInfo;
import io.teebox.tpm.abi.TpmsEccParms;
import io.teebox.tpm.abi.TpmsNvPublic;
import io.teebox.tpm.abi.TpmsPcrSelection;
import io.teebox.tpm.abi.TpmsQuoteInfo;
import io.teebox.tpm.abi.TpmsRsaParms;
import io.teebox.tpm.abi.TpmtAsymScheme;
import io.teebox.tpm.abi.TpmtHa;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSignature;
import io.teebox.tpm.vtpm.VirtualTpm;

/** The TPM 2.0 command processor: command framing, authorization and the commands themselves. */
public final class TpmEngine implements VirtualTpm {

    /** How a command is framed: handles in the handle area, how many of them need authorization, an out handle. */
    record Command(int handles, int auths, boolean outHandle, Handler handler) {
    }

    @FunctionalInterface
    interface Handler {
        void run(TpmEngine tpm, Call call);
    }

    static final Map<TpmCc, Command> COMMANDS = new EnumMap<>(TpmCc.class);

    static {
        COMMANDS.put(TpmCc.Startup, new Command(0, 0, false, TpmEngine::startup));
        COMMANDS.put(TpmCc.Shutdown, new Command(0, 0, false, TpmEngine::shutdown));
        COMMANDS.put(TpmCc.SelfTest, new Command(0, 0, false, (t, c) -> {
            c.in.u8("fullTest");
            c.end();
        }));
        COMMANDS.put(TpmCc.GetTestResult, new Command(0, 0, false, (t, c) -> {
            c.end();
            c.out.tpm2b(new byte[0]).u32(TpmRc.SUCCESS.value());
        }));
        COMMANDS.put(TpmCc.GetRandom, new Command(0, 0, false, TpmEngine::getRandom));
        COMMANDS.put(TpmCc.GetCapability, new Command(0, 0, false, TpmEngine::getCapability));
        COMMANDS.put(TpmCc.PCR_Read, new Command(0, 0, false, TpmEngine::pcrRead));
        COMMANDS.put(TpmCc.PCR_Extend, new Command(1, 1, false, TpmEngine::pcrExtend));
        COMMANDS.put(TpmCc.CreatePrimary, new Command(1, 1, true, TpmEngine::createPrimary));
        COMMANDS.put(TpmCc.Create, new Command(1, 1, false, TpmEngine::create));
        COMMANDS.put(TpmCc.Load, new Command(1, 1, true, TpmEngine::load));
        COMMANDS.put(TpmCc.ReadPublic, new Command(1, 0, false, TpmEngine::readPublic));
        COMMANDS.put(TpmCc.FlushContext, new Command(0, 0, false, TpmEngine::flushContext));
        COMMANDS.put(TpmCc.ContextSave, new Command(1, 0, false, TpmEngine::contextSave));
        COMMANDS.put(TpmCc.ContextLoad, new Command(0, 0, true, TpmEngine::contextLoad));
        COMMANDS.put(TpmCc.Quote, new Command(1, 1, false, TpmEngine::quote));
        COMMANDS.put(TpmCc.StartAuthSession, new Command(2, 0, true, TpmEngine::startAuthSession));
        COMMANDS.put(TpmCc.PolicyPCR, new Command(1, 0, false, TpmEngine::policyPcr));
        COMMANDS.put(TpmCc.PolicyGetDigest, new Command(1, 0, false, TpmEngine::policyGetDigest));
        COMMANDS.put(TpmCc.PolicyRestart, new Command(1, 0, false, TpmEngine::policyRestart));
        COMMANDS.put(TpmCc.Unseal, new Command(1, 1, false, TpmEngine::unseal));
        COMMANDS.put(TpmCc.RSA_Decrypt, new Command(1, 1, false, TpmEngine::rsaDecrypt));
        COMMANDS.put(TpmCc.NV_DefineSpace, new Command(1, 1, false, TpmEngine::nvDefineSpace));
        COMMANDS.put(TpmCc.NV_UndefineSpace, new Command(2, 1, false, TpmEngine::nvUndefineSpace));
        COMMANDS.put(TpmCc.NV_Write, new Command(2, 1, false, TpmEngine::nvWrite));
        COMMANDS.put(TpmCc.NV_Read, new Command(2, 1, false, TpmEngine::nvRead));
        COMMANDS.put(TpmCc.NV_ReadPublic, new Command(1, 0, false, TpmEngine::nvReadPublic));
        COMMANDS.put(TpmCc.ReadClock, new Command(0, 0, false, (t, c) -> {
            c.end();
            TpmsClockInfo ci = t.clockInfo();
            c.out.u64(ci.clock());
            ci.write(c.out);
        }));
    }

    static final TpmAlgId[] BANKS = {TpmAlgId.SHA1, TpmAlgId.SHA256, TpmAlgId.SHA384};
    private static final int STATE_MAGIC = 0x7674706D; // "vtpm"
    private static final int STATE_VERSION = 1;
    private static final int MAX_OBJECTS = 64;
    private static final int MAX_SESSIONS = 64;
    private static final int TPM_SU_CLEAR = 0;
    private static final int TPM_SU_STATE = 1;

    private final Clock clock;
    private final Drbg drbg;
    private final byte[] eps;
    private final byte[] sps;
    private final byte[] pps;
    private final byte[] proof;
    private byte[] nullSeed;
    private final Map<TpmAlgId, byte[][]> pcrs = new EnumMap<>(TpmAlgId.class);
    private final Map<Integer, NvIndex> nv = new TreeMap<>(Integer::compareUnsigned);
    private final Map<Integer, TpmObject> objects = new TreeMap<>(Integer::compareUnsigned);
    private final Map<Integer, Session> sessions = new TreeMap<>();
    private long pcrUpdateCounter;
    private long clockBase;
    private final long clockStart;
    private int resetCount;
    private int restartCount;
    private boolean started;
    /** The last Shutdown's type, or -1 if there was none since the last Startup. */
    private int shutdownType = -1;
    private long contextSequence;

    /**
     * Creates a TPM whose seeds follow from a seed.
     *
     * @param seed at least 32 bytes
     * @param clock the time source
     */
    public TpmEngine(byte[] seed, Clock clock) {
        if (seed.length < 32) {
            throw new IllegalArgumentException("vTPM seed is " + seed.length + " bytes, expected at least 32");
        }
        this.clock = clock;
        this.clockStart = clock.millis();
        this.eps = derive(seed, "EPS");
        this.sps = derive(seed, "SPS");
        this.pps = derive(seed, "PPS");
        this.proof = derive(seed, "PROOF");
        this.drbg = new Drbg(derive(seed, "DRBG"), 0);
        initPcrs();
        reset();
    }

    private TpmEngine(Clock clock, byte[] eps, byte[] sps, byte[] pps, byte[] proof, Drbg drbg) {
        this.clock = clock;
        this.clockStart = clock.millis();
        this.eps = eps;
        this.sps = sps;
        this.pps = pps;
        this.proof = proof;
        this.drbg = drbg;
    }

    private static byte[] derive(byte[] seed, String label) {
        return Kdf.counterHmacSha256(seed, ("teebox-vtpm-" + label).getBytes(), new byte[0], 32);
    }

    private void initPcrs() {
        for (TpmAlgId bank : BANKS) {
            byte[][] v = new byte[Handles.PCR_COUNT][];
            for (int i = 0; i < v.length; i++) {
                v[i] = new byte[bank.digestSize()];
                if (i >= 17 && i <= 22) {
                    Arrays.fill(v[i], (byte) 0xFF); // PC Client: DRTM PCRs start at -1 until a DRTM event
                }
            }
            pcrs.put(bank, v);
        }
    }

    @Override
    public synchronized void reset() {
        started = false;
        objects.clear();
        sessions.clear();
        nullSeed = drbg.next(32);
    }

    // ---------------------------------------------------------------- framing

    /** One command's parsed frame and its response under construction. */
    static final class Call {
        final TpmCc cc;
        final int[] handles;
        final TpmReader in;
        final TpmWriter out = new TpmWriter();
        final List<AuthSession> auths;
        Integer outHandle;
        int param;

        Call(TpmCc cc, int[] handles, TpmReader in, List<AuthSession> auths) {
            this.cc = cc;
            this.handles = handles;
            this.in = in;
            this.auths = auths;
        }

        /** Parses parameter number n, qualifying a failure with it. */
        <T> T p(int n, Supplier<T> parse) {
            param = n;
            try {
                return parse.get();
            } catch (TpmException e) {
                throw e.atParameter(n);
            }
        }

        void end() {
            if (in.remaining() != 0) {
                throw new TpmException(TpmRc.SIZE, "the command has " + in.remaining()
                        + " bytes after its parameters, expected none");
            }
        }
    }

    /** One session of a command's authorization area. */
    record AuthSession(int handle, byte[] nonceCaller, int attributes, byte[] hmac) {
        boolean continueSession() {
            return (attributes & 1) != 0;
        }
    }

    @Override
    public synchronized byte[] execute(byte[] command) {
        try {
            return run(command);
        } catch (TpmException e) {
            if (e.rc() == TpmRc.BAD_TAG) {
                TpmWriter w = new TpmWriter();
                new ResponseHeader(TpmSt.RSP_COMMAND, 10, TpmRc.BAD_TAG.value()).write(w);
                return w.toByteArray();
            }
            return ResponseHeader.error(e.code());
        } catch (RuntimeException e) {
            return ResponseHeader.error(TpmRc.FAILURE.value());
        }
    }

    private byte[] run(byte[] command) {
        if (command.length > Capabilities.MAX_COMMAND_SIZE) {
            throw new TpmException(TpmRc.COMMAND_SIZE, "the command is " + command.length + " bytes, expected at most "
                    + Capabilities.MAX_COMMAND_SIZE);
        }
        CommandHeader h = CommandHeader.parse(command);
        TpmCc cc = TpmCc.fromValue(h.commandCode());
        Command desc = COMMANDS.get(cc);
        if (desc == null) {
            throw new TpmException(TpmRc.COMMAND_CODE, "TPM_CC " + cc.name() + " is not implemented by this TPM");
        }
        if (!started && cc != TpmCc.Startup) {
            throw new TpmException(TpmRc.INITIALIZE, "the TPM waits for TPM2_Startup");
        }
        TpmReader in = new TpmReader(command, CommandHeader.SIZE, command.length - CommandHeader.SIZE);
        int[] handles = new int[desc.handles()];
        for (int i = 0; i < handles.length; i++) {
            handles[i] = in.u32("handle " + (i + 1));
        }
        List<AuthSession> auths = new ArrayList<>();
        if (h.tag() == TpmSt.SESSIONS) {
            int size = in.u32("authorizationSize");
            if (size < 9 || size > in.remaining()) {
                throw new TpmException(TpmRc.AUTHSIZE, "authorizationSize is " + Integer.toUnsignedString(size)
                        + ", expected 9 to " + in.remaining());
            }
            TpmReader a = new TpmReader(in.bytes(size, "authorization area"));
            while (a.remaining() > 0) {
                if (auths.size() == 3) {
                    throw new TpmException(TpmRc.AUTHSIZE, "the authorization area holds more than 3 sessions");
                }
                int sh = a.u32("sessionHandle");
                byte[] nonce = a.tpm2b(64, "nonceCaller");
                int attrs = a.u8("sessionAttributes");
                byte[] hmac = a.tpm2b(64, "hmac");
                auths.add(new AuthSession(sh, nonce, attrs, hmac));
            }
            if (desc.auths() == 0 && desc.handles() > 0 && (cc == TpmCc.ContextSave || cc == TpmCc.FlushContext)) {
                throw new TpmException(TpmRc.AUTH_CONTEXT, "TPM2_" + cc.name() + " takes no sessions");
            }
        }
        if (auths.size() < desc.auths()) {
            throw new TpmException(TpmRc.AUTH_MISSING, "TPM2_" + cc.name() + " needs " + desc.auths()
                    + " authorization session, found " + auths.size());
        }
        for (int i = 0; i < handles.length; i++) {
            checkHandle(cc, handles[i], i + 1);
        }
        byte[] cpBuffer = in.bytes(in.remaining(), "parameters");
        TpmWriter cpData = new TpmWriter().u32(cc.value());
        for (int hd : handles) {
            cpData.bytes(nameOf(hd).name());
        }
        byte[] cpPrefix = cpData.toByteArray();
        byte[][] keys = new byte[auths.size()][];
        for (int i = 0; i < auths.size(); i++) {
            AuthSession a = auths.get(i);
            Session s = sessions.get(a.handle());
            if (a.handle() != Handles.TPM_RS_PW && s == null) {
                throw new TpmException(TpmRc.REFERENCE_S0, TpmRc.REFERENCE_S0.value() + i, String.format(
                        "session %d is 0x%08x, which is not loaded", i + 1, a.handle()));
            }
            byte[] authValue = i < desc.auths() ? authorize(cc, handles[i], a, i + 1) : new byte[0];
            if (s == null) {
                continue;
            }
            keys[i] = s.bindHandle != null && i < desc.auths() && s.bindHandle == handles[i] ? s.sessionKey
                    : concat(s.sessionKey, trimZeros(authValue));
            if (s.type == Session.TPM_SE_HMAC) {
                byte[] cpHash = s.authHash.hash(cpPrefix, cpBuffer);
                byte[] expected = SessionCrypto.hmac(s.authHash, keys[i], cpHash, a.nonceCaller(), s.nonceTpm,
                        new byte[] {(byte) a.attributes()});
                if (!MessageDigest.isEqual(expected, a.hmac())) {
                    TpmRc rc = i < desc.auths() && noDa(handles[i]) ? TpmRc.BAD_AUTH : TpmRc.AUTH_FAIL;
                    throw new TpmException(rc, rc.withSession(i + 1), "the HMAC of session " + (i + 1) + " of TPM2_"
                            + cc.name() + " is wrong");
                }
            }
        }
        for (int i = 0; i < auths.size(); i++) {
            Session s = sessions.get(auths.get(i).handle());
            if (s != null && (auths.get(i).attributes() & ATTR_DECRYPT) != 0) {
                if (!IN_2B.contains(cc) || cpBuffer.length < 2) {
                    throw new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withSession(i + 1), "TPM2_" + cc.name()
                            + "'s first parameter is not a TPM2B, so it cannot be encrypted");
                }
                int len = (cpBuffer[0] & 0xFF) << 8 | cpBuffer[1] & 0xFF;
                if (len > cpBuffer.length - 2) {
                    throw new TpmException(TpmRc.SIZE, TpmRc.SIZE.withParameter(1), "the encrypted parameter is "
                            + len + " bytes, the parameter area holds " + (cpBuffer.length - 2));
                }
                byte[] plain = crypt(false, s, keys[i], auths.get(i).nonceCaller(), s.nonceTpm,
                        Arrays.copyOfRange(cpBuffer, 2, 2 + len));
                cpBuffer = cpBuffer.clone();
                System.arraycopy(plain, 0, cpBuffer, 2, len);
            }
        }
        Call call = new Call(cc, handles, new TpmReader(cpBuffer), auths);
        desc.handler().run(this, call);
        byte[] params = call.out.toByteArray();
        TpmWriter body = new TpmWriter();
        if (desc.outHandle()) {
            body.u32(call.outHandle);
        }
        if (h.tag() == TpmSt.SESSIONS) {
            for (AuthSession a : auths) {
                Session s = sessions.get(a.handle());
                if (s != null) {
                    s.nonceTpm = drbg.next(s.authHash.digestSize());
                }
            }
            for (int i = 0; i < auths.size(); i++) {
                Session s = sessions.get(auths.get(i).handle());
                if (s != null && (auths.get(i).attributes() & ATTR_ENCRYPT) != 0 && OUT_2B.contains(cc)
                        && params.length >= 2) {
                    int len = (params[0] & 0xFF) << 8 | params[1] & 0xFF;
                    byte[] enc = crypt(true, s, keys[i], s.nonceTpm, auths.get(i).nonceCaller(),
                            Arrays.copyOfRange(params, 2, 2 + len));
                    System.arraycopy(enc, 0, params, 2, len);
                }
            }
            body.u32(params.length).bytes(params);
            byte[] rpHash;
            for (int i = 0; i < auths.size(); i++) {
                AuthSession a = auths.get(i);
                Session s = sessions.get(a.handle());
                if (s == null) {
                    body.tpm2b(new byte[0]).u8(a.attributes() & 1).tpm2b(new byte[0]);
                    continue;
                }
                // policy sessions answer with an HMAC too, keyed by the session key alone (no PolicyAuthValue here)
                rpHash = s.authHash.hash(new TpmWriter().u32(0).u32(cc.value()).toByteArray(), params);
                byte[] hmac = SessionCrypto.hmac(s.authHash, keys[i], rpHash, s.nonceTpm, a.nonceCaller(),
                        new byte[] {(byte) a.attributes()});
                body.tpm2b(s.nonceTpm).u8(a.attributes()).tpm2b(hmac);
                if (!a.continueSession()) {
                    sessions.remove(a.handle());
                }
            }
        } else {
            body.bytes(params);
        }
        byte[] b = body.toByteArray();
        TpmWriter w = new TpmWriter();
        new ResponseHeader(h.tag(), CommandHeader.SIZE + b.length, TpmRc.SUCCESS.value()).write(w);
        return w.bytes(b).toByteArray();
    }

    private static final int ATTR_DECRYPT = 0x20;
    private static final int ATTR_ENCRYPT = 0x40;
    /** Commands whose first parameter is a TPM2B, so that a session can encrypt it. */
    private static final java.util.Set<TpmCc> IN_2B = java.util.EnumSet.of(TpmCc.CreatePrimary, TpmCc.Create,
            TpmCc.Load, TpmCc.Quote, TpmCc.StartAuthSession, TpmCc.PolicyPCR, TpmCc.NV_DefineSpace, TpmCc.NV_Write,
            TpmCc.RSA_Decrypt);
    /** Commands whose first response parameter is a TPM2B. */
    private static final java.util.Set<TpmCc> OUT_2B = java.util.EnumSet.of(TpmCc.GetRandom, TpmCc.CreatePrimary,
            TpmCc.Create, TpmCc.Load, TpmCc.ReadPublic, TpmCc.Quote, TpmCc.StartAuthSession, TpmCc.PolicyGetDigest,
            TpmCc.Unseal, TpmCc.NV_Read, TpmCc.NV_ReadPublic, TpmCc.GetTestResult, TpmCc.RSA_Decrypt);

    private static byte[] crypt(boolean encrypt, Session s, byte[] key, byte[] nonceNewer, byte[] nonceOlder,
            byte[] data) {
        if (s.symmetric == TpmAlgId.AES) {
            return SessionCrypto.cfb(encrypt, s.authHash, s.symKeyBits, key, nonceNewer, nonceOlder, data);
        }
        if (s.symmetric == TpmAlgId.XOR) {
            return SessionCrypto.xor(s.authHash, key, nonceNewer, nonceOlder, data);
        }
        throw new TpmException(TpmRc.SYMMETRIC, "the session has no symmetric algorithm for parameter encryption");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private boolean noDa(int handle) {
        TpmObject o = objects.get(handle);
        NvIndex i = nv.get(handle);
        return o != null ? o.publicArea.has(TpmtPublic.NO_DA) : i != null && i.has(TpmsNvPublic.NO_DA);
    }

    /** The Name of an entity: objects and NV indices by nameAlg and digest, everything else by handle. */
    private Tpm2bName nameOf(int handle) {
        TpmObject o = objects.get(handle);
        if (o != null) {
            return o.name;
        }
        NvIndex i = nv.get(handle);
        if (i != null) {
            return i.publicArea.name();
        }
        return Tpm2bName.ofHandle(handle);
    }

    /** A handle in the handle area must name something that exists. */
    private void checkHandle(TpmCc cc, int handle, int n) {
        boolean ok = switch (Handles.type(handle)) {
            case 0x00 -> handle < Handles.PCR_COUNT;
            case 0x01 -> nv.containsKey(handle);
            case 0x02, 0x03 -> sessions.containsKey(handle);
            case 0x40 -> Handles.isHierarchy(handle) || handle == Handles.TPM_RH_LOCKOUT;
            case 0x80 -> objects.containsKey(handle);
            default -> false;
        };
        if (!ok) {
            throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withHandle(n), String.format(
                    "handle %d of TPM2_%s is 0x%08x, which is not loaded or defined", n, cc.name(), handle));
        }
    }

    private byte[] authorize(TpmCc cc, int handle, AuthSession a, int n) {
        byte[] authValue;
        Tpm2bDigest authPolicy;
        boolean userWithAuth = true;
        boolean noDa = false;
        NvIndex idx = nv.get(handle);
        TpmObject obj = objects.get(handle);
        if (obj != null) {
            authValue = obj.authValue;
            authPolicy = obj.publicArea.authPolicy();
            userWithAuth = obj.publicArea.has(TpmtPublic.USER_WITH_AUTH);
            noDa = obj.publicArea.has(TpmtPublic.NO_DA);
        } else if (idx != null) {
            authValue = idx.authValue;
            authPolicy = idx.publicArea.authPolicy();
            noDa = idx.has(TpmsNvPublic.NO_DA);
        } else {
            authValue = new byte[0];
            authPolicy = Tpm2bDigest.EMPTY;
        }
        if (a.handle() == Handles.TPM_RS_PW) {
            if (a.nonceCaller().length != 0) {
                throw new TpmException(TpmRc.NONCE, TpmRc.NONCE.withSession(n), "a password session has a nonce, "
                        + "expected none");
            }
            if (!userWithAuth && (cc == TpmCc.Unseal || cc == TpmCc.Quote || cc == TpmCc.Create
                    || cc == TpmCc.Load || cc == TpmCc.RSA_Decrypt)) {
                throw new TpmException(TpmRc.AUTH_UNAVAILABLE, "the object's userWithAuth is clear, so only a policy "
                        + "session can authorize its use");
            }
            if (!MessageDigest.isEqual(trimZeros(a.hmac()), trimZeros(authValue))) {
                TpmRc rc = noDa ? TpmRc.BAD_AUTH : TpmRc.AUTH_FAIL;
                throw new TpmException(rc, rc.withSession(n), "the password for handle " + n + " of TPM2_" + cc.name()
                        + " is wrong");
            }
            return authValue;
        }
        Session s = sessions.get(a.handle());
        if (s.type == Session.TPM_SE_TRIAL) {
            throw new TpmException(TpmRc.AUTH_TYPE, "a trial policy session cannot authorize TPM2_" + cc.name());
        }
        if (s.type == Session.TPM_SE_HMAC) {
            if (!userWithAuth && (cc == TpmCc.Unseal || cc == TpmCc.Quote || cc == TpmCc.Create
                    || cc == TpmCc.Load || cc == TpmCc.RSA_Decrypt)) {
                throw new TpmException(TpmRc.AUTH_UNAVAILABLE, "the object's userWithAuth is clear, so only a policy "
                        + "session can authorize its use");
            }
            return authValue;
        }
        if (s.pcrCounter >= 0 && s.pcrCounter != pcrUpdateCounter) {
            throw new TpmException(TpmRc.PCR_CHANGED, TpmRc.PCR_CHANGED.value(), "the PCRs changed after "
                    + "TPM2_PolicyPCR");
        }
        if (authPolicy.buffer().length == 0 || !MessageDigest.isEqual(authPolicy.buffer(), s.policyDigest)) {
            throw new TpmException(TpmRc.POLICY_FAIL, TpmRc.POLICY_FAIL.withSession(n), "the policy session's digest "
                    + "does not match the authPolicy of handle " + n);
        }
        return new byte[0];
    }

    private byte[] entityAuth(int handle) {
        TpmObject o = objects.get(handle);
        NvIndex i = nv.get(handle);
        return o != null ? o.authValue : i != null ? i.authValue : new byte[0];
    }

    /** TPM authValues are compared without trailing zeros (Part 1, 19.6.4.3). */
    private static byte[] trimZeros(byte[] v) {
        int n = v.length;
        while (n > 0 && v[n - 1] == 0) {
            n--;
        }
        return Arrays.copyOf(v, n);
    }

    // ---------------------------------------------------------------- startup, random, capabilities

    private static void startup(TpmEngine t, Call c) {
        int type = c.p(1, () -> c.in.u16("startupType"));
        c.end();
        if (t.started) {
            throw new TpmException(TpmRc.INITIALIZE, "TPM2_Startup was already executed");
        }
        if (type != TPM_SU_CLEAR && type != TPM_SU_STATE) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1), "TPM_SU is " + type
                    + ", expected TPM_SU_CLEAR or TPM_SU_STATE");
        }
        if (type == TPM_SU_STATE && t.shutdownType != TPM_SU_STATE) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1),
                    "TPM2_Startup(STATE) needs a preceding TPM2_Shutdown(STATE)");
        }
        if (type == TPM_SU_CLEAR) {
            t.initPcrs();
            t.pcrUpdateCounter = 0;
            if (t.shutdownType == TPM_SU_STATE) {
                t.restartCount++;
            } else if (t.shutdownType == TPM_SU_CLEAR) {
                t.resetCount++;
                t.restartCount = 0;
            }
            for (NvIndex i : t.nv.values()) {
                if (i.has(TpmsNvPublic.WRITE_STCLEAR) || i.has(TpmsNvPublic.READ_STCLEAR)) {
                    i.publicArea = i.publicArea.withAttributes(i.publicArea.attributes() & ~(TpmsNvPublic.WRITELOCKED
                            | TpmsNvPublic.READLOCKED));
                }
            }
        } else {
            t.restartCount++;
        }
        t.shutdownType = -1;
        t.started = true;
    }

    private static void shutdown(TpmEngine t, Call c) {
        int type = c.p(1, () -> c.in.u16("shutdownType"));
        c.end();
        if (type != TPM_SU_CLEAR && type != TPM_SU_STATE) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1), "TPM_SU is " + type
                    + ", expected TPM_SU_CLEAR or TPM_SU_STATE");
        }
        t.shutdownType = type;
    }

    private static void getRandom(TpmEngine t, Call c) {
        int n = c.p(1, () -> c.in.u16("bytesRequested"));
        c.end();
        c.out.tpm2b(t.drbg.next(Math.min(n, Tpm2bDigest.MAX_SIZE)));
    }

    private static void getCapability(TpmEngine t, Call c) {
        int cap = c.p(1, () -> c.in.u32("capability"));
        int prop = c.p(2, () -> c.in.u32("property"));
        int count = c.p(3, () -> c.in.u32("propertyCount"));
        c.end();
        c.out.bytes(Capabilities.answer(t, cap, prop, count < 0 ? Integer.MAX_VALUE : count));
    }

    TpmlPcrSelection allocatedBanks() {
        List<TpmsPcrSelection> l = new ArrayList<>();
        for (TpmAlgId b : BANKS) {
            l.add(new TpmsPcrSelection(b, new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}));
        }
        return new TpmlPcrSelection(l);
    }

    Map<Integer, Integer> variableProperties() {
        Map<Integer, Integer> p = new TreeMap<>();
        p.put(0x200, 0); // TPM_PT_PERMANENT: no auth set, not locked out
        p.put(0x201, 0x80000007); // TPM_PT_STARTUP_CLEAR: phEnable, shEnable, ehEnable, orderly
        p.put(0x202, nv.size()); // TPM_PT_HR_NV_INDEX
        p.put(0x203, sessions.size()); // TPM_PT_HR_LOADED
        p.put(0x204, MAX_SESSIONS - sessions.size()); // TPM_PT_HR_LOADED_AVAIL
        p.put(0x205, 0); // TPM_PT_HR_ACTIVE
        p.put(0x206, MAX_SESSIONS - sessions.size()); // TPM_PT_HR_ACTIVE_AVAIL
        p.put(0x207, MAX_OBJECTS - objects.size()); // TPM_PT_HR_TRANSIENT_AVAIL
        p.put(0x208, 0); // TPM_PT_HR_PERSISTENT
        p.put(0x209, 0); // TPM_PT_HR_PERSISTENT_AVAIL
        p.put(0x20A, 0); // TPM_PT_NV_COUNTERS
        p.put(0x20B, 0); // TPM_PT_NV_COUNTERS_AVAIL
        p.put(0x20C, 0); // TPM_PT_ALGORITHM_SET
        p.put(0x20D, 2); // TPM_PT_LOADED_CURVES
        p.put(0x20E, 0); // TPM_PT_LOCKOUT_COUNTER
        p.put(0x20F, 3); // TPM_PT_MAX_AUTH_FAIL
        p.put(0x210, 1000); // TPM_PT_LOCKOUT_INTERVAL
        p.put(0x211, 1000); // TPM_PT_LOCKOUT_RECOVERY
        p.put(0x212, 0); // TPM_PT_NV_WRITE_RECOVERY
        return p;
    }

    List<Integer> handlesFrom(int first) {
        List<Integer> out = new ArrayList<>();
        int type = Handles.type(first);
        switch (type) {
            case 0x00 -> {
                for (int i = first; i < Handles.PCR_COUNT; i++) {
                    out.add(i);
                }
            }
            case 0x01 -> nv.keySet().stream().filter(k -> Integer.compareUnsigned(k, first) >= 0).forEach(out::add);
            case 0x02, 0x03 -> sessions.keySet().stream().filter(k -> Handles.type(k) == type && k >= first)
                    .forEach(out::add);
            case 0x40 -> {
                for (int h : new int[] {Handles.TPM_RH_OWNER, Handles.TPM_RH_NULL, Handles.TPM_RS_PW,
                        Handles.TPM_RH_LOCKOUT, Handles.TPM_RH_ENDORSEMENT, Handles.TPM_RH_PLATFORM}) {
                    if (h >= first) {
                        out.add(h);
                    }
                }
            }
            case 0x80 -> objects.keySet().stream().filter(k -> Integer.compareUnsigned(k, first) >= 0)
                    .forEach(out::add);
            default -> {
                // persistent handles (0x81): none are kept
            }
        }
        return out;
    }

    // ---------------------------------------------------------------- PCRs

    private static void pcrRead(TpmEngine t, Call c) {
        TpmlPcrSelection sel = c.p(1, () -> TpmlPcrSelection.parse(c.in));
        c.end();
        List<TpmsPcrSelection> outSel = new ArrayList<>();
        List<Tpm2bDigest> values = new ArrayList<>();
        for (TpmsPcrSelection s : sel.pcrSelections()) {
            byte[] bits = new byte[s.pcrSelect().length];
            byte[][] bank = t.pcrs.get(s.hash());
            for (int i : s.pcrs()) {
                if (bank != null && i < Handles.PCR_COUNT && values.size() < TpmlDigest.MAX_COUNT) {
                    values.add(new Tpm2bDigest(bank[i]));
                    bits[i / 8] |= (byte) (1 << (i % 8));
                }
            }
            outSel.add(new TpmsPcrSelection(s.hash(), bits));
        }
        c.out.u32((int) t.pcrUpdateCounter);
        new TpmlPcrSelection(outSel).write(c.out);
        new TpmlDigest(values).write(c.out);
    }

    private static void pcrExtend(TpmEngine t, Call c) {
        TpmlDigestValues digests = c.p(1, () -> TpmlDigestValues.parse(c.in));
        c.end();
        int pcr = c.handles[0];
        if (Handles.type(pcr) != 0) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withHandle(1), String.format(
                    "TPM2_PCR_Extend handle is 0x%08x, expected a PCR", pcr));
        }
        for (TpmtHa d : digests.digests()) {
            byte[][] bank = t.pcrs.get(d.hashAlg());
            if (bank != null) {
                bank[pcr] = d.hashAlg().hash(bank[pcr], d.digest());
            }
        }
        t.pcrUpdateCounter++;
    }

    /** The selected PCR values in selection order. */
    private List<byte[]> selectedValues(TpmlPcrSelection sel) {
        List<byte[]> v = new ArrayList<>();
        for (TpmsPcrSelection s : sel.pcrSelections()) {
            byte[][] bank = pcrs.get(s.hash());
            for (int i : s.pcrs()) {
                if (bank == null || i >= Handles.PCR_COUNT) {
                    throw new TpmException(TpmRc.PCR, "PCR " + i + " of bank TPM_ALG_" + s.hash().name()
                            + " is not implemented");
                }
                v.add(bank[i]);
            }
        }
        return v;
    }

    // ---------------------------------------------------------------- objects

    private byte[] hierarchySeed(int h) {
        return switch (h) {
            case Handles.TPM_RH_ENDORSEMENT -> eps;
            case Handles.TPM_RH_OWNER -> sps;
            case Handles.TPM_RH_PLATFORM -> pps;
            default -> nullSeed;
        };
    }

    private int addObject(TpmObject o) {
        if (objects.size() >= MAX_OBJECTS) {
            throw new TpmException(TpmRc.OBJECT_MEMORY, "all " + MAX_OBJECTS + " transient object slots are in use");
        }
        int h = Handles.TRANSIENT_FIRST;
        while (objects.containsKey(h)) {
            h++;
        }
        objects.put(h, o);
        return h;
    }

    private static void createPrimary(TpmEngine t, Call c) {
        Tpm2bSensitiveCreate sens = c.p(1, () -> Tpm2bSensitiveCreate.parse(c.in));
        TpmtPublic template = c.p(2, () -> Tpm2bPublic.parse(c.in).publicArea());
        Tpm2bData outside = c.p(3, () -> Tpm2bData.parse(c.in));
        TpmlPcrSelection creationPcr = c.p(4, () -> TpmlPcrSelection.parse(c.in));
        c.end();
        int hierarchy = c.handles[0];
        if (!Handles.isHierarchy(hierarchy)) {
            throw new TpmException(TpmRc.HIERARCHY, TpmRc.HIERARCHY.withHandle(1), String.format(
                    "TPM2_CreatePrimary hierarchy is 0x%08x, expected owner, endorsement, platform or null", hierarchy));
        }
        // a primary key is a function of its hierarchy's seed and its template, as on a real TPM
        byte[] entropy = Kdf.counterHmacSha256(t.hierarchySeed(hierarchy), "teebox-primary".getBytes(),
                new TpmWriter().bytes(template.toBytes()).tpm2b(sens.data()).toByteArray(), 32);
        byte[] parentQn = new TpmWriter().u32(hierarchy).toByteArray();
        TpmObject o = c.p(2, () -> ObjectCrypto.create(template, sens, entropy, hierarchy, parentQn));
        c.outHandle = t.addObject(o);
        new Tpm2bPublic(o.publicArea).write(c.out);
        t.writeCreation(c.out, o, TpmAlgId.NULL, Tpm2bName.ofHandle(hierarchy), parentQn, outside, creationPcr);
        o.name.write(c.out);
    }

    /** TPM2B_CREATION_DATA, creationHash and TPMT_TK_CREATION. */
    private void writeCreation(TpmWriter out, TpmObject o, TpmAlgId parentNameAlg, Tpm2bName parentName,
            byte[] parentQn, Tpm2bData outside, TpmlPcrSelection creationPcr) {
        TpmWriter cd = new TpmWriter();
        creationPcr.write(cd);
        cd.tpm2b(creationPcr.pcrSelections().isEmpty() ? new byte[0]
                : o.publicArea.nameAlg().hash(selectedValues(creationPcr).toArray(new byte[0][])));
        cd.u8(1); // TPMA_LOCALITY: locality 0
        cd.u16(parentNameAlg.value());
        parentName.write(cd);
        new Tpm2bName(parentQn).write(cd);
        outside.write(cd);
        byte[] creationData = cd.toByteArray();
        byte[] creationHash = o.publicArea.nameAlg().hash(creationData);
        out.tpm2b(creationData);
        out.tpm2b(creationHash);
        byte[] ticket = Hmac.sha256(proof, new TpmWriter().u16(TpmSt.CREATION.value()).toByteArray(), o.name.name(),
                creationHash);
        out.u16(TpmSt.CREATION.value()).u32(o.hierarchy).tpm2b(ticket);
    }

    private TpmObject parent(Call c) {
        TpmObject p = objects.get(c.handles[0]);
        if (p == null || !p.isStorageParent()) {
            throw new TpmException(TpmRc.TYPE, TpmRc.TYPE.withHandle(1), String.format(
                    "handle 0x%08x is not a storage parent (restricted decryption key)", c.handles[0]));
        }
        return p;
    }

    private static void create(TpmEngine t, Call c) {
        Tpm2bSensitiveCreate sens = c.p(1, () -> Tpm2bSensitiveCreate.parse(c.in));
        TpmtPublic template = c.p(2, () -> Tpm2bPublic.parse(c.in).publicArea());
        Tpm2bData outside = c.p(3, () -> Tpm2bData.parse(c.in));
        TpmlPcrSelection creationPcr = c.p(4, () -> TpmlPcrSelection.parse(c.in));
        c.end();
        TpmObject parent = t.parent(c);
        byte[] entropy = t.drbg.next(32);
        TpmObject o = c.p(2, () -> ObjectCrypto.create(template, sens, entropy, parent.hierarchy,
                parent.qualifiedName));
        ObjectCrypto.wrap(parent, o).write(c.out);
        new Tpm2bPublic(o.publicArea).write(c.out);
        t.writeCreation(c.out, o, parent.publicArea.nameAlg(), parent.name, parent.qualifiedName, outside,
                creationPcr);
    }

    private static void load(TpmEngine t, Call c) {
        Tpm2bPrivate priv = c.p(1, () -> Tpm2bPrivate.parse(c.in));
        TpmtPublic pub = c.p(2, () -> Tpm2bPublic.parse(c.in).publicArea());
        c.end();
        TpmObject parent = t.parent(c);
        TpmObject o = c.p(1, () -> ObjectCrypto.unwrap(parent, pub, priv));
        c.outHandle = t.addObject(o);
        o.name.write(c.out);
    }

    private TpmObject object(Call c, int i) {
        TpmObject o = objects.get(c.handles[i]);
        if (o == null) {
            throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withHandle(i + 1), String.format(
                    "handle 0x%08x is not a loaded object", c.handles[i]));
        }
        return o;
    }

    private static void readPublic(TpmEngine t, Call c) {
        c.end();
        TpmObject o = t.object(c, 0);
        new Tpm2bPublic(o.publicArea).write(c.out);
        o.name.write(c.out);
        new Tpm2bName(o.qualifiedName).write(c.out);
    }

    private static void flushContext(TpmEngine t, Call c) {
        int h = c.p(1, () -> c.in.u32("flushHandle"));
        c.end();
        boolean gone = switch (Handles.type(h)) {
            case 0x80 -> t.objects.remove(h) != null;
            case 0x02, 0x03 -> t.sessions.remove(h) != null;
            default -> false;
        };
        if (!gone) {
            throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withParameter(1), String.format(
                    "flushHandle is 0x%08x, which is not a loaded object or session", h));
        }
    }

    // ---------------------------------------------------------------- contexts

    private static void contextSave(TpmEngine t, Call c) {
        c.end();
        int h = c.handles[0];
        TpmWriter blob = new TpmWriter();
        int hierarchy;
        int savedHandle;
        if (Handles.type(h) == 0x80) {
            TpmObject o = t.objects.get(h);
            blob.u8(0).bytes(new Tpm2bPublic(o.publicArea).toBytes()).tpm2b(ObjectCrypto.marshalSensitive(o))
                    .u32(o.hierarchy).tpm2b(o.qualifiedName);
            hierarchy = o.hierarchy;
            savedHandle = 0x80000000;
        } else if (Handles.type(h) == 0x02 || Handles.type(h) == 0x03) {
            Session s = t.sessions.remove(h);
            blob.u8(1).u32(s.handle).u8(s.type).u16(s.authHash.value()).tpm2b(s.nonceTpm).tpm2b(s.policyDigest)
                    .u64(s.pcrCounter).tpm2b(s.sessionKey).u16(s.symmetric.value()).u16(s.symKeyBits)
                    .u32(s.bindHandle == null ? Handles.TPM_RH_NULL : s.bindHandle);
            hierarchy = Handles.TPM_RH_NULL;
            savedHandle = h;
        } else {
            throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withHandle(1), String.format(
                    "saveHandle is 0x%08x, expected a transient object or a session", h));
        }
        long seq = ++t.contextSequence;
        byte[] header = new TpmWriter().u64(seq).u32(savedHandle).u32(hierarchy).toByteArray();
        byte[] enc = ObjectCrypto.cfb(javax.crypto.Cipher.ENCRYPT_MODE, t.proof, header, blob.toByteArray());
        byte[] integrity = Hmac.sha256(t.proof, header, enc);
        c.out.bytes(header).tpm2b(new TpmWriter().tpm2b(integrity).bytes(enc).toByteArray());
    }

    private static void contextLoad(TpmEngine t, Call c) {
        long seq = c.p(1, () -> c.in.u64("TPMS_CONTEXT.sequence"));
        int savedHandle = c.p(1, () -> c.in.u32("TPMS_CONTEXT.savedHandle"));
        int hierarchy = c.p(1, () -> c.in.u32("TPMS_CONTEXT.hierarchy"));
        byte[] blob = c.p(1, () -> c.in.tpm2b(5200, "TPMS_CONTEXT.contextBlob"));
        c.end();
        byte[] header = new TpmWriter().u64(seq).u32(savedHandle).u32(hierarchy).toByteArray();
        TpmReader r = new TpmReader(blob);
        byte[] integrity = c.p(1, () -> r.tpm2b(32, "TPMS_CONTEXT_DATA.integrity"));
        byte[] enc = r.bytes(r.remaining(), "TPMS_CONTEXT_DATA.encrypted");
        if (!MessageDigest.isEqual(integrity, Hmac.sha256(t.proof, header, enc))) {
            throw new TpmException(TpmRc.INTEGRITY, TpmRc.INTEGRITY.withParameter(1),
                    "the context's integrity does not match this TPM");
        }
        TpmReader b = new TpmReader(ObjectCrypto.cfb(javax.crypto.Cipher.DECRYPT_MODE, t.proof, header, enc));
        if (b.u8("kind") == 0) {
            TpmtPublic pub = Tpm2bPublic.parse(b).publicArea();
            byte[] sens = b.tpm2b(2048, "sensitive");
            int hier = b.u32("hierarchy");
            byte[] qn = b.tpm2b(66, "qualifiedName");
            c.outHandle = t.addObject(ObjectCrypto.fromSensitive(pub, sens, hier, new byte[0]).withQualifiedName(qn));
        } else {
            int h = b.u32("handle");
            Session s = new Session(h, b.u8("type"), TpmAlgId.hashFromValue(b.u16("authHash"), false),
                    b.tpm2b(64, "nonceTPM"));
            s.policyDigest = b.tpm2b(64, "policyDigest");
            s.pcrCounter = b.u64("pcrCounter");
            s.sessionKey = b.tpm2b(64, "sessionKey");
            s.symmetric = TpmAlgId.fromValue(b.u16("symmetric"));
            s.symKeyBits = b.u16("symKeyBits");
            int bind = b.u32("bind");
            s.bindHandle = bind == Handles.TPM_RH_NULL ? null : bind;
            if (t.sessions.containsKey(h)) {
                throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withParameter(1), String.format(
                        "session 0x%08x is already loaded", h));
            }
            t.sessions.put(h, s);
            c.outHandle = h;
        }
    }

    // ---------------------------------------------------------------- quote

    TpmsClockInfo clockInfo() {
        return new TpmsClockInfo(clockBase + clock.millis() - clockStart, resetCount, restartCount, true);
    }

    private static void quote(TpmEngine t, Call c) {
        Tpm2bData qualifying = c.p(1, () -> Tpm2bData.parse(c.in));
        TpmtAsymScheme inScheme = c.p(2, () -> TpmtAsymScheme.parse(c.in, "TPMT_SIG_SCHEME"));
        TpmlPcrSelection sel = c.p(3, () -> TpmlPcrSelection.parse(c.in));
        c.end();
        TpmObject key = t.object(c, 0);
        if (!key.publicArea.has(TpmtPublic.SIGN) || key.privateKey == null) {
            throw new TpmException(TpmRc.KEY, TpmRc.KEY.withHandle(1), "the quote key is not a signing key");
        }
        TpmtAsymScheme keyScheme = key.publicArea.parameters() instanceof TpmsRsaParms r ? r.scheme()
                : ((TpmsEccParms) key.publicArea.parameters()).scheme();
        TpmtAsymScheme scheme = inScheme.scheme() == TpmAlgId.NULL ? keyScheme : inScheme;
        if (keyScheme.scheme() != TpmAlgId.NULL && inScheme.scheme() != TpmAlgId.NULL
                && (keyScheme.scheme() != inScheme.scheme() || keyScheme.hashAlg() != inScheme.hashAlg())) {
            throw new TpmException(TpmRc.SCHEME, TpmRc.SCHEME.withParameter(2), "inScheme is TPM_ALG_"
                    + inScheme.scheme().name() + ", the key's scheme is TPM_ALG_" + keyScheme.scheme().name());
        }
        boolean rsa = key.publicArea.type() == TpmAlgId.RSA;
        if (scheme.scheme() == TpmAlgId.NULL || rsa && scheme.scheme() != TpmAlgId.RSASSA
                && scheme.scheme() != TpmAlgId.RSAPSS || !rsa && scheme.scheme() != TpmAlgId.ECDSA) {
            throw new TpmException(TpmRc.SCHEME, TpmRc.SCHEME.withParameter(2), "the signing scheme is TPM_ALG_"
                    + scheme.scheme().name() + ", expected RSASSA or RSAPSS for RSA keys, ECDSA for ECC keys");
        }
        byte[] pcrDigest = scheme.hashAlg().hash(t.selectedValues(sel).toArray(new byte[0][]));
        TpmsAttest attest = new TpmsAttest(TpmsAttest.TPM_GENERATED_VALUE, TpmSt.ATTEST_QUOTE,
                new Tpm2bName(key.qualifiedName), qualifying, t.clockInfo(),
                (long) Capabilities.FIRMWARE_VERSION_1 << 32 | Capabilities.FIRMWARE_VERSION_2 & 0xFFFFFFFFL,
                new TpmsQuoteInfo(sel, new Tpm2bDigest(pcrDigest)));
        byte[] quoted = attest.toBytes();
        c.out.tpm2b(quoted);
        ObjectCrypto.sign(key, scheme.scheme(), scheme.hashAlg(), quoted).write(c.out);
    }

    // ---------------------------------------------------------------- sessions and policy

    private static void startAuthSession(TpmEngine t, Call c) {
        byte[] nonceCaller = c.p(1, () -> c.in.tpm2b(64, "nonceCaller"));
        byte[] salt = c.p(2, () -> c.in.tpm2b(512, "encryptedSalt"));
        int type = c.p(3, () -> c.in.u8("sessionType"));
        int symAlg = c.p(4, () -> c.in.u16("TPMT_SYM_DEF.algorithm"));
        int symBits = 0;
        if (symAlg != TpmAlgId.NULL.value()) {
            symBits = c.p(4, () -> c.in.u16("TPMT_SYM_DEF.keyBits"));
            if (symAlg != TpmAlgId.XOR.value()) {
                int mode = c.p(4, () -> c.in.u16("TPMT_SYM_DEF.mode"));
                if (symAlg != TpmAlgId.AES.value() || mode != TpmAlgId.CFB.value()
                        || symBits != 128 && symBits != 192 && symBits != 256) {
                    throw new TpmException(TpmRc.SYMMETRIC, TpmRc.SYMMETRIC.withParameter(4), String.format(
                            "TPMT_SYM_DEF is 0x%04x/%d/0x%04x, expected AES in CFB mode, XOR or NULL", symAlg,
                            symBits, mode));
                }
            }
        }
        TpmAlgId hash = c.p(5, () -> TpmAlgId.hashFromValue(c.in.u16("authHash"), false));
        c.end();
        if (c.handles[0] != Handles.TPM_RH_NULL || salt.length != 0) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withHandle(1),
                    "salted sessions are not implemented by this TPM, expected tpmKey TPM_RH_NULL");
        }
        if (type != Session.TPM_SE_HMAC && type != Session.TPM_SE_POLICY && type != Session.TPM_SE_TRIAL) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(3), "TPM_SE is " + type
                    + ", expected HMAC, POLICY or TRIAL");
        }
        if (nonceCaller.length < 16) {
            throw new TpmException(TpmRc.SIZE, TpmRc.SIZE.withParameter(1), "nonceCaller is " + nonceCaller.length
                    + " bytes, expected at least 16");
        }
        if (t.sessions.size() >= MAX_SESSIONS) {
            throw new TpmException(TpmRc.SESSION_MEMORY, "all " + MAX_SESSIONS + " session slots are in use");
        }
        int h = type == Session.TPM_SE_HMAC ? Handles.HMAC_SESSION_FIRST : Handles.POLICY_SESSION_FIRST;
        while (t.sessions.containsKey(h)) {
            h++;
        }
        Session s = new Session(h, type, hash, t.drbg.next(hash.digestSize()));
        s.symmetric = symAlg == TpmAlgId.AES.value() ? TpmAlgId.AES : symAlg == TpmAlgId.XOR.value() ? TpmAlgId.XOR
                : TpmAlgId.NULL;
        s.symKeyBits = symBits;
        int bind = c.handles[1];
        if (bind != Handles.TPM_RH_NULL) {
            s.bindHandle = bind;
            s.sessionKey = SessionCrypto.kdfa(hash, trimZeros(t.entityAuth(bind)), "ATH", s.nonceTpm, nonceCaller,
                    hash.digestSize() * 8);
        }
        t.sessions.put(h, s);
        c.outHandle = h;
        c.out.tpm2b(s.nonceTpm);
    }

    private Session policySession(Call c) {
        Session s = sessions.get(c.handles[0]);
        if (s == null || !s.isPolicy()) {
            throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withHandle(1), String.format(
                    "handle 0x%08x is not a policy session", c.handles[0]));
        }
        return s;
    }

    private static void policyPcr(TpmEngine t, Call c) {
        byte[] given = c.p(1, () -> Tpm2bDigest.parse(c.in).buffer());
        TpmlPcrSelection sel = c.p(2, () -> TpmlPcrSelection.parse(c.in));
        c.end();
        Session s = t.policySession(c);
        byte[] current = PolicyDigests.pcrDigest(s.authHash, t.selectedValues(sel));
        byte[] digest;
        if (s.type == Session.TPM_SE_TRIAL && given.length != 0) {
            digest = given;
        } else {
            if (given.length != 0 && !MessageDigest.isEqual(given, current)) {
                throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1),
                        "pcrDigest does not match the current PCR values");
            }
            digest = current;
            s.pcrCounter = t.pcrUpdateCounter;
        }
        s.policyDigest = PolicyDigests.policyPcr(s.authHash, s.policyDigest, sel, digest);
    }

    private static void policyGetDigest(TpmEngine t, Call c) {
        c.end();
        c.out.tpm2b(t.policySession(c).policyDigest);
    }

    private static void policyRestart(TpmEngine t, Call c) {
        c.end();
        t.policySession(c).restart();
    }

    private static void unseal(TpmEngine t, Call c) {
        c.end();
        TpmObject o = t.object(c, 0);
        if (o.publicArea.type() != TpmAlgId.KEYEDHASH || o.publicArea.has(TpmtPublic.SIGN)
                || o.publicArea.has(TpmtPublic.DECRYPT) || o.publicArea.has(TpmtPublic.RESTRICTED)) {
            throw new TpmException(TpmRc.TYPE, TpmRc.TYPE.withHandle(1), "the object is not a sealed data object");
        }
        c.out.tpm2b(o.sensitive);
    }

    /** TPM2_RSA_Decrypt: RSAES-PKCS1-v1_5 or OAEP with the key's scheme or the one given, with the label. */
    private static void rsaDecrypt(TpmEngine t, Call c) {
        byte[] cipherText = c.p(1, () -> c.in.tpm2b(512, "TPM2B_PUBLIC_KEY_RSA"));
        TpmtAsymScheme inScheme = c.p(2, () -> TpmtAsymScheme.parse(c.in, "TPMT_RSA_DECRYPT"));
        byte[] label = c.p(3, () -> c.in.tpm2b(64, "TPM2B_DATA"));
        c.end();
        TpmObject key = t.object(c, 0);
        if (key.publicArea.type() != TpmAlgId.RSA || key.privateKey == null) {
            throw new TpmException(TpmRc.KEY, TpmRc.KEY.withHandle(1), "the key is not an RSA key with a private "
                    + "part");
        }
        if (!key.publicArea.has(TpmtPublic.DECRYPT) || key.publicArea.has(TpmtPublic.RESTRICTED)) {
            throw new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withHandle(1), "the key is not an "
                    + "unrestricted decryption key");
        }
        TpmtAsymScheme keyScheme = ((TpmsRsaParms) key.publicArea.parameters()).scheme();
        TpmtAsymScheme scheme = keyScheme.scheme() != TpmAlgId.NULL ? keyScheme : inScheme;
        if (keyScheme.scheme() != TpmAlgId.NULL && inScheme.scheme() != TpmAlgId.NULL
                && (keyScheme.scheme() != inScheme.scheme() || keyScheme.hashAlg() != inScheme.hashAlg())) {
            throw new TpmException(TpmRc.SCHEME, TpmRc.SCHEME.withParameter(2), "inScheme is TPM_ALG_"
                    + inScheme.scheme().name() + ", the key's scheme is TPM_ALG_" + keyScheme.scheme().name());
        }
        if (scheme.scheme() != TpmAlgId.OAEP && scheme.scheme() != TpmAlgId.RSAES) {
            throw new TpmException(TpmRc.SCHEME, TpmRc.SCHEME.withParameter(2), "the decryption scheme is TPM_ALG_"
                    + scheme.scheme().name() + ", expected OAEP or RSAES");
        }
        if (label.length > 0 && label[label.length - 1] != 0) {
            // a label is a NUL-terminated string; the TPM adds the terminator when the caller left it out
            label = java.util.Arrays.copyOf(label, label.length + 1);
        }
        c.out.tpm2b(ObjectCrypto.rsaDecrypt(key, scheme, label, cipherText));
    }

    // ---------------------------------------------------------------- NV

    private static void nvDefineSpace(TpmEngine t, Call c) {
        byte[] auth = c.p(1, () -> c.in.tpm2b(64, "TPM2B_AUTH"));
        TpmsNvPublic pub = c.p(2, () -> TpmsNvPublic.parse2b(c.in));
        c.end();
        int authHandle = c.handles[0];
        if (authHandle != Handles.TPM_RH_OWNER && authHandle != Handles.TPM_RH_PLATFORM) {
            throw new TpmException(TpmRc.HIERARCHY, TpmRc.HIERARCHY.withHandle(1),
                    "NV_DefineSpace authHandle is not TPM_RH_OWNER or TPM_RH_PLATFORM");
        }
        int a = pub.attributes();
        if ((a & TpmsNvPublic.TPM_NT_MASK) != 0) {
            throw new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withParameter(2),
                    "only ordinary NV indices (TPM_NT_ORDINARY) are implemented by this TPM");
        }
        if ((a & (TpmsNvPublic.WRITTEN | TpmsNvPublic.WRITELOCKED | TpmsNvPublic.READLOCKED)) != 0
                || (a & 0xF) == 0 || (a & 0xF0000) == 0) {
            throw new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withParameter(2), String.format(
                    "TPMA_NV 0x%08x needs a read and a write authorization and no state bits", a));
        }
        if (((a & TpmsNvPublic.PLATFORMCREATE) != 0) != (authHandle == Handles.TPM_RH_PLATFORM)) {
            throw new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withParameter(2),
                    "TPMA_NV_PLATFORMCREATE must be set exactly when the platform defines the index");
        }
        if (pub.dataSize() > Capabilities.NV_INDEX_MAX) {
            throw new TpmException(TpmRc.NV_SIZE, TpmRc.NV_SIZE.withParameter(2), "dataSize is " + pub.dataSize()
                    + ", expected at most " + Capabilities.NV_INDEX_MAX);
        }
        if (t.nv.containsKey(pub.nvIndex())) {
            throw new TpmException(TpmRc.NV_DEFINED, String.format("NV index 0x%08x is already defined",
                    pub.nvIndex()));
        }
        t.nv.put(pub.nvIndex(), new NvIndex(pub, auth, new byte[pub.dataSize()]));
    }

    private static void nvUndefineSpace(TpmEngine t, Call c) {
        c.end();
        NvIndex idx = t.nvIndex(c, 1);
        if (idx.has(TpmsNvPublic.POLICY_DELETE)) {
            throw new TpmException(TpmRc.ATTRIBUTES, TpmRc.ATTRIBUTES.withHandle(2),
                    "the index has TPMA_NV_POLICY_DELETE, expected TPM2_NV_UndefineSpaceSpecial");
        }
        if (idx.has(TpmsNvPublic.PLATFORMCREATE) != (c.handles[0] == Handles.TPM_RH_PLATFORM)) {
            throw new TpmException(TpmRc.NV_AUTHORIZATION, "the index must be undefined by the hierarchy that "
                    + "defined it");
        }
        t.nv.remove(c.handles[1]);
    }

    private NvIndex nvIndex(Call c, int i) {
        NvIndex idx = nv.get(c.handles[i]);
        if (idx == null) {
            throw new TpmException(TpmRc.HANDLE, TpmRc.HANDLE.withHandle(i + 1), String.format(
                    "handle 0x%08x is not a defined NV index", c.handles[i]));
        }
        return idx;
    }

    /** Which authorization the NV access used must be allowed by the index's attributes. */
    private void nvAccess(Call c, NvIndex idx, boolean write) {
        int auth = c.handles[0];
        boolean policy = Handles.type(c.auths.get(0).handle()) == 0x03;
        int need;
        if (auth == c.handles[1]) {
            need = write ? policy ? TpmsNvPublic.POLICYWRITE : TpmsNvPublic.AUTHWRITE
                    : policy ? TpmsNvPublic.POLICYREAD : TpmsNvPublic.AUTHREAD;
        } else if (auth == Handles.TPM_RH_OWNER) {
            need = write ? TpmsNvPublic.OWNERWRITE : TpmsNvPublic.OWNERREAD;
        } else if (auth == Handles.TPM_RH_PLATFORM) {
            need = write ? TpmsNvPublic.PPWRITE : TpmsNvPublic.PPREAD;
        } else {
            need = 0;
        }
        if (need == 0 || !idx.has(need)) {
            throw new TpmException(TpmRc.NV_AUTHORIZATION, String.format(
                    "NV index 0x%08x does not allow %s with authorization handle 0x%08x", c.handles[1],
                    write ? "writing" : "reading", auth));
        }
    }

    private static void nvWrite(TpmEngine t, Call c) {
        byte[] data = c.p(1, () -> c.in.tpm2b(Capabilities.NV_BUFFER_MAX, "TPM2B_MAX_NV_BUFFER"));
        int offset = c.p(2, () -> c.in.u16("offset"));
        c.end();
        NvIndex idx = t.nvIndex(c, 1);
        t.nvAccess(c, idx, true);
        if (idx.has(TpmsNvPublic.WRITELOCKED)) {
            throw new TpmException(TpmRc.NV_LOCKED, String.format("NV index 0x%08x is write-locked", c.handles[1]));
        }
        if (offset + data.length > idx.data.length) {
            throw new TpmException(TpmRc.NV_RANGE, "NV write of " + data.length + " bytes at offset " + offset
                    + " exceeds dataSize " + idx.data.length);
        }
        if (idx.has(TpmsNvPublic.WRITEALL) && data.length != idx.data.length) {
            throw new TpmException(TpmRc.NV_RANGE, "the index has TPMA_NV_WRITEALL and the write is " + data.length
                    + " bytes, expected " + idx.data.length);
        }
        System.arraycopy(data, 0, idx.data, offset, data.length);
        idx.publicArea = idx.publicArea.withAttributes(idx.publicArea.attributes() | TpmsNvPublic.WRITTEN);
    }

    private static void nvRead(TpmEngine t, Call c) {
        int size = c.p(1, () -> c.in.u16("size"));
        int offset = c.p(2, () -> c.in.u16("offset"));
        c.end();
        NvIndex idx = t.nvIndex(c, 1);
        t.nvAccess(c, idx, false);
        if (idx.has(TpmsNvPublic.READLOCKED)) {
            throw new TpmException(TpmRc.NV_LOCKED, String.format("NV index 0x%08x is read-locked", c.handles[1]));
        }
        if (!idx.has(TpmsNvPublic.WRITTEN)) {
            throw new TpmException(TpmRc.NV_UNINITIALIZED, String.format("NV index 0x%08x was never written",
                    c.handles[1]));
        }
        if (size > Capabilities.NV_BUFFER_MAX) {
            throw new TpmException(TpmRc.VALUE, TpmRc.VALUE.withParameter(1), "NV read size is " + size
                    + ", expected at most " + Capabilities.NV_BUFFER_MAX);
        }
        if (offset + size > idx.data.length) {
            throw new TpmException(TpmRc.NV_RANGE, "NV read of " + size + " bytes at offset " + offset
                    + " exceeds dataSize " + idx.data.length);
        }
        c.out.tpm2b(Arrays.copyOfRange(idx.data, offset, offset + size));
    }

    private static void nvReadPublic(TpmEngine t, Call c) {
        c.end();
        NvIndex idx = t.nvIndex(c, 0);
        idx.publicArea.write2b(c.out);
        idx.publicArea.name().write(c.out);
    }

    // ---------------------------------------------------------------- state

    @Override
    public synchronized byte[] exportState() {
        TpmWriter w = new TpmWriter().u32(STATE_MAGIC).u32(STATE_VERSION);
        w.tpm2b(eps).tpm2b(sps).tpm2b(pps).tpm2b(proof).tpm2b(nullSeed).tpm2b(drbg.key()).u64(drbg.counter());
        w.u64(clockBase + clock.millis() - clockStart).u32(resetCount).u32(restartCount).u8(started ? 1 : 0)
                .u32(shutdownType).u64(pcrUpdateCounter).u64(contextSequence);
        for (TpmAlgId b : BANKS) {
            for (byte[] v : pcrs.get(b)) {
                w.bytes(v);
            }
        }
        w.u32(nv.size());
        for (NvIndex i : nv.values()) {
            i.publicArea.write2b(w);
            w.tpm2b(i.authValue).tpm2b(i.data);
        }
        w.u32(objects.size());
        for (Map.Entry<Integer, TpmObject> e : objects.entrySet()) {
            TpmObject o = e.getValue();
            w.u32(e.getKey()).bytes(new Tpm2bPublic(o.publicArea).toBytes()).tpm2b(ObjectCrypto.marshalSensitive(o))
                    .u32(o.hierarchy).tpm2b(o.qualifiedName);
        }
        return w.toByteArray();
    }

    /**
     * Rebuilds a TPM from {@link #exportState}.
     *
     * @param state the bytes
     * @param clock the time source
     * @return the TPM
     * @throws IllegalArgumentException if the bytes are not a state export
     */
    public static TpmEngine restore(byte[] state, Clock clock) {
        try {
            TpmReader r = new TpmReader(state);
            int magic = r.u32("state magic");
            int version = r.u32("state version");
            if (magic != STATE_MAGIC || version != STATE_VERSION) {
                throw new IllegalArgumentException(String.format("vTPM state starts 0x%08x version %d, expected 0x%08x "
                        + "version %d", magic, version, STATE_MAGIC, STATE_VERSION));
            }
            byte[] eps = r.tpm2b(64, "eps");
            byte[] sps = r.tpm2b(64, "sps");
            byte[] pps = r.tpm2b(64, "pps");
            byte[] proof = r.tpm2b(64, "proof");
            byte[] nullSeed = r.tpm2b(64, "nullSeed");
            Drbg drbg = new Drbg(r.tpm2b(64, "drbg"), r.u64("drbg counter"));
            TpmEngine t = new TpmEngine(clock, eps, sps, pps, proof, drbg);
            t.nullSeed = nullSeed;
            t.clockBase = r.u64("clock");
            t.resetCount = r.u32("resetCount");
            t.restartCount = r.u32("restartCount");
            t.started = r.u8("started") == 1;
            t.shutdownType = r.u32("shutdownType");
            t.pcrUpdateCounter = r.u64("pcrUpdateCounter");
            t.contextSequence = r.u64("contextSequence");
            for (TpmAlgId b : BANKS) {
                byte[][] v = new byte[Handles.PCR_COUNT][];
                for (int i = 0; i < v.length; i++) {
                    v[i] = r.bytes(b.digestSize(), "PCR");
                }
                t.pcrs.put(b, v);
            }
            int nvCount = r.u32("NV count");
            for (int i = 0; i < nvCount; i++) {
                TpmsNvPublic pub = TpmsNvPublic.parse2b(r);
                NvIndex idx = new NvIndex(pub, r.tpm2b(64, "NV auth"), r.tpm2b(Capabilities.NV_INDEX_MAX, "NV data"));
                t.nv.put(pub.nvIndex(), idx);
            }
            int objCount = r.u32("object count");
            for (int i = 0; i < objCount; i++) {
                int h = r.u32("object handle");
                TpmtPublic pub = Tpm2bPublic.parse(r).publicArea();
                byte[] sens = r.tpm2b(2048, "sensitive");
                int hier = r.u32("hierarchy");
                byte[] qn = r.tpm2b(66, "qualifiedName");
                t.objects.put(h, ObjectCrypto.fromSensitive(pub, sens, hier, new byte[0]).withQualifiedName(qn));
            }
            r.end("vTPM state");
            return t;
        } catch (TpmException e) {
            throw new IllegalArgumentException("vTPM state is malformed: " + e.getMessage(), e);
        }
    }
}
