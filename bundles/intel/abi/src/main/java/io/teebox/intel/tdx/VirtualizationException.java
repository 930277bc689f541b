package io.teebox.intel.tdx;

/**
 * A virtualization exception (#VE, vector 20) the TD takes: the TDX module reflects an EPT violation on a private
 * page that is not mapped or not accepted into the TD instead of exiting to the host. With the TD attribute
 * SEPT_VE_DISABLE the access is an EPT-violation exit to the host instead and {@link #delivered()} is false. The TD
 * keeps running either way.
 */
public class VirtualizationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The #VE exit reason of an EPT violation (VMX basic exit reason 48). */
    public static final int EXIT_REASON_EPT_VIOLATION = 48;

    private final long gpa;
    private final boolean delivered;

    /**
     * @param gpa the faulting guest physical address, or -1 if the access named only a host page
     * @param delivered true if the TD took #VE, false if the access exited to the host (SEPT_VE_DISABLE)
     * @param reason what the Secure EPT held
     */
    public VirtualizationException(long gpa, boolean delivered, String reason) {
        super((delivered ? "#VE (EPT violation, exit reason 48)" : "EPT violation exit to the host, no #VE")
                + (gpa < 0 ? " at a GPA the Secure EPT does not map" : String.format(" at GPA 0x%X", gpa)) + ": "
                + reason);
        this.gpa = gpa;
        this.delivered = delivered;
    }

    /** @return the faulting guest physical address */
    public long gpa() {
        return gpa;
    }

    /** @return true if the TD took #VE, false if the access exited to the host */
    public boolean delivered() {
        return delivered;
    }
}
