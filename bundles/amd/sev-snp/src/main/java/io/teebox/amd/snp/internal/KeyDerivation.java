package io.teebox.amd.snp.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.abi.SnpGuestMessage;
import io.teebox.amd.abi.TcbVersions;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.SnpGuestContext;
import io.teebox.amd.sp.SnpIdentity;
import io.teebox.api.tee.TcbVersion;
import io.teebox.kit.codec.LittleEndian;
import io.teebox.kit.codec.Struct;
import io.teebox.kit.crypto.Hmac;

/**
 * MSG_KEY_REQ. AMD's derivation is firmware-internal; teebox's, documented here, is
 * {@code HMAC-SHA256(root, "teebox-snp-key" || VMPL u32 || GUEST_FIELD_SELECT u64 || selected fields)} where root is
 * the chip's VCEK-bound secret for the requested TCB and the selected fields are, in bit order, POLICY (u64),
 * IMAGE_ID, FAMILY_ID, MEASUREMENT, GUEST_SVN (the requested u32) and TCB_VERSION (the requested u64). The same
 * guest, fields and request always give the same key; changing any selected field changes it.
 */
final class KeyDerivation {

    private final AmdSecureProcessor sp;

    KeyDerivation(AmdSecureProcessor sp) {
        this.sp = sp;
    }

    /**
     * @param c the guest
     * @param payload the MSG_KEY_REQ payload
     * @return the 32-byte key
     * @throws io.teebox.api.tee.TeeException INVALID_PARAM for a request the firmware refuses
     */
    byte[] derive(SnpGuestContext c, byte[] payload) {
        Struct req;
        try {
            req = SnpGuestMessage.KEY_REQ_LAYOUT.parse(payload);
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_PARAM.error(e.getMessage());
        }
        if ((req.u32("ROOT_KEY_SELECT") & 1) != 0) {
            throw SevStatus.INVALID_PARAM.error("ROOT_KEY_SELECT asks for the VMRK; this guest has no migration "
                    + "agent");
        }
        long select = req.u64("GUEST_FIELD_SELECT");
        if ((select >>> 7) != 0 || (select & 1L << 6) != 0) {
            throw SevStatus.INVALID_PARAM.error(String.format("GUEST_FIELD_SELECT 0x%X sets reserved or unsupported "
                    + "bits (only 5:0 are supported)", select));
        }
        if (req.u32("VMPL") > 3) {
            throw SevStatus.INVALID_PARAM.error("VMPL " + req.u32("VMPL") + " is not 0..3");
        }
        SnpIdentity id = c.identity();
        if (req.u32("GUEST_SVN") > id.guestSvn()) {
            throw SevStatus.INVALID_PARAM.error("GUEST_SVN " + req.u32("GUEST_SVN") + " is above the launch SVN "
                    + id.guestSvn());
        }
        TcbVersion committed = sp.snpTcb();
        long tcb = req.u64("TCB_VERSION");
        for (int b = 0; b < 8; b++) {
            if (((tcb >>> (8 * b)) & 0xFF) > ((committed.asLong() >>> (8 * b)) & 0xFF)) {
                throw SevStatus.INVALID_PARAM.error(String.format("TCB_VERSION 0x%016X is above the committed TCB "
                        + "0x%016X", tcb, committed.asLong()));
            }
        }
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes("teebox-snp-key".getBytes(StandardCharsets.US_ASCII));
        m.writeBytes(Arrays.copyOfRange(payload, 0x10, 0x14));
        m.writeBytes(Arrays.copyOfRange(payload, 0x08, 0x10));
        byte[] p = new byte[8];
        LittleEndian.put64(p, 0, c.policy());
        byte[][] fields = {p, id.imageId(), id.familyId(), c.launchDigest(), Arrays.copyOfRange(payload, 0x14, 0x18),
            Arrays.copyOfRange(payload, 0x18, 0x20)};
        for (int bit = 0; bit < fields.length; bit++) {
            if ((select & 1L << bit) != 0) {
                m.writeBytes(fields[bit]);
            }
        }
        TcbVersion at;
        try {
            at = TcbVersions.decode(sp.productLine(), tcb == 0 ? committed.asLong() : tcb);
        } catch (IllegalArgumentException e) {
            throw SevStatus.INVALID_PARAM.error(e.getMessage());
        }
        return Hmac.sha256(sp.keys().derivationRoot(at), m.toByteArray());
    }
}
