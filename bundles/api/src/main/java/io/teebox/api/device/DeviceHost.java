package io.teebox.api.device;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What the hypervisor gives a device when it assigns it to a guest: the guest it serves and direct memory access to
 * the guest's memory through the IOMMU. A device reaches only the pages the guest shared with the host; a DMA to a
 * private page is refused (on SNP the RMP, on TDX the shared-bit rule, stop it), so a confidential guest must move
 * data through bounce buffers in shared pages.
 */
@ConsumerType
public interface DeviceHost {

    /** @return the guest's name */
    String guest();

    /** @return the {@code tee.type} of the guest's CPU TEE, for example {@code sev-snp} */
    String guestTeeType();

    /** @return whether the guest is a confidential VM whose private memory the host cannot read */
    boolean confidentialGuest();

    /**
     * Reads guest memory as a device's DMA does: shared pages as stored.
     *
     * @param guestPhysicalAddress start address
     * @param length bytes, at most 1 MiB
     * @return the bytes
     * @throws io.teebox.api.tee.TeeException if a page in the range is private to the guest (an IOMMU fault), or
     *             the guest does not run
     * @throws IllegalArgumentException for a range outside guest memory
     */
    byte[] dmaRead(long guestPhysicalAddress, int length);

    /**
     * Writes guest memory as a device's DMA does: shared pages only.
     *
     * @param guestPhysicalAddress start address
     * @param data bytes, at most 1 MiB
     * @throws io.teebox.api.tee.TeeException if a page in the range is private to the guest, or the guest does not
     *             run
     */
    void dmaWrite(long guestPhysicalAddress, byte[] data);
}
