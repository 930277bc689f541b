package io.teebox.boot.eventlog;

/** The EV_EFI_ACTION strings of the profile (PFP section 10.4.4), logged without a terminating NUL. */
public final class EfiActions {

    /** PCR 4, before the boot manager starts a Boot#### option. */
    public static final String CALLING_EFI_APPLICATION = "Calling EFI Application from Boot Option";
    /** PCR 4, if the option's application returns. */
    public static final String RETURNING_FROM_EFI_APPLICATION = "Returning from EFI Application from Boot Option";
    /** PCR 5, when the OS loader calls ExitBootServices(). */
    public static final String EXIT_BOOT_SERVICES_INVOCATION = "Exit Boot Services Invocation";
    /** PCR 5, when ExitBootServices() fails. */
    public static final String EXIT_BOOT_SERVICES_FAILED = "Exit Boot Services Returned with Failure";
    /** PCR 5, when ExitBootServices() succeeds. */
    public static final String EXIT_BOOT_SERVICES_SUCCEEDED = "Exit Boot Services Returned with Success";

    private EfiActions() {
    }
}
