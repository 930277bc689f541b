package io.teebox.amd.snp.internal;

import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.Rmp;
import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.KeySlot;

/**
 * SEV-SNP memory: AES-256-XTS under the guest's ASID, with every guest access checked against the Reverse Map Table
 * and every host write to an assigned page faulting there.
 */
final class SnpMemory {

    private final AmdSecureProcessor sp;

    SnpMemory(AmdSecureProcessor sp) {
        this.sp = sp;
    }

    byte[] encrypt(KeySlot slot, long hpa, byte[] plaintext) {
        return sp.encryptPage(slot.id(), hpa, plaintext);
    }

    byte[] decrypt(KeySlot slot, long hpa, byte[] ciphertext) {
        return sp.decryptPage(slot.id(), hpa, ciphertext);
    }

    /** RMPUPDATE: the host assigns a page to the guest at a GPA. */
    void assign(KeySlot slot, long gpa, long hpa) {
        sp.rmp().update(hpa, slot.id(), gpa);
    }

    /** RMPUPDATE: the host takes back a page the guest owns. */
    void release(KeySlot slot, long gpa, long hpa) {
        Rmp.Entry e = sp.rmp().entry(hpa);
        if (e.assigned() && e.asid() == slot.id()) {
            sp.rmp().update(hpa, 0, gpa);
        }
    }

    /** PVALIDATE by the guest. */
    int accept(KeySlot slot, long gpa, long hpa, boolean accept) {
        return sp.rmp().pvalidate(slot.id(), gpa, hpa, accept);
    }

    byte[] guestDecrypt(KeySlot slot, long gpa, long hpa, byte[] ciphertext) {
        sp.rmp().checkGuestAccess(slot.id(), gpa, hpa);
        return sp.decryptPage(slot.id(), hpa, ciphertext);
    }

    byte[] guestEncrypt(KeySlot slot, long gpa, long hpa, byte[] plaintext) {
        sp.rmp().checkGuestAccess(slot.id(), gpa, hpa);
        return sp.encryptPage(slot.id(), hpa, plaintext);
    }

    static HostAccessOutcome hostAccess(HostAccess access) {
        return switch (access) {
            case READ -> new HostAccessOutcome(HostAccessOutcome.Effect.CIPHERTEXT,
                    "the host reads the AES-256-XTS ciphertext of the page");
            case WRITE -> new HostAccessOutcome(HostAccessOutcome.Effect.HOST_FAULT,
                    "RMP #NPF: the page is assigned to the guest in the RMP; the host write faults and nothing "
                            + "changes");
            case REMAP -> new HostAccessOutcome(HostAccessOutcome.Effect.GUEST_EXCEPTION,
                    "the RMP entry records the page's GPA: the guest's next access at another GPA raises #VC");
            case REPLAY -> new HostAccessOutcome(HostAccessOutcome.Effect.HOST_FAULT,
                    "RMP #NPF: putting back old ciphertext is a host write to a guest-owned page");
        };
    }
}
