package io.teebox.tpm.vtpm;

import java.util.function.Consumer;

import io.teebox.tpm.abi.ResponseHeader;
import io.teebox.tpm.abi.TpmCc;
import io.teebox.tpm.abi.TpmException;
import io.teebox.tpm.abi.TpmRc;
import io.teebox.tpm.abi.TpmReader;
import io.teebox.tpm.abi.TpmSt;
import io.teebox.tpm.abi.TpmWriter;

/** Builds TPM 2.0 commands for the tests and splits responses, with password or policy sessions. */
final class TpmClient {

    static final int TPM_RS_PW = 0x40000009;
    static final int OWNER = 0x40000001;
    static final int ENDORSEMENT = 0x4000000B;
    static final int NULL_HANDLE = 0x40000007;

    private final VirtualTpm tpm;

    TpmClient(VirtualTpm tpm) {
        this.tpm = tpm;
    }

    /** A response: code, the out handle (if asked for) and a reader over the parameters. */
    record Response(int rc, int handle, TpmReader params, byte[] raw) {
        Response ok() {
            if (rc != 0) {
                throw new TpmException(TpmRc.fromCode(rc), rc, String.format("TPM answered 0x%03x", rc));
            }
            return this;
        }
    }

    /** One session of the authorization area: a handle and the hmac field (the password for TPM_RS_PW). */
    record Auth(int session, byte[] hmac) {
        static Auth password(String pw) {
            return new Auth(TPM_RS_PW, pw.getBytes());
        }
    }

    Response send(TpmCc cc, int[] handles, Auth[] auths, boolean outHandle, Consumer<TpmWriter> params) {
        TpmWriter body = new TpmWriter();
        for (int h : handles) {
            body.u32(h);
        }
        if (auths.length > 0) {
            TpmWriter a = new TpmWriter();
            for (Auth x : auths) {
                a.u32(x.session()).tpm2b(new byte[0]).u8(1).tpm2b(x.hmac());
            }
            body.u32(a.size()).bytes(a.toByteArray());
        }
        TpmWriter p = new TpmWriter();
        params.accept(p);
        body.bytes(p.toByteArray());
        byte[] b = body.toByteArray();
        TpmWriter cmd = new TpmWriter().u16(auths.length > 0 ? TpmSt.SESSIONS.value() : TpmSt.NO_SESSIONS.value())
                .u32(10 + b.length).u32(cc.value()).bytes(b);
        byte[] rsp = tpm.execute(cmd.toByteArray());
        ResponseHeader h = ResponseHeader.parse(rsp);
        TpmReader r = new TpmReader(rsp, 10, rsp.length - 10);
        if (h.responseCode() != 0) {
            return new Response(h.responseCode(), 0, r, rsp);
        }
        int handle = outHandle ? r.u32("handle") : 0;
        if (auths.length > 0) {
            int size = r.u32("parameterSize");
            r = new TpmReader(rsp, r.position(), size);
        }
        return new Response(0, handle, r, rsp);
    }

    Response send(TpmCc cc, Consumer<TpmWriter> params) {
        return send(cc, new int[0], new Auth[0], false, params);
    }

    void startup() {
        send(TpmCc.Startup, w -> w.u16(0)).ok();
    }
}
