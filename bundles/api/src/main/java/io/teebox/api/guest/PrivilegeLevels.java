package io.teebox.api.guest;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.attestation.Evidence;
import io.teebox.api.tee.Bytes;
import io.teebox.api.tee.TeeException;

/**
 * Privilege levels inside one guest, for software that runs in the guest's trust boundary beside its OS and must be
 * protected from it (a paravisor or an SVSM holding the guest's vTPM): SEV-SNP's four VMPLs, level 0 the most
 * privileged. The hardware enforces them: a less privileged level reaches a private page only with the permissions
 * level 0 gave it on that page. Obtained through {@link GuestContext#extension(Class)}; absent on TEEs that have no
 * levels inside a guest. The guest's other {@link GuestContext} calls act at level 0.
 */
@ProviderType
public interface PrivilegeLevels {

    /** @return what the vendor calls the levels, for example {@code "VMPL"} */
    String kind();

    /** @return how many levels there are (level 0 to count-1) */
    int count();

    /**
     * Level 0 sets what a less privileged level may do with one of the guest's validated private pages (SEV-SNP:
     * RMPADJUST). Permissions not given are taken away.
     *
     * @param guestPhysicalAddress a page-aligned address of a validated private page
     * @param level 1..count-1
     * @param read the level may read the page
     * @param write the level may write the page
     * @param execute the level may execute from the page
     * @throws TeeException the instruction's failure (a page not validated, a level out of range), named as the
     *         vendor names it
     */
    void permit(long guestPhysicalAddress, int level, boolean read, boolean write, boolean execute);

    /**
     * Reads memory as software running at a level does.
     *
     * @param level 0..count-1
     * @param guestPhysicalAddress start address
     * @param length bytes, at most 1 MiB
     * @return the plaintext
     * @throws TeeException the fault the access raises when the level may not read a page of the range (SEV-SNP: a
     *         nested page fault for an RMP violation), naming the page and the level
     */
    byte[] read(int level, long guestPhysicalAddress, int length);

    /**
     * Writes memory as software running at a level does.
     *
     * @param level 0..count-1
     * @param guestPhysicalAddress start address
     * @param data bytes, at most 1 MiB
     * @throws TeeException the fault the access raises when the level may not write a page of the range; nothing is
     *         written then
     */
    void write(int level, long guestPhysicalAddress, byte[] data);

    /**
     * Evidence requested by software at a level; the evidence names the level (SEV-SNP: MSG_REPORT_REQ with VMPL
     * set, the report's VMPL field).
     *
     * @param level 0..count-1
     * @param reportData the data to bind, at most the vendor's size
     * @return the evidence in the vendor's format
     * @throws TeeException if the TEE refuses the request
     */
    Evidence evidence(int level, Bytes reportData);
}
