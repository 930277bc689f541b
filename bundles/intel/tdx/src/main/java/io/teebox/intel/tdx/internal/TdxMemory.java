package io.teebox.intel.tdx.internal;

import io.teebox.api.memory.HostAccess;
import io.teebox.api.memory.HostAccessOutcome;
import io.teebox.api.memory.KeySlot;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.tdx.module.TdxModule;

/**
 * A TD's private memory as the vendor-neutral memory-encryption service sees it: pages encrypted and checked by the
 * TDX module's memory controller (TME-MK, AES-XTS-128 and a 28-bit MAC per line) through the TD's HKID, pages the
 * TD accepts, and what a host's access to a private page does.
 */
final class TdxMemory {

    private final TdxModule module;

    TdxMemory(TdxModule module) {
        this.module = module;
    }

    byte[] encryptPage(KeySlot slot, long hostPhysicalAddress, byte[] plaintext) {
        return module.encrypt(slot, hostPhysicalAddress, plaintext);
    }

    byte[] decryptPage(KeySlot slot, long hostPhysicalAddress, byte[] ciphertext) {
        return module.decrypt(slot, hostPhysicalAddress, ciphertext);
    }

    /**
     * TDG.MEM.PAGE.ACCEPT from the TD; a GPA the host has not added yet is added first with TDH.MEM.PAGE.AUG, as
     * after the EPT violation the TD's access causes. TDX has no way for a TD to give a private page back except
     * converting it to shared (TDG.VP.VMCALL&lt;MapGPA&gt;), so rescinding is refused.
     *
     * @return 0 for TDX_SUCCESS, otherwise the upper 32 bits of the completion status (0xB0A for
     *         TDX_PAGE_ALREADY_ACCEPTED)
     */
    int acceptPage(KeySlot slot, long guestPhysicalAddress, boolean accept) {
        long handle = module.handleOf(slot);
        if (!accept) {
            module.logCall(handle, "TDG.MEM.PAGE.ACCEPT", TdxStatus.TDX_OPERAND_INVALID, String.format("gpa=0x%X: a "
                    + "TD cannot un-accept a private page; it converts it to shared with MapGPA", guestPhysicalAddress));
            throw TdxStatus.TDX_OPERAND_INVALID.error(String.format("a TD cannot rescind accepted page 0x%X: TDX has "
                    + "no un-accept; the TD converts the page to shared (TDG.VP.VMCALL<MapGPA>) instead",
                    guestPhysicalAddress));
        }
        return (int) (module.acceptPage(handle, guestPhysicalAddress).code() >>> 32);
    }

    /**
     * TDX's rules. A host read of a TD's private line through the CPU returns zeros (the line's TD-owner bit does
     * not match the host's access), so the host sees fixed data; the DRAM itself holds AES-XTS ciphertext, which only
     * a physical attacker sees (and which the hypervisor's raw memory view shows). A host write, or putting back old
     * ciphertext, leaves a line whose MAC fails: the TD's next read consumes a poisoned line and the TD is
     * terminated. The Secure EPT belongs to the TDX module, so the host cannot remap a private page.
     */
    static HostAccessOutcome hostAccess(HostAccess access) {
        return switch (access) {
            case READ -> new HostAccessOutcome(HostAccessOutcome.Effect.FIXED_DATA, "a host read of a TD-private "
                    + "line returns zeros (TD-owner bit mismatch); the DRAM holds only AES-XTS-128 ciphertext");
            case WRITE -> new HostAccessOutcome(HostAccessOutcome.Effect.GUEST_TERMINATED, "the write lands but the "
                    + "line's 28-bit MAC no longer matches: the TD's next read consumes a poisoned line (#MC) and the "
                    + "TDX module marks the TD FATAL");
            case REMAP -> new HostAccessOutcome(HostAccessOutcome.Effect.HOST_FAULT, "the Secure EPT belongs to the "
                    + "TDX module: TDH.MEM.PAGE.AUG of a mapped GPA fails with TDX_EPT_ENTRY_NOT_FREE and "
                    + "TDH.MEM.PAGE.REMOVE of a live page with TDX_GPA_RANGE_NOT_BLOCKED");
            case REPLAY -> new HostAccessOutcome(HostAccessOutcome.Effect.GUEST_TERMINATED, "old ciphertext does not "
                    + "match the MAC the memory controller wrote last: the TD's next read is an integrity failure "
                    + "and the TD is terminated");
        };
    }
}
