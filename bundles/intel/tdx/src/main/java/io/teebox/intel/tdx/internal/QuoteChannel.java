package io.teebox.intel.tdx.internal;

import io.teebox.intel.qe.TdQuotingEnclave;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.tdx.module.TdxModule;

/**
 * TDG.VP.VMCALL&lt;GetQuote&gt;: the TD's TDREPORT (TDG.MR.REPORT) goes through the host to the TD quoting enclave,
 * which answers with a quote; both steps are logged in the TD's call log.
 */
final class QuoteChannel {

    private final TdxModule module;
    private final TdQuotingEnclave qe;

    QuoteChannel(TdxModule module, TdQuotingEnclave qe) {
        this.module = module;
        this.qe = qe;
    }

    /**
     * @param handle the TD
     * @param reportData64 the REPORTDATA, 64 bytes
     * @return the quote
     */
    byte[] getQuote(long handle, byte[] reportData64) {
        byte[] report = module.tdReport(handle, reportData64);
        String cmd = "TDG.VP.VMCALL<GetQuote>";
        byte[] bytes;
        try {
            bytes = qe.quote(report);
        } catch (RuntimeException e) {
            module.logCall(handle, cmd, TdxStatus.TDX_SUCCESS, "the host's quoting enclave refused the TDREPORT: "
                    + e.getMessage());
            throw e;
        }
        module.logCall(handle, cmd, TdxStatus.TDX_SUCCESS, "the host passed the TDREPORT to the TD quoting enclave: "
                + bytes.length + "-byte Quote v4");
        return bytes;
    }
}
