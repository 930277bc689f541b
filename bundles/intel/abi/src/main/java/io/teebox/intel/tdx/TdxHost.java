package io.teebox.intel.tdx;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.tee.TeeException;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The VMM's SEAMCALLs on a running TD's Secure EPT, beyond what {@link io.teebox.api.launch.LaunchService} covers.
 * The Secure EPT belongs to the TDX module: the host cannot map, remap or remove a private page except through
 * these calls, and the module refuses any that would let it change a page under the TD. Obtained through the
 * hypervisor ({@code hypervisor.hostExtension(td, TdxHost.class)}): bound to that TD, callable while it is launched
 * and not terminated.
 */
@ProviderType
public interface TdxHost {

    /**
     * TDH.MEM.PAGE.AUG: adds a zeroed private page after the TD was finalized; it stays PENDING until the TD
     * accepts it.
     *
     * @param gpa a 4 KiB aligned private GPA
     * @throws TeeException with TDX_EPT_ENTRY_NOT_FREE if the GPA is mapped already (a remap attempt),
     *             TDX_OP_STATE_INCORRECT before TDH.MR.FINALIZE
     */
    void augPage(long gpa);

    /**
     * TDH.MEM.RANGE.BLOCK: blocks a page's Secure EPT entry, the first step of removing or relocating it.
     *
     * @param gpa a mapped GPA
     * @throws TeeException with TDX_EPT_WALK_FAILED if the GPA is not mapped
     */
    void blockRange(long gpa);

    /**
     * TDH.MEM.TRACK: advances the TD's TLB epoch so blocked mappings can be dropped.
     *
     */
    void track();

    /**
     * TDH.MEM.PAGE.REMOVE: removes a blocked and tracked page; the TD's next access to it raises #VE.
     *
     * @param gpa the GPA
     * @throws TeeException with TDX_GPA_RANGE_NOT_BLOCKED (the host tried to remove a live page),
     *             TDX_TLB_TRACKING_NOT_DONE, or TDX_EPT_WALK_FAILED
     */
    void removePage(long gpa);


    /**
     * @param gpa a GPA
     * @return the Secure EPT state of the page: {@code FREE}, {@code MAPPED}, {@code PENDING} or {@code BLOCKED}
     */
    String pageState(long gpa);

    /**
     * @return every SEAMCALL and TDCALL of the TD with its completion status, oldest first
     */
    List<LaunchLogEntry> calls();
}
