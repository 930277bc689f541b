package io.teebox.tpm.guest.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import io.teebox.tpm.abi.Tpm2bData;
import io.teebox.tpm.abi.Tpm2bDigest;
import io.teebox.tpm.abi.Tpm2bPublic;
import io.teebox.tpm.abi.Tpm2bPublicKeyRsa;
import io.teebox.tpm.abi.Tpm2bSensitiveCreate;
import io.teebox.tpm.abi.TpmAlgId;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmEccCurve;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmWriter;
import io.teebox.tpm.abi.TpmlPcrSelection;
import io.teebox.tpm.abi.TpmsEccParms;
import io.teebox.tpm.abi.TpmsEccPoint;
import io.teebox.tpm.abi.TpmsKeyedHashParms;
import io.teebox.tpm.abi.TpmsNvPublic;
import io.teebox.tpm.abi.TpmsPcrSelection;
import io.teebox.tpm.abi.TpmsRsaParms;
import io.teebox.tpm.abi.TpmtAsymScheme;
import io.teebox.tpm.abi.TpmtKdfScheme;
import io.teebox.tpm.abi.TpmtPublic;
import io.teebox.tpm.abi.TpmtSignature;
import io.teebox.tpm.abi.TpmtSymDefObject;
import io.teebox.tpm.vtpm.EkTemplates;
import io.teebox.tpm.vtpm.VirtualTpm;

/**
 * What the paravisor does with its TPM, command by command, over one restored {@link VirtualTpm}: the primary keys
 * it keeps loaded (storage key, AK, decryption key), PCRs, quotes, sealing, NV.
 */
final class VtpmEngineRoom {

    static final int KEY_ATTRIBUTES = TpmtPublic.FIXED_TPM | TpmtPublic.FIXED_PARENT
            | TpmtPublic.SENSITIVE_DATA_ORIGIN | TpmtPublic.USER_WITH_AUTH | TpmtPublic.NO_DA;

    /** The storage primary tpm2-tools and systemd make by default: ECC P-256, AES-128-CFB. */
    static TpmtPublic storageTemplate() {
        return new TpmtPublic(TpmAlgId.ECC, TpmAlgId.SHA256, KEY_ATTRIBUTES | TpmtPublic.RESTRICTED
                | TpmtPublic.DECRYPT, Tpm2bDigest.EMPTY, new TpmsEccParms(TpmtSymDefObject.AES_128_CFB,
                        TpmtAsymScheme.NULL, TpmEccCurve.NIST_P256, TpmtKdfScheme.NULL),
                new TpmsEccPoint(new byte[0], new byte[0]));
    }

    /** The AK: RSA-2048, restricted signing, RSASSA with SHA-256 (Azure's HCLAkPub). */
    static TpmtPublic akTemplate() {
        return new TpmtPublic(TpmAlgId.RSA, TpmAlgId.SHA256, KEY_ATTRIBUTES | TpmtPublic.RESTRICTED
                | TpmtPublic.SIGN, Tpm2bDigest.EMPTY, new TpmsRsaParms(TpmtSymDefObject.NULL,
                        TpmtAsymScheme.of(TpmAlgId.RSASSA, TpmAlgId.SHA256), 2048, 0),
                new Tpm2bPublicKeyRsa(new byte[0]));
    }

    /** The decryption key: RSA-2048, OAEP with SHA-256 (Azure's HCLEkPub, the key release wraps to). */
    static TpmtPublic decryptTemplate() {
        return new TpmtPublic(TpmAlgId.RSA, TpmAlgId.SHA256, KEY_ATTRIBUTES | TpmtPublic.DECRYPT,
                Tpm2bDigest.EMPTY, new TpmsRsaParms(TpmtSymDefObject.NULL, TpmtAsymScheme.of(TpmAlgId.OAEP,
                        TpmAlgId.SHA256), 2048, 0), new Tpm2bPublicKeyRsa(new byte[0]));
    }

    private final Tpm2 tpm;

    VtpmEngineRoom(VirtualTpm tpm) {
        this.tpm = new Tpm2(tpm);
    }

    void startup() {
        tpm.plain(TpmCc.Startup, new int[0], false, w -> w.u16(0));
    }

    /** A created primary: its handle and public area. */
    record Primary(int handle, TpmtPublic publicArea) {
    }

    Primary createPrimary(int hierarchy, TpmtPublic template) {
        Tpm2.Response r = tpm.pw(TpmCc.CreatePrimary, new int[] {hierarchy}, true, w -> {
            new Tpm2bSensitiveCreate(new byte[0], new byte[0]).write(w);
            new Tpm2bPublic(template).write(w);
            new Tpm2bData(new byte[0]).write(w);
            TpmlPcrSelection.of().write(w);
        });
        return new Primary(r.handle(), Tpm2bPublic.parse(r.params()).publicArea());
    }

    void flush(int handle) {
        tpm.plain(TpmCc.FlushContext, new int[0], false, w -> w.u32(handle));
    }

    /** The EK's public area (TCG template L-1); the key is not kept loaded. */
    TpmtPublic ekPublic() {
        Primary ek = createPrimary(Tpm2.ENDORSEMENT, EkTemplates.rsa2048());
        flush(ek.handle());
        return ek.publicArea();
    }

    SortedMap<Integer, byte[]> pcrs(TpmAlgId bank, int[] which) {
        SortedMap<Integer, byte[]> out = new TreeMap<>();
        for (int from = 0; from < which.length; from += 8) {
            int[] part = java.util.Arrays.copyOfRange(which, from, Math.min(which.length, from + 8));
            TpmReader r = tpm.plain(TpmCc.PCR_Read, new int[0], false, w -> TpmlPcrSelection.of(
                    TpmsPcrSelection.of(bank, part)).write(w)).params();
            r.u32("pcrUpdateCounter");
            TpmlPcrSelection.parse(r);
            int n = r.u32("count");
            for (int i = 0; i < n; i++) {
                out.put(part[i], r.tpm2b(64, "digest"));
            }
        }
        return out;
    }

    void extend(int pcr, Map<TpmAlgId, byte[]> digests) {
        tpm.pw(TpmCc.PCR_Extend, new int[] {pcr}, false, w -> {
            w.u32(digests.size());
            digests.forEach((alg, d) -> w.u16(alg.value()).bytes(d));
        });
    }

    /** TPM2_Quote: TPMS_ATTEST and TPMT_SIGNATURE as the TPM returned them. */
    byte[][] quote(int ak, int[] pcrs, byte[] qualifyingData) {
        TpmReader r = tpm.pw(TpmCc.Quote, new int[] {ak}, false, w -> {
            w.tpm2b(qualifyingData);
            TpmtAsymScheme.NULL.write(w);
            TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, pcrs)).write(w);
        }).params();
        byte[] attest = r.tpm2b(4096, "quoted");
        TpmWriter sig = new TpmWriter();
        TpmtSignature.parse(r).write(sig);
        return new byte[][] {attest, sig.toByteArray()};
    }

    private int startSession(int type) {
        return tpm.plain(TpmCc.StartAuthSession, new int[] {Tpm2.NULL_HANDLE, Tpm2.NULL_HANDLE}, true,
                w -> w.tpm2b(new byte[32]).tpm2b(new byte[0]).u8(type).u16(TpmAlgId.NULL.value())
                        .u16(TpmAlgId.SHA256.value())).handle();
    }

    private void policyPcr(int session, int[] pcrs) {
        tpm.plain(TpmCc.PolicyPCR, new int[] {session}, false, w -> {
            w.tpm2b(new byte[0]);
            TpmlPcrSelection.of(TpmsPcrSelection.of(TpmAlgId.SHA256, pcrs)).write(w);
        });
    }

    /** The PolicyPCR digest over the PCRs' current values, from a trial session. */
    byte[] pcrPolicy(int[] pcrs) {
        int trial = startSession(3);
        try {
            policyPcr(trial, pcrs);
            return tpm.plain(TpmCc.PolicyGetDigest, new int[] {trial}, false, w -> { }).params()
                    .tpm2b(64, "policyDigest");
        } finally {
            flush(trial);
        }
    }

    byte[] seal(int srk, byte[] secret, int[] pcrs) {
        byte[] policy = pcrPolicy(pcrs);
        TpmtPublic template = new TpmtPublic(TpmAlgId.KEYEDHASH, TpmAlgId.SHA256, TpmtPublic.FIXED_TPM
                | TpmtPublic.FIXED_PARENT | TpmtPublic.NO_DA, new Tpm2bDigest(policy), TpmsKeyedHashParms.NULL,
                new Tpm2bDigest(new byte[0]));
        TpmReader r = tpm.pw(TpmCc.Create, new int[] {srk}, false, w -> {
            new Tpm2bSensitiveCreate(new byte[0], secret).write(w);
            new Tpm2bPublic(template).write(w);
            new Tpm2bData(new byte[0]).write(w);
            TpmlPcrSelection.of().write(w);
        }).params();
        byte[] priv = r.tpm2b(4096, "outPrivate");
        TpmtPublic pub = Tpm2bPublic.parse(r).publicArea();
        TpmWriter blob = new TpmWriter().tpm2b(priv);
        new Tpm2bPublic(pub).write(blob);
        return blob.toByteArray();
    }

    byte[] unseal(int srk, byte[] blob, int[] pcrs) {
        TpmReader in = new TpmReader(blob, 0, blob.length);
        byte[] priv = in.tpm2b(4096, "TPM2B_PRIVATE");
        TpmtPublic pub = Tpm2bPublic.parse(in).publicArea();
        int obj = tpm.pw(TpmCc.Load, new int[] {srk}, true, w -> {
            w.tpm2b(priv);
            new Tpm2bPublic(pub).write(w);
        }).handle();
        try {
            int session = startSession(1);
            try {
                policyPcr(session, pcrs);
                return tpm.send(TpmCc.Unseal, new int[] {obj}, session, 1, false, w -> { }).params()
                        .tpm2b(128, "outData");
            } finally {
                flush(session);
            }
        } finally {
            flush(obj);
        }
    }

    byte[] decrypt(int key, byte[] ciphertext) {
        return tpm.pw(TpmCc.RSA_Decrypt, new int[] {key}, false, w -> {
            w.tpm2b(ciphertext);
            TpmtAsymScheme.NULL.write(w);
            w.tpm2b(new byte[0]);
        }).params().tpm2b(512, "message");
    }

    /** Defines an NV index for the owner and writes data into it, 512 bytes per TPM2_NV_Write. */
    void nvDefineAndWrite(int index, byte[] data) {
        TpmsNvPublic pub = new TpmsNvPublic(index, TpmAlgId.SHA256, TpmsNvPublic.OWNERWRITE | TpmsNvPublic.OWNERREAD
                | TpmsNvPublic.AUTHREAD | TpmsNvPublic.NO_DA, Tpm2bDigest.EMPTY, data.length);
        tpm.pw(TpmCc.NV_DefineSpace, new int[] {Tpm2.OWNER}, false, w -> {
            w.tpm2b(new byte[0]);
            pub.write2b(w);
        });
        for (int off = 0; off < data.length; off += 512) {
            byte[] part = java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 512));
            int at = off;
            tpm.pw(TpmCc.NV_Write, new int[] {Tpm2.OWNER, index}, false, w -> w.tpm2b(part).u16(at));
        }
    }

    byte[] nvRead(int index, int size) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int off = 0; off < size; off += 512) {
            int n = Math.min(512, size - off);
            int at = off;
            out.writeBytes(tpm.pw(TpmCc.NV_Read, new int[] {Tpm2.OWNER, index}, false, w -> w.u16(n).u16(at))
                    .params().tpm2b(1024, "data"));
        }
        return out.toByteArray();
    }

    static int[] all() {
        List<Integer> l = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            l.add(i);
        }
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
