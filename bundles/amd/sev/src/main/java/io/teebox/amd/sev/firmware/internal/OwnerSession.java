package io.teebox.amd.sev.firmware.internal;

import java.security.SecureRandom;

import io.teebox.amd.abi.SevCertificate;
import io.teebox.amd.abi.SevCrypto;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.amd.abi.SevSession;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.launch.LaunchRequest;

/**
 * LAUNCH_START's transport keys: unwrapped from the guest owner's session (its DH certificate and the session blob,
 * SEV API 6.2), or fresh ones when the owner gives neither.
 *
 * @param tek the transport encryption key
 * @param tik the transport integrity key
 */
record OwnerSession(byte[] tek, byte[] tik) {

    /**
     * @param sp the secure processor (its PDH)
     * @param request the launch request with the owner parameters {@code godh-cert} and {@code session}
     * @param policy the guest policy the session's POLICY_MAC must match
     * @param random for fresh keys
     * @return the keys
     * @throws io.teebox.api.tee.TeeException INVALID_PARAM with only one of the two, INVALID_CERTIFICATE for a DH
     *             certificate of another usage, BAD_MEASUREMENT for a session not made for this PDH, POLICY_FAILURE
     *             for a policy the owner did not choose
     */
    static OwnerSession of(AmdSecureProcessor sp, LaunchRequest request, SevPolicy policy, SecureRandom random) {
        byte[] godh = request.ownerParameter("godh-cert");
        byte[] blob = request.ownerParameter("session");
        if (godh == null && blob == null) {
            byte[] tek = new byte[16];
            byte[] tik = new byte[16];
            random.nextBytes(tek);
            random.nextBytes(tik);
            return new OwnerSession(tek, tik);
        }
        if (godh == null || blob == null) {
            throw SevStatus.INVALID_PARAM.error("LAUNCH_START needs both the owner's DH certificate "
                    + "(godh-cert) and the session blob (session), or neither");
        }
        SevCertificate cert = SevCertificate.parse(godh);
        if (cert.usage() != SevCertificate.USAGE_PDH) {
            throw SevStatus.INVALID_CERTIFICATE.error(String.format(
                    "the owner's DH certificate has key usage 0x%X, expected PDH 0x1003", cert.usage()));
        }
        java.security.PublicKey ownerKey = cert.publicKey();
        SevSession session = SevSession.parse(blob);
        byte[] master = SevCrypto.masterSecret(sp.pdhSharedSecret(ownerKey), session.nonce());
        byte[] kik = SevCrypto.kik(master);
        if (!SevCrypto.macEquals(SevCrypto.wrapMac(kik, session.wrapTk()), session.wrapMac())) {
            // SEV API: an integrity failure of the session data; status as sev-tool/ccp report it
            // [UNCONFIRMED which code the firmware returns; BAD_MEASUREMENT chosen].
            throw SevStatus.BAD_MEASUREMENT.error("WRAP_MAC of the session does not match: the session "
                    + "was not made for this platform's PDH, or was changed in transit");
        }
        byte[][] keys = SevCrypto.split(SevCrypto.wrap(SevCrypto.kek(master), session.wrapIv(), session.wrapTk()));
        if (!SevCrypto.macEquals(SevCrypto.policyMac(keys[1], policy), session.policyMac())) {
            throw SevStatus.POLICY_FAILURE.error("POLICY_MAC does not match policy " + policy
                    + ": the host changed the policy the owner chose");
        }
        return new OwnerSession(keys[0], keys[1]);
    }
}
