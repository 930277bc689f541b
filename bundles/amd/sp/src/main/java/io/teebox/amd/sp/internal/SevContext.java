package io.teebox.amd.sp.internal;

import java.security.MessageDigest;
import java.util.Arrays;

import io.teebox.amd.abi.SecretHeader;
import io.teebox.amd.abi.SevCrypto;
import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevPolicy;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.SevGuestContext;
import io.teebox.api.tee.FirmwareVersion;
import io.teebox.kit.crypto.AesCtr;
import io.teebox.kit.crypto.Digests;

/** The context of an SEV or SEV-ES guest: the owner session's keys and the SHA-256 launch digest. */
final class SevContext extends FirmwareContext implements SevGuestContext {

    private byte[] tek;
    private byte[] tik;
    private MessageDigest digest;
    /** MEASURE || MNONCE, once LAUNCH_MEASURE ran. */
    private byte[] measurement;
    private byte[] launchDigest;

    SevContext(long handle, AsidPool pool, int asid, long policy) {
        super(handle, pool, asid, policy);
    }

    @Override
    public synchronized void launchStart(byte[] tek, byte[] tik) {
        transition("LAUNCH_START", SevGuestState.LUPDATE, SevGuestState.UNINIT);
        this.tek = tek.clone();
        this.tik = tik.clone();
        this.digest = Digests.newSha256();
    }

    @Override
    public synchronized void measureData(long page, byte[] plaintext, int from, int to) {
        require("LAUNCH_UPDATE_DATA", SevGuestState.LUPDATE);
        if (anyVmsaLaunched()) {
            throw SevStatus.INVALID_GUEST_STATE.error("LAUNCH_UPDATE_DATA after LAUNCH_UPDATE_VMSA");
        }
        launchPage("LAUNCH_UPDATE_DATA", page, SevStatus.INVALID_PARAM);
        digest.update(plaintext, from, to - from);
    }

    @Override
    public synchronized void measureVmsa(int vcpu, byte[] vmsa) {
        require("LAUNCH_UPDATE_VMSA", SevGuestState.LUPDATE);
        if (!anyLaunched()) {
            throw SevStatus.INVALID_GUEST_STATE.error("LAUNCH_UPDATE_VMSA before any LAUNCH_UPDATE_DATA");
        }
        launchVmsa("LAUNCH_UPDATE_VMSA", vcpu);
        digest.update(vmsa);
    }

    @Override
    public synchronized byte[] launchMeasure(FirmwareVersion firmware, byte[] mnonce) {
        require("LAUNCH_MEASURE", SevGuestState.LUPDATE);
        byte[] ld = digest.digest();
        byte[] m = SevCrypto.measure(tik, firmware.major(), firmware.minor(), firmware.part(2),
                new SevPolicy(policy()), ld, mnonce);
        byte[] out = Arrays.copyOf(m, 48);
        System.arraycopy(mnonce, 0, out, 32, 16);
        measurement = out;
        launchDigest = ld;
        transition("LAUNCH_MEASURE", SevGuestState.LSECRET, SevGuestState.LUPDATE);
        return out.clone();
    }

    /** @return MEASURE || MNONCE, or null before LAUNCH_MEASURE (for a snapshot) */
    synchronized byte[] measurement() {
        return measurement == null ? null : measurement.clone();
    }

    /**
     * Puts back a finished launch's results (a snapshot of a running guest).
     *
     * @param measurement MEASURE || MNONCE
     * @param launchDigest the launch digest
     */
    synchronized void restoreLaunch(byte[] measurement, byte[] launchDigest) {
        this.measurement = measurement == null ? null : measurement.clone();
        this.launchDigest = launchDigest == null ? null : launchDigest.clone();
    }

    @Override
    public synchronized byte[] launchDigest() {
        return launchDigest == null ? null : launchDigest.clone();
    }

    @Override
    public synchronized boolean secretMacMatches(SecretHeader header, byte[] packet, FirmwareVersion firmware) {
        require("LAUNCH_SECRET", SevGuestState.LSECRET);
        byte[] mac = SevCrypto.secretMac(tik, header.flags(), header.iv(), packet.length, packet,
                Arrays.copyOf(measurement, 32), firmware.major(), firmware.minor());
        return SevCrypto.macEquals(mac, header.mac());
    }

    @Override
    public synchronized byte[] decryptSecret(byte[] iv, byte[] packet) {
        require("LAUNCH_SECRET", SevGuestState.LSECRET);
        return AesCtr.apply(tek, iv, packet);
    }

    @Override
    public synchronized void launchFinish() {
        transition("LAUNCH_FINISH", SevGuestState.RUNNING, SevGuestState.LSECRET);
        Arrays.fill(tek, (byte) 0);
        tek = null;
    }
}
