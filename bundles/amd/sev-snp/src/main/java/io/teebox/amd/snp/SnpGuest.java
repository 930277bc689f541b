package io.teebox.amd.snp;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.tee.TeeException;

/**
 * What an SEV-SNP guest at VMPL 0 can ask of the CPU and the firmware beyond the common API. Obtained through the
 * guest's context ({@code context.extension(SnpGuest.class)}): bound to that guest, and refused unless it runs.
 */
@ProviderType
public interface SnpGuest {

    /**
     * RMPADJUST: sets a less privileged VMPL's permissions on one of the guest's validated pages.
     *
     * @param gpa the page
     * @param targetVmpl 1..3
     * @param perms bit0 read, bit1 write, bit2 execute-user, bit3 execute-supervisor
     * @param vmsa mark the page as a VMSA
     * @return 0 on success, 1 FAIL_INPUT, 2 FAIL_PERMISSION
     */
    int rmpadjust(long gpa, int targetVmpl, int perms, boolean vmsa);

    /**
     * MSG_KEY_REQ through the guest channel.
     *
     * @param fieldSelect GUEST_FIELD_SELECT (bits 5:0: policy, image id, family id, measurement, guest SVN, TCB)
     * @param guestSvn the requested SVN (not above the launch SVN)
     * @param tcb the requested TCB_VERSION, or 0 for the committed one
     * @return the 32-byte derived key
     * @throws TeeException INVALID_PARAM for a request the firmware refuses
     */
    byte[] derivedKey(long fieldSelect, int guestSvn, long tcb);

    /**
     * @return the guest's RMP entries: host physical address to a line describing GPA, state and permissions
     */
    Map<Long, String> rmp();
}
