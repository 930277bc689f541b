package io.teebox.amd.sp.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.teebox.amd.abi.SevGuestState;
import io.teebox.amd.abi.SevStatus;
import io.teebox.amd.sp.AsidPool;
import io.teebox.amd.sp.GuestContext;

/**
 * What every guest context holds: identity, guest state, and the pages and VMSAs the launch took. Subclasses add
 * the SEV or the SNP launch; all state changes go through their methods, under the context's monitor.
 */
abstract class FirmwareContext implements GuestContext {

    private final long handle;
    private final AsidPool pool;
    private final int asid;
    private final long policy;
    private SevGuestState state = SevGuestState.UNINIT;
    private final Set<Long> launchedPages = new HashSet<>();
    private final List<Integer> launchedVmsas = new ArrayList<>();

    FirmwareContext(long handle, AsidPool pool, int asid, long policy) {
        this.handle = handle;
        this.pool = pool;
        this.asid = asid;
        this.policy = policy;
    }

    @Override
    public final long handle() {
        return handle;
    }

    @Override
    public final AsidPool pool() {
        return pool;
    }

    @Override
    public final int asid() {
        return asid;
    }

    @Override
    public final long policy() {
        return policy;
    }

    @Override
    public final synchronized SevGuestState state() {
        return state;
    }

    @Override
    public final synchronized boolean launched(long page) {
        return launchedPages.contains(page);
    }

    @Override
    public final synchronized boolean anyLaunched() {
        return !launchedPages.isEmpty();
    }

    @Override
    public final synchronized boolean vmsaLaunched(int vcpu) {
        return launchedVmsas.contains(vcpu);
    }

    @Override
    public final synchronized boolean anyVmsaLaunched() {
        return !launchedVmsas.isEmpty();
    }

    /** @return the launched pages, for a snapshot */
    final synchronized java.util.Set<Long> launchedPages() {
        return new java.util.TreeSet<>(launchedPages);
    }

    /** @return the launched VMSAs' vCPUs, for a snapshot */
    final synchronized List<Integer> launchedVmsas() {
        return new ArrayList<>(launchedVmsas);
    }

    /**
     * Puts back what a snapshot of this context held (a new revision of the firmware taking over a running guest).
     *
     * @param restored the state
     * @param pages the launched pages
     * @param vmsas the launched VMSAs' vCPUs
     */
    final synchronized void restore(SevGuestState restored, java.util.Collection<Long> pages,
            java.util.Collection<Integer> vmsas) {
        this.state = restored;
        launchedPages.addAll(pages);
        launchedVmsas.addAll(vmsas);
    }

    /** Refuses the operation unless the guest is in one of the states. */
    final void require(String operation, SevGuestState... allowed) {
        for (SevGuestState s : allowed) {
            if (state == s) {
                return;
            }
        }
        throw SevStatus.INVALID_GUEST_STATE.error(operation + " needs guest state " + (allowed.length == 1
                ? allowed[0] : java.util.Arrays.toString(allowed)) + "; guest " + handle + " is " + state);
    }

    /** Moves from one state to the next, refusing any other start. */
    final void transition(String operation, SevGuestState next, SevGuestState... from) {
        require(operation, from);
        state = next;
    }

    /** Records a launched page; a page is launched once. */
    final void launchPage(String operation, long page, SevStatus twice) {
        if (!launchedPages.add(page)) {
            throw twice.error(String.format("%s: page 0x%X is already launched", operation, page));
        }
    }

    /** Records a launched VMSA; a vCPU's VMSA is launched once. */
    final void launchVmsa(String operation, int vcpu) {
        if (launchedVmsas.contains(vcpu)) {
            throw SevStatus.INVALID_PARAM.error(operation + ": the VMSA of vCPU " + vcpu + " is already launched");
        }
        launchedVmsas.add(vcpu);
    }
}
