package io.teebox.tpm.guest.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmWriter;

/**
 * The vTPM's state as the paravisor keeps it in the guest's pages: magic {@code TBXVTPM1}, a version, the handles of
 * the keys it keeps loaded, their public areas, the EK certificate's size, the TPM's exported state and the
 * firmware's event log, each length-prefixed (big-endian, as TPM structures are).
 *
 * @param srk the storage primary's handle
 * @param ak the AK's handle
 * @param decrypt the decryption key's handle
 * @param ekPublic the EK's TPMT_PUBLIC
 * @param akPublic the AK's TPMT_PUBLIC
 * @param decryptPublic the decryption key's TPMT_PUBLIC
 * @param ekCertSize the EK certificate's size in NV
 * @param tpm {@link io.teebox.tpm.vtpm.VirtualTpm#exportState()}
 * @param eventLog the firmware's TCG event log
 */
record VtpmState(int srk, int ak, int decrypt, byte[] ekPublic, byte[] akPublic, byte[] decryptPublic,
        int ekCertSize, byte[] tpm, byte[] eventLog) {

    static final byte[] MAGIC = "TBXVTPM1".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    /** Magic, version and total size: what is read first. */
    static final int HEADER = 16;

    byte[] toBytes() {
        TpmWriter body = new TpmWriter().u32(srk).u32(ak).u32(decrypt);
        for (byte[] b : new byte[][] {ekPublic, akPublic, decryptPublic}) {
            body.u32(b.length).bytes(b);
        }
        body.u32(ekCertSize).u32(tpm.length).bytes(tpm).u32(eventLog.length).bytes(eventLog);
        byte[] b = body.toByteArray();
        return new TpmWriter().bytes(MAGIC).u32(VERSION).u32(HEADER + b.length).bytes(b).toByteArray();
    }

    /** @return the total size the header announces, or -1 if the bytes are no vTPM state */
    static int size(byte[] header) {
        if (header.length < HEADER || !Arrays.equals(Arrays.copyOf(header, 8), MAGIC)) {
            return -1;
        }
        TpmReader r = new TpmReader(header, 8, 8);
        int version = r.u32("version");
        if (version != VERSION) {
            throw new IllegalStateException("the vTPM state's version is " + version + ", expected " + VERSION);
        }
        return r.u32("size");
    }

    static VtpmState parse(byte[] all) {
        int size = size(all);
        if (size < HEADER || size > all.length) {
            throw new IllegalStateException("the vTPM's pages hold no state (size " + size + ")");
        }
        TpmReader r = new TpmReader(all, HEADER, size - HEADER);
        int srk = r.u32("srk");
        int ak = r.u32("ak");
        int dec = r.u32("decrypt");
        byte[] ek = r.bytes(r.u32("ekPublic"), "ekPublic");
        byte[] akp = r.bytes(r.u32("akPublic"), "akPublic");
        byte[] decp = r.bytes(r.u32("decryptPublic"), "decryptPublic");
        int cert = r.u32("ekCertSize");
        byte[] tpm = r.bytes(r.u32("tpm"), "tpm");
        byte[] log = r.bytes(r.u32("eventLog"), "eventLog");
        return new VtpmState(srk, ak, dec, ek, akp, decp, cert, tpm, log);
    }

    VtpmState with(byte[] newTpm, byte[] newLog) {
        return new VtpmState(srk, ak, decrypt, ekPublic, akPublic, decryptPublic, ekCertSize, newTpm, newLog);
    }

    VtpmState withHandles(int newSrk, int newAk, int newDecrypt, byte[] newTpm) {
        return new VtpmState(newSrk, newAk, newDecrypt, ekPublic, akPublic, decryptPublic, ekCertSize, newTpm,
                eventLog);
    }
}
