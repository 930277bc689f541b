package io.teebox.amd.sp;

import org.osgi.annotation.versioning.ProviderType;

import io.teebox.amd.abi.SevGuestState;

/**
 * What anyone may read of a guest context the secure processor holds (the GCTX): it outlives any backend bundle, so
 * a restarted or updated backend finds its guests here. Only the firmware's commands change a context, through
 * {@link SevGuestContext} or {@link SnpGuestContext}, whose methods refuse what the firmware's state machine
 * forbids. A context is its own monitor: a command that reads and then changes it holds it throughout.
 */
@ProviderType
public interface GuestContext {

    /** @return the firmware's guest handle */
    long handle();

    /** @return the ASID pool the guest draws from */
    AsidPool pool();

    /** @return the guest's ASID */
    int asid();

    /** @return the guest policy */
    long policy();

    /** @return the guest state (GSTATE) */
    SevGuestState state();

    /**
     * @param page a page-aligned guest physical address
     * @return whether the launch encrypted (SEV) or assigned (SNP) that page
     */
    boolean launched(long page);

    /** @return whether the launch encrypted or assigned any page */
    boolean anyLaunched();

    /**
     * @param vcpu a vCPU index
     * @return whether the launch measured that vCPU's VMSA
     */
    boolean vmsaLaunched(int vcpu);

    /** @return whether the launch measured any VMSA */
    boolean anyVmsaLaunched();
}
