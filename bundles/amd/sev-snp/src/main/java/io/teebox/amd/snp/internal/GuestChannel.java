package io.teebox.amd.snp.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpGuestMessage;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.Struct;

/**
 * The firmware's side of SNP_GUEST_REQUEST: opens a guest message sealed with one of the guest's VMPCKs, requires
 * the next sequence number (a replayed or skipped one is refused), and answers MSG_REPORT_REQ with a sealed
 * MSG_REPORT_RSP and MSG_KEY_REQ with a sealed MSG_KEY_RSP. A well-formed message whose payload the firmware
 * refuses is still answered, with the status in the response, so the channel stays in step; the reason, which a
 * real device would only log, is kept for the guest driver's message.
 */
final class GuestChannel {

    private final AmdSecureProcessor sp;
    private final ReportSigner reports;
    private final KeyDerivation keys;
    /** The firmware's reason for the last refused payload per guest. */
    private final Map<Long, String> refusals = new ConcurrentHashMap<>();

    GuestChannel(AmdSecureProcessor sp, ReportSigner reports, KeyDerivation keys) {
        this.sp = sp;
        this.reports = reports;
        this.keys = keys;
    }

    /**
     * @param handle the guest
     * @param request header and ciphertext
     * @return the sealed response
     */
    byte[] request(long handle, byte[] request) {
        SnpGuestContext c = sp.snpContext(handle);
        synchronized (c) {
            if (c.state() != SevGuestState.RUNNING) {
                throw SevStatus.INVALID_GUEST_STATE.error("SNP_GUEST_REQUEST needs a RUNNING guest; guest " + handle
                        + " is in " + c.state());
            }
            Struct h = SnpGuestMessage.header(request);
            int idx = h.u8("MSG_VMPCK");
            byte[] vmpck = c.vmpck(idx);
            byte[] payload = SnpGuestMessage.open(vmpck, request);
            long seq = h.u64("MSG_SEQNO");
            if (seq != c.expectedSeqno(idx)) {
                throw SevStatus.INVALID_PARAM.error(String.format("MSG_SEQNO %d is not the expected %d: the message "
                        + "is replayed or out of order", seq, c.expectedSeqno(idx)));
            }
            if (h.u8("MSG_TYPE") == SnpGuestMessage.KEY_REQ) {
                byte[] rsp = new byte[0x40];
                try {
                    System.arraycopy(keys.derive(c, payload), 0, rsp, 0x20, 32);
                } catch (TeeException e) {
                    LittleEndian.put32(rsp, 0, e.status().code());
                    refusals.put(handle, e.getMessage().substring(e.status().toString().length() + 2));
                }
                c.answered(idx, seq);
                return SnpGuestMessage.seal(vmpck, idx, seq + 1, SnpGuestMessage.KEY_RSP, rsp);
            }
            if (h.u8("MSG_TYPE") != SnpGuestMessage.REPORT_REQ || payload.length != 0x60) {
                throw SevStatus.INVALID_PARAM.error("MSG_TYPE " + h.u8("MSG_TYPE") + " with " + payload.length
                        + " payload bytes is not a MSG_REPORT_REQ (type 5, 96 bytes)");
            }
            Struct req = SnpGuestMessage.REPORT_REQ_LAYOUT.parse(payload);
            long vmpl = req.u32("VMPL");
            c.answered(idx, seq);
            if (vmpl > 3 || vmpl < idx) {
                // the requested VMPL may not be more privileged than the level whose VMPCK sealed the request
                refusals.put(handle, "MSG_REPORT_REQ VMPL " + vmpl + (vmpl > 3 ? " is not 0..3" : " is more "
                        + "privileged than VMPL" + idx + ", whose VMPCK" + idx + " sealed the request"));
                byte[] refused = new byte[0x20];
                LittleEndian.put32(refused, 0, SevStatus.INVALID_PARAM.code());
                return SnpGuestMessage.seal(vmpck, idx, seq + 1, SnpGuestMessage.REPORT_RSP, refused);
            }
            byte[] rsp = new byte[0x20 + SnpReport.SIZE];
            LittleEndian.put32(rsp, 4, SnpReport.SIZE);
            System.arraycopy(reports.sign(c, req.bytes("REPORT_DATA"), (int) vmpl), 0, rsp, 0x20, SnpReport.SIZE);
            return SnpGuestMessage.seal(vmpck, idx, seq + 1, SnpGuestMessage.REPORT_RSP, rsp);
        }
    }

    /**
     * @param handle the guest
     * @return the reason the firmware refused the guest's last payload, once, or null
     */
    String takeRefusal(long handle) {
        return refusals.remove(handle);
    }
}
