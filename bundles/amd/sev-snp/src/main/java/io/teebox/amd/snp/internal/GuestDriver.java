package io.teebox.amd.snp.internal;

import java.util.Arrays;

import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpGuestMessage;
import io.teebox.amd.abi.SnpReport;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.api.tee.FirmwareStatus;
import io.teebox.api.tee.TeeException;
import io.teebox.kit.codec.LittleEndian;

/**
 * The guest's side of the guest channel, as Linux's sev-guest driver does it: seal a request with VMPCK0 (for
 * software at another VMPL, that level's VMPCK) under the next sequence number from the secrets page's OS area,
 * send it through SNP_GUEST_REQUEST, open the response and check its status. The guest's counter moves on (by two:
 * request and response) only when the firmware answered, so a request the firmware refused before consuming it
 * leaves both sides in step; the whole exchange holds the guest context, as one vCPU would.
 */
final class GuestDriver {

    private final AmdSecureProcessor sp;
    private final GuestChannel channel;

    GuestDriver(AmdSecureProcessor sp, GuestChannel channel) {
        this.sp = sp;
        this.channel = channel;
    }

    /**
     * MSG_REPORT_REQ from software at a VMPL: sealed with that level's VMPCK (the one its secrets page gives it),
     * VMPL set to the level.
     *
     * @param handle the guest
     * @param reportData REPORT_DATA, at most 64 bytes (zero-padded)
     * @param vmpl 0..3
     * @return the signed ATTESTATION_REPORT
     */
    byte[] report(long handle, byte[] reportData, int vmpl) {
        byte[] req = SnpGuestMessage.REPORT_REQ_LAYOUT.create().set("REPORT_DATA", Arrays.copyOf(reportData, 64))
                .set("VMPL", vmpl & 0xFFFF_FFFFL).toBytes();
        byte[] rsp = roundTrip(handle, vmpl, SnpGuestMessage.REPORT_REQ, req);
        checkStatus(handle, "MSG_REPORT_REQ", rsp);
        return Arrays.copyOfRange(rsp, 0x20, 0x20 + SnpReport.SIZE);
    }

    /**
     * MSG_KEY_REQ with the VCEK as root key.
     *
     * @param handle the guest
     * @param fieldSelect GUEST_FIELD_SELECT
     * @param guestSvn GUEST_SVN
     * @param tcb TCB_VERSION, or 0 for the committed one
     * @return the 32-byte key
     */
    byte[] derivedKey(long handle, long fieldSelect, int guestSvn, long tcb) {
        byte[] req = SnpGuestMessage.KEY_REQ_LAYOUT.create().set("GUEST_FIELD_SELECT", fieldSelect)
                .set("GUEST_SVN", guestSvn & 0xFFFF_FFFFL).set("TCB_VERSION", tcb).toBytes();
        byte[] rsp = roundTrip(handle, 0, SnpGuestMessage.KEY_REQ, req);
        checkStatus(handle, "MSG_KEY_REQ", rsp);
        return Arrays.copyOfRange(rsp, 0x20, 0x40);
    }

    private byte[] roundTrip(long handle, int vmpck, int type, byte[] payload) {
        SnpGuestContext c = sp.snpContext(handle);
        synchronized (c) {
            if (!c.hasSecretsPage()) {
                throw SevStatus.INVALID_GUEST_STATE.error("guest " + handle + " has no secrets page (no SECRETS "
                        + "page was launched), so it has no VMPCK to talk to the firmware");
            }
            byte[] key = c.vmpck(vmpck);
            long seq = c.guestSeqno(vmpck);
            byte[] sealed = channel.request(handle, SnpGuestMessage.seal(key, vmpck, seq, type, payload));
            c.guestAnswered(vmpck);
            return SnpGuestMessage.open(key, sealed);
        }
    }

    /**
     * A response's STATUS (u32 at 0): 0, or the status the firmware refused the payload with; the firmware's own
     * reason is added to the message.
     */
    private void checkStatus(long handle, String request, byte[] rsp) {
        long status = LittleEndian.u32(rsp, 0);
        if (status != 0) {
            String reason = channel.takeRefusal(handle);
            throw new TeeException(new FirmwareStatus(SevStatus.VENDOR, status == SevStatus.INVALID_PARAM.code()
                    ? "INVALID_PARAM" : "STATUS", status), "the firmware refused the " + request + " payload (STATUS "
                            + "of its response)" + (reason == null ? "" : ": " + reason) + "; the guest channel stays "
                            + "in step");
        }
    }
}
