package io.teebox.intel.tdx.module.internal;

import io.teebox.api.memory.KeySlot;
import io.teebox.intel.tdx.abi.TdxStatus;

/**
 * The memory controller's TME-MK engine for the TDs' private HKIDs: a page stored through an HKID is encrypted with
 * the TD's key and its cache lines' MACs recorded; a page loaded is checked line by line (a mismatch poisons the line
 * and makes the TD FATAL) and decrypted. Accesses go through the Secure EPT check ({@link SecureEpt#accessible}).
 */
final class MemoryController {

    private final TdTable tds;

    MemoryController(TdTable tds) {
        this.tds = tds;
    }

    /** @return the handle of the TD a key slot belongs to */
    long handleOf(KeySlot slot) {
        return tds.ofSlot(slot).handle;
    }

    static void checkPage(long hpa, byte[] page) {
        if (page == null || page.length != TdContext.PAGE) {
            throw new IllegalArgumentException("a page is 4096 bytes, got " + (page == null ? "none" : page.length));
        }
        if ((hpa & (TdContext.PAGE - 1)) != 0) {
            throw TdxStatus.TDX_OPERAND_INVALID.error(String.format("host physical address 0x%X is not 4 KiB aligned",
                    hpa));
        }
    }

    static void keysUsable(TdContext td) {
        if (td.fatal != null) {
            throw TdxStatus.TDX_TD_FATAL.error("the TD is FATAL: " + td.fatal);
        }
        if (td.lifecycle == TdContext.Lifecycle.BLOCKED) {
            throw TdxStatus.TDX_LIFECYCLE_STATE_INCORRECT.error("the TD is torn down; HKID " + td.hkid
                    + " no longer encrypts or decrypts");
        }
        if (td.keys == null) {
            throw TdxStatus.TDX_TD_KEYS_NOT_CONFIGURED.error("HKID " + td.hkid + " has no key yet");
        }
    }

    /** A TD store of a whole page through its HKID: checks the Secure EPT, encrypts and records the line MACs. */
    byte[] encrypt(KeySlot slot, long hpa, byte[] plaintext) {
        checkPage(hpa, plaintext);
        TdContext td = tds.ofSlot(slot);
        synchronized (td) {
            keysUsable(td);
            SecureEpt.accessible(td, td.gpaOfHpa.get(hpa), hpa);
            byte[] ct = td.keys.encrypt(hpa, plaintext);
            td.macs.put(hpa, td.keys.macs(hpa, ct));
            return ct;
        }
    }

    /** A TD load of a page through its HKID: checks the Secure EPT and every line's MAC, then decrypts. */
    byte[] decrypt(KeySlot slot, long hpa, byte[] ciphertext) {
        checkPage(hpa, ciphertext);
        TdContext td = tds.ofSlot(slot);
        synchronized (td) {
            keysUsable(td);
            Long gpa = td.gpaOfHpa.get(hpa);
            SecureEpt.accessible(td, gpa, hpa);
            return decryptChecked(td, gpa, hpa, ciphertext);
        }
    }

    /** Called holding the TD's monitor. A MAC failure poisons the line; consuming it makes the TD FATAL. */
    static byte[] decryptChecked(TdContext td, Long gpa, long hpa, byte[] ciphertext) {
        int[] expected = td.macs.get(hpa);
        int[] actual = td.keys.macs(hpa, ciphertext);
        int bad = expected == null ? 0 : MemoryKeys.firstMismatch(expected, actual);
        if (bad >= 0) {
            String reason = String.format("integrity check failed on cache line %d of GPA 0x%X (HPA 0x%X): MAC "
                    + "0x%07X, expected 0x%07X; the line was changed outside the TD, it is poisoned and the TD "
                    + "consumed it (#MC)", bad, gpa == null ? -1 : gpa, hpa + (long) bad * MemoryKeys.LINE,
                    actual[bad], expected == null ? 0 : expected[bad]);
            td.fatal = reason;
            td.log("#MC", TdxStatus.TDX_TD_FATAL, reason);
            throw TdxStatus.TDX_TD_FATAL.error("the TDX module marked TD " + td.handle + " FATAL: " + reason);
        }
        return td.keys.decrypt(hpa, ciphertext);
    }
}
