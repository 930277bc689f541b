package io.teebox.tpm.guest.internal;

import java.util.function.Consumer;

import io.teebox.tpm.abi.ResponseHeader;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmSt;
import io.teebox.tpm.abi.TpmWriter;
import io.teebox.tpm.vtpm.VirtualTpm;

/**
 * The paravisor's TPM 2.0 driver: marshals commands with a password or policy session and splits the response, as
 * a TSS does for the vTPM it talks to.
 */
final class Tpm2 {

    static final int TPM_RS_PW = 0x40000009;
    static final int OWNER = 0x40000001;
    static final int ENDORSEMENT = 0x4000000B;
    static final int NULL_HANDLE = 0x40000007;

    /** A response: the out handle (if asked for) and a reader over the parameters. */
    record Response(int handle, TpmReader params) {
    }

    private final VirtualTpm tpm;

    Tpm2(VirtualTpm tpm) {
        this.tpm = tpm;
    }

    /**
     * @param cc the command
     * @param handles its handles
     * @param session the authorization session for each handle that needs one (TPM_RS_PW or a policy session), or
     *        0 for a command without an authorization area
     * @param outHandle whether the response starts with a handle
     * @param params writes the parameters
     * @return the response
     * @throws TpmException naming the command and the TPM_RC when the TPM refuses
     */
    Response send(TpmCc cc, int[] handles, int session, int sessions, boolean outHandle, Consumer<TpmWriter> params) {
        TpmWriter body = new TpmWriter();
        for (int h : handles) {
            body.u32(h);
        }
        if (sessions > 0) {
            TpmWriter a = new TpmWriter();
            for (int i = 0; i < sessions; i++) {
                a.u32(session).tpm2b(new byte[0]).u8(1).tpm2b(new byte[0]);
            }
            body.u32(a.size()).bytes(a.toByteArray());
        }
        TpmWriter p = new TpmWriter();
        params.accept(p);
        body.bytes(p.toByteArray());
        byte[] b = body.toByteArray();
        byte[] cmd = new TpmWriter().u16(sessions > 0 ? TpmSt.SESSIONS.value() : TpmSt.NO_SESSIONS.value())
                .u32(10 + b.length).u32(cc.value()).bytes(b).toByteArray();
        byte[] rsp = tpm.execute(cmd);
        ResponseHeader h = ResponseHeader.parse(rsp);
        TpmReader r = new TpmReader(rsp, 10, rsp.length - 10);
        if (h.responseCode() != 0) {
            int rc = h.responseCode();
            TpmRc known;
            try {
                known = TpmRc.fromCode(rc);
            } catch (IllegalArgumentException e) {
                known = TpmRc.FAILURE;
            }
            throw new TpmException(known, rc, String.format("TPM2_%s answered TPM_RC_%s (0x%03X)", cc.name(),
                    known.name(), rc));
        }
        int handle = outHandle ? r.u32("handle") : 0;
        if (sessions > 0) {
            int size = r.u32("parameterSize");
            r = new TpmReader(rsp, r.position(), size);
        }
        return new Response(handle, r);
    }

    Response pw(TpmCc cc, int[] handles, boolean outHandle, Consumer<TpmWriter> params) {
        return send(cc, handles, TPM_RS_PW, handles.length == 0 ? 0 : authorized(cc), outHandle, params);
    }

    /** How many of the command's handles need authorization (TPM 2.0 Part 3). */
    private static int authorized(TpmCc cc) {
        return switch (cc) {
            case NV_Write, NV_Read -> 1;
            case PCR_Read, FlushContext, ReadPublic, NV_ReadPublic, PolicyPCR, PolicyGetDigest -> 0;
            default -> 1;
        };
    }

    Response plain(TpmCc cc, int[] handles, boolean outHandle, Consumer<TpmWriter> params) {
        return send(cc, handles, 0, 0, outHandle, params);
    }
}
