package io.teebox.amd.guest;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.api.hypervisor.ExitTrace;

/**
 * The GHCB of an SEV-ES or SEV-SNP guest, as the guest's own code uses it beyond intercepted instructions: the GHCB
 * MSR protocol (MSR 0xC001_0130 then VMGEXIT) and VMGEXIT with whatever the registered GHCB holds. Obtained through
 * the guest's context ({@code context.extension(GhcbGuest.class)}), so it acts only while the guest runs.
 */
@ProviderType
public interface GhcbGuest {

    /**
     * The guest writes the GHCB MSR and executes VMGEXIT: SEV information (0x002), CPUID (0x004), GHCB GPA
     * registration (0x012), page state change (0x014), hypervisor features (0x080), termination (0x100).
     *
     * @param vcpu the vCPU index
     * @param request the value written to the MSR
     * @return the value the hypervisor leaves in the MSR
     * @throws IllegalArgumentException for an unknown GHCBInfo code, naming it and the known ones
     */
    long msr(int vcpu, long request);

    /**
     * The guest executes VMGEXIT with whatever its registered GHCB page holds, as a #VC handler does after filling
     * it. A malformed GHCB is answered with an error in SW_EXITINFO1/2 and the guest keeps running.
     *
     * @param vcpu the vCPU index
     * @return the trace of the exit
     * @throws IllegalStateException if the vCPU has no GHCB registered
     */
    ExitTrace vmgexit(int vcpu);

    /**
     * @param vcpu the vCPU index
     * @return the GPA of the vCPU's registered GHCB, or 0
     */
    long ghcbGpa(int vcpu);
}
