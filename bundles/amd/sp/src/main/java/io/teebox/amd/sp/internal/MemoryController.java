package io.teebox.amd.sp.internal;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import io.teebox.amd.abi.SevStatus;
import io.teebox.kit.crypto.PageCipher;

/**
 * The memory controller's keys: one VEK per guest (AES-128 or AES-256, XTS with the host physical address as
 * tweak), installed for the guest's ASID by ACTIVATE and removed by DEACTIVATE. Not thread-safe: the secure
 * processor holds its monitor around the changes; a page is ciphered outside it with the key found under it.
 */
final class MemoryController {

    private final SecureRandom random = new SecureRandom();
    private final Map<Long, PageCipher> veks = new HashMap<>();
    private final Map<Integer, PageCipher> installed = new HashMap<>();
    private final Map<Long, byte[]> vekBytes = new HashMap<>();

    /** Makes a fresh VEK for a guest. */
    void newKey(long handle, int keyBits) {
        int half = keyBits / 8;
        byte[] vek = new byte[2 * half];
        random.nextBytes(vek);
        put(handle, vek);
        Arrays.fill(vek, (byte) 0);
    }

    /**
     * Sets a guest's VEK (a fresh one, or one a snapshot carried).
     *
     * @param handle the guest
     * @param vek the data key then the tweak key
     */
    void put(long handle, byte[] vek) {
        int half = vek.length / 2;
        veks.put(handle, PageCipher.xts(Arrays.copyOf(vek, half), Arrays.copyOfRange(vek, half, 2 * half)));
        vekBytes.put(handle, vek.clone());
    }

    /**
     * @param handle a guest
     * @return its VEK (data key then tweak key), or null: the firmware's own copy, for a snapshot that stays inside
     *         the secure processor's memory
     */
    byte[] vek(long handle) {
        byte[] k = vekBytes.get(handle);
        return k == null ? null : k.clone();
    }

    /** ACTIVATE: installs the guest's key for its ASID. */
    void install(long handle, int asid) {
        PageCipher current = installed.get(asid);
        if (current != null && current != veks.get(handle)) {
            throw SevStatus.ASID_OWNED.error("ASID " + asid + " is active for another guest");
        }
        installed.put(asid, veks.get(handle));
    }

    /** DEACTIVATE: removes the guest's key, if it is the one installed. */
    void uninstall(long handle, int asid) {
        installed.remove(asid, veks.get(handle));
    }

    boolean installed(long handle, int asid) {
        return installed.get(asid) == veks.get(handle);
    }

    /** DECOMMISSION: the guest's key is gone. */
    void forget(long handle) {
        veks.remove(handle);
        byte[] k = vekBytes.remove(handle);
        if (k != null) {
            Arrays.fill(k, (byte) 0);
        }
    }

    /**
     * @param asid an ASID
     * @return the key installed for it
     * @throws io.teebox.api.tee.TeeException INACTIVE if there is none
     */
    PageCipher key(int asid) {
        PageCipher k = installed.get(asid);
        if (k == null) {
            throw SevStatus.INACTIVE.error("no key is installed for ASID " + asid + " (guest not activated)");
        }
        return k;
    }
}
