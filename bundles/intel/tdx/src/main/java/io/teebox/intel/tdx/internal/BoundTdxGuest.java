package io.teebox.intel.tdx.internal;

import io.teebox.intel.tdx.TdxGuest;
import io.teebox.intel.tdx.abi.TdxStatus;
import io.teebox.intel.tdx.module.TdxModule;

/** One TD's own TDCALLs, its GetQuote and its loads and stores beyond the common API, bound to its handle. */
final class BoundTdxGuest implements TdxGuest {

    private final TdxModule module;
    private final QuoteChannel quotes;
    private final long handle;

    BoundTdxGuest(TdxModule module, QuoteChannel quotes, long handle) {
        this.module = module;
        this.quotes = quotes;
        this.handle = handle;
    }

    @Override
    public byte[] rtmrExtend(int index, byte[] data48, String eventDescription) {
        return module.rtmrExtend(handle, index, data48, eventDescription);
    }

    @Override
    public byte[] tdReport(byte[] reportData64) {
        return module.tdReport(handle, reportData64);
    }

    @Override
    public TdxStatus acceptPage(long gpa) {
        return module.acceptPage(handle, gpa);
    }

    @Override
    public byte[] getQuote(byte[] reportData64) {
        return quotes.getQuote(handle, reportData64);
    }

    @Override
    public byte[] eventLog() {
        return module.eventLog(handle);
    }

    @Override
    public byte[] read(long gpa, int length) {
        return module.read(handle, gpa, length);
    }

    @Override
    public void write(long gpa, byte[] data) {
        module.write(handle, gpa, data);
    }
}
