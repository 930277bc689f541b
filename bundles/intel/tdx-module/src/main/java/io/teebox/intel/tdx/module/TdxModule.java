package io.teebox.intel.tdx.module;

import io.teebox.api.launch.GuestMemory;
import io.teebox.api.launch.GuestStatus;
import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.api.launch.LaunchRequest;
import io.teebox.api.launch.PageType;
import io.teebox.api.memory.KeySlot;
import io.teebox.api.tee.TeeException;
import io.teebox.intel.tdx.VirtualizationException;
import io.teebox.intel.tdx.abi.TdxStatus;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The TDX module (SEAM) of this platform and the CPU around it: the SEAMCALLs a host's TDX backend issues, the
 * TDCALLs of a running TD, the TME-MK memory controller with a private HKID per TD, EVERIFYREPORT2 and EGETKEY for
 * the quoting enclave. TDs are named by their TDR handle. Every SEAMCALL and TDCALL is recorded in the TD's call log
 * with the completion status it returned; a refusal is a {@link TeeException} carrying that {@link TdxStatus}.
 * The TDs outlive an update of the bundle behind this service. Thread-safe.
 */
@ProviderType
public interface TdxModule {

    /** @return the platform's identity: module version and TCB, CPU SVNs, FMSPC, PPID, HKID range */
    TdxPlatformInfo platform();

    /** @return the vCPU models a TD can present (QEMU's Intel models of TDX-capable CPUs, and {@code host}) */
    List<String> vcpuTypes();

    /** @return how many private HKIDs TDs hold */
    int hkidsInUse();

    // ---- build ------------------------------------------------------------------------------------------------

    /**
     * TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG, TDH.MNG.ADDCX, TDH.MNG.INIT and TDH.VP.CREATE per vCPU; a refused build is
     * torn down again (TDH.MNG.KEY.FREEID).
     *
     * @param request the launch request (TD ATTRIBUTES as its policy, TD_PARAMS as owner parameter
     *            {@link io.teebox.intel.tdx.Tdx#OWNER_TD_PARAMS}, vCPUs)
     * @param memory the host's view of the TD's memory
     * @return the TD's handle
     * @throws TeeException with TDX_OPERAND_INVALID for bad TD_PARAMS or vCPU model, TDX_MAX_VCPUS_EXCEEDED, or
     *             ENOSPC when no private HKID is free
     */
    long create(LaunchRequest request, GuestMemory memory);

    /**
     * @param handle a TD
     * @return its private HKID
     */
    KeySlot keySlot(long handle);

    /**
     * TDH.MEM.PAGE.ADD per page, and TDH.MR.EXTEND of its 16 chunks for NORMAL pages.
     *
     * @param handle a TD being built
     * @param gpa a 4 KiB aligned private GPA
     * @param length bytes
     * @param type NORMAL (measured) or UNMEASURED
     * @throws TeeException with TDX_OPERAND_INVALID, TDX_OP_STATE_INCORRECT or TDX_EPT_ENTRY_NOT_FREE
     */
    void addPages(long handle, long gpa, long length, PageType type);

    /**
     * TDH.VP.INIT: the vCPU's TDVPS gets its initial state, encrypted with the TD's key.
     *
     * @param handle a TD being built
     * @param vcpu the vCPU index
     * @throws TeeException with TDX_OPERAND_INVALID, TDX_OP_STATE_INCORRECT or TDX_VCPU_STATE_INCORRECT
     */
    void vpInit(long handle, int vcpu);

    /**
     * TDH.MR.FINALIZE: MRTD is fixed and the TD becomes runnable.
     *
     * @param handle a TD being built
     * @return MRTD (48 bytes)
     * @throws TeeException with TDX_OP_STATE_INCORRECT if it was finalized already
     */
    byte[] finalizeMr(long handle);

    /**
     * TDH.VP.ENTER of vCPU 0: the TD runs.
     *
     * @param handle a finalized TD
     * @throws TeeException with TDX_OP_STATE_INCORRECT or TDX_VCPU_STATE_INCORRECT
     */
    void enter(long handle);

    /**
     * @param handle a TD
     * @return its TD_PARAMS as TDH.MNG.INIT took them (1024 bytes)
     * @throws TeeException with TDX_OP_STATE_INCORRECT before TDH.MNG.INIT
     */
    byte[] tdParams(long handle);

    /**
     * @param handle a TD
     * @param memory the hypervisor's current view of its memory (after a restore of the hypervisor's state)
     */
    void bindMemory(long handle, GuestMemory memory);

    // ---- lifecycle --------------------------------------------------------------------------------------------

    /**
     * @param handle a TD
     * @return its state, key slot and the module's details
     */
    GuestStatus status(long handle);

    /**
     * The TD's key is configured already (TDX_KEY_CONFIGURED); a torn-down TD cannot be brought back.
     *
     * @param handle a TD
     */
    void activate(long handle);

    /**
     * TDH.VP.FLUSH, TDH.MNG.VPFLUSHDONE and TDH.PHYMEM.CACHE.WB: the TD stops for good.
     *
     * @param handle a TD
     */
    void deactivate(long handle);

    /**
     * TDH.MNG.KEY.FREEID and TDH.PHYMEM.PAGE.RECLAIM: the TD is gone and its HKID free.
     *
     * @param handle a deactivated TD
     * @throws TeeException with TDX_FLUSHVP_NOT_DONE if it was not deactivated
     */
    void decommission(long handle);

    // ---- the memory controller --------------------------------------------------------------------------------

    /**
     * @param slot an HKID key slot
     * @return the handle of the TD it belongs to
     * @throws TeeException with TDX_OPERAND_INVALID or TDX_TD_KEYS_NOT_CONFIGURED
     */
    long handleOf(KeySlot slot);

    /**
     * A TD store of a whole page through its HKID: checks the Secure EPT, encrypts and records the line MACs.
     *
     * @param slot the TD's HKID
     * @param hpa the page's host physical address
     * @param plaintext 4096 bytes
     * @return the ciphertext
     * @throws VirtualizationException if the Secure EPT does not map the page to the TD
     */
    byte[] encrypt(KeySlot slot, long hpa, byte[] plaintext);

    /**
     * A TD load of a page through its HKID: checks the Secure EPT and every line's MAC, then decrypts.
     *
     * @param slot the TD's HKID
     * @param hpa the page's host physical address
     * @param ciphertext 4096 bytes
     * @return the plaintext
     * @throws TeeException with TDX_TD_FATAL if a line's MAC fails (the TD is then FATAL)
     */
    byte[] decrypt(KeySlot slot, long hpa, byte[] ciphertext);

    // ---- TDCALLs ----------------------------------------------------------------------------------------------

    /**
     * @param handle a TD
     * @return its four RTMRs
     */
    byte[][] rtmrs(long handle);

    /**
     * TDG.MR.RTMR.EXTEND, with the event appended to the TD's event log.
     *
     * @param handle a running TD
     * @param index 0..3
     * @param data48 48 bytes
     * @param description the event data
     * @return the register's new value
     */
    byte[] rtmrExtend(long handle, int index, byte[] data48, String description);

    /**
     * TDG.MR.REPORT.
     *
     * @param handle a running TD
     * @param reportData 64 bytes
     * @return the 1024-byte TDREPORT_STRUCT, MACed with the platform's report key
     */
    byte[] tdReport(long handle, byte[] reportData);

    /**
     * TDG.MEM.PAGE.ACCEPT; a GPA the host has not added is added first (TDH.MEM.PAGE.AUG after the EPT violation).
     *
     * @param handle a running TD
     * @param gpa a 4 KiB aligned private GPA
     * @return TDX_SUCCESS or TDX_PAGE_ALREADY_ACCEPTED
     */
    TdxStatus acceptPage(long handle, long gpa);

    /**
     * @param handle a TD
     * @return its event log in the CCEL format
     */
    byte[] eventLog(long handle);

    /**
     * A TD load from private memory.
     *
     * @param handle a running TD
     * @param gpa a private GPA
     * @param length at most 1 MiB
     * @return the plaintext
     */
    byte[] read(long handle, long gpa, int length);

    /**
     * A TD store to private memory.
     *
     * @param handle a running TD
     * @param gpa a private GPA
     * @param data at most 1 MiB
     */
    void write(long handle, long gpa, byte[] data);

    /**
     * TDH.MEM.RD of a debug TD.
     *
     * @param handle a TD whose ATTRIBUTES set DEBUG
     * @param gpa a private GPA
     * @param length at most 1 MiB
     * @return the plaintext
     * @throws TeeException with TDX_TD_NON_DEBUG for a TD without DEBUG
     */
    byte[] debugRead(long handle, long gpa, int length);

    /**
     * Records a call of the TD (a TDG.VP.VMCALL the host served) in its call log.
     *
     * @param handle a TD
     * @param command the call's name
     * @param status its completion status
     * @param detail what happened
     */
    void logCall(long handle, String command, TdxStatus status, String detail);

    /**
     * @param handle a TD
     * @return every SEAMCALL and TDCALL of the TD with its completion status, oldest first
     */
    List<LaunchLogEntry> calls(long handle);

    // ---- the host's Secure-EPT SEAMCALLs ----------------------------------------------------------------------

    /**
     * TDH.MEM.PAGE.AUG.
     *
     * @param handle a finalized TD
     * @param gpa a free 4 KiB aligned private GPA
     */
    void augPage(long handle, long gpa);

    /**
     * TDH.MEM.RANGE.BLOCK.
     *
     * @param handle a TD
     * @param gpa a mapped GPA
     */
    void blockRange(long handle, long gpa);

    /**
     * TDH.MEM.TRACK.
     *
     * @param handle a TD
     */
    void track(long handle);

    /**
     * TDH.MEM.PAGE.REMOVE.
     *
     * @param handle a TD
     * @param gpa a blocked and tracked GPA
     */
    void removePage(long handle, long gpa);

    /**
     * @param handle a TD
     * @param gpa a GPA
     * @return {@code FREE}, {@code MAPPED}, {@code PENDING} or {@code BLOCKED}
     */
    String pageState(long handle, long gpa);

    // ---- for the quoting enclave ------------------------------------------------------------------------------

    /**
     * EVERIFYREPORT2, as a real quoting enclave has the CPU check a TDREPORT: the MAC under the platform's report
     * key and the two hashes.
     *
     * @param tdReport a TDREPORT_STRUCT (1024 bytes)
     * @return empty if it verifies, else why not
     * @throws io.teebox.kit.codec.MalformedStructureException if it is not a TDREPORT_STRUCT
     */
    Optional<String> verifyReport(byte[] tdReport);

    /**
     * EGETKEY: a key the CPU derives from the platform's fused secrets for an enclave of this platform, the same
     * for the same name on the same platform.
     *
     * @param name what the key is for: {@code "pck"} (the PCE's PCK key seed), {@code "qe-attestation-key"},
     *            {@code "qe-id"}
     * @return 32 bytes
     * @throws IllegalArgumentException for another name
     */
    byte[] enclaveKey(String name);
}
