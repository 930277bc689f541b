package io.teebox.api.launch;

/**
 * How a page enters the guest at launch. Backends map these to their own commands: SEV's LAUNCH_UPDATE_DATA
 * takes {@link #NORMAL} only; SNP_LAUNCH_UPDATE takes every type; TDX adds {@link #NORMAL} pages with
 * TDH.MEM.PAGE.ADD and TDH.MR.EXTEND and {@link #UNMEASURED} pages with TDH.MEM.PAGE.ADD alone.
 */
public enum PageType {
    /** Content is encrypted and measured. */
    NORMAL,
    /** The page is zeroed by the firmware; its address is measured, its content is not. */
    ZERO,
    /** Content is encrypted but not measured. */
    UNMEASURED,
    /** The firmware fills the page with the guest's secrets (SNP secrets page). */
    SECRETS,
    /** The firmware checks and installs CPUID values given by the host (SNP CPUID page). */
    CPUID
}
