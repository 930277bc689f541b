package io.teebox.intel.tdx;

import io.teebox.api.tee.TeeException;
import io.teebox.intel.tdx.abi.TdxStatus;
import org.osgi.annotation.versioning.ProviderType;

/**
 * What a running TD asks of the TDX module with TDCALL, and its own loads and stores to private memory as the CPU
 * and the module execute them. Obtained through the TD's guest context
 * ({@code context.extension(TdxGuest.class)}): bound to that TD and refused unless it runs. Every call is recorded
 * with its completion status (see {@link TdxHost#calls()}).
 */
@ProviderType
public interface TdxGuest {

    /**
     * TDG.MR.RTMR.EXTEND: {@code RTMR[index] = SHA-384(RTMR[index] || data48)}, and the event is appended to the
     * TD's event log so a verifier can replay it: as EV_ACTION when {@code data48} is the SHA-384 of the UTF-8
     * description (the digest is defined over the event data, and verifiers check it), as EV_IPL otherwise.
     *
     * @param index the RTMR, 0..3
     * @param data48 the 48 bytes to extend (normally the SHA-384 of what is measured)
     * @param eventDescription what was measured; the event data in the log
     * @return the register's new value
     * @throws TeeException with TDX_OPERAND_INVALID for a bad index or length, TDX_OP_STATE_INCORRECT before the TD
     *             runs, TDX_TD_FATAL for a dead TD
     */
    byte[] rtmrExtend(int index, byte[] data48, String eventDescription);

    /**
     * TDG.MR.REPORT: a TDREPORT_STRUCT binding the given report data, MACed by the CPU.
     *
     * @param reportData64 64 bytes of REPORTDATA
     * @return the 1024-byte TDREPORT_STRUCT
     * @throws TeeException with TDX_OPERAND_INVALID for report data that is not 64 bytes
     */
    byte[] tdReport(byte[] reportData64);

    /**
     * TDG.MEM.PAGE.ACCEPT: accepts a private page the host added with TDH.MEM.PAGE.AUG, which the module then
     * zeroes. If the host has not added it, the TD exits with an EPT violation, the host adds it and the TD
     * retries; both calls are recorded.
     *
     * @param gpa a 4 KiB aligned private GPA
     * @return TDX_SUCCESS, or TDX_PAGE_ALREADY_ACCEPTED (informational, bit 63 clear) for a page accepted before
     * @throws TeeException with TDX_OPERAND_INVALID for an unaligned or shared GPA
     */
    TdxStatus acceptPage(long gpa);

    /**
     * TDG.MR.REPORT, then TDG.VP.VMCALL&lt;GetQuote&gt;: the host hands the TDREPORT to the quoting enclave, which checks
     * its MAC and signs a Quote v4 with its attestation key.
     *
     * @param reportData64 64 bytes of REPORTDATA
     * @return the quote
     * @throws TeeException if the report cannot be made or the quoting enclave refuses it
     */
    byte[] getQuote(byte[] reportData64);

    /**
     * @return the TD's event log in the CCEL format (see {@link io.teebox.intel.tdx.abi.EventLog})
     */
    byte[] eventLog();

    /**
     * A TD load from private memory: the Secure EPT is walked, the line's MAC checked and the page decrypted with
     * the TD's key.
     *
     * @param gpa a private GPA (the shared bit clear)
     * @param length bytes, at most 1 MiB
     * @return the plaintext
     * @throws VirtualizationException (#VE) if a page is not mapped or not accepted
     * @throws TeeException with TDX_TD_FATAL if a line's MAC fails: the line is poisoned, the TD consumes it and is
     *             terminated
     */
    byte[] read(long gpa, int length);

    /**
     * A TD store to private memory.
     *
     * @param gpa a private GPA
     * @param data bytes, at most 1 MiB
     * @throws VirtualizationException (#VE) if a page is not mapped or not accepted
     */
    void write(long gpa, byte[] data);
}
