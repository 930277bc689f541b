package io.teebox.intel.tdx.internal;

import io.teebox.api.launch.LaunchLogEntry;
import io.teebox.intel.tdx.TdxHost;
import io.teebox.intel.tdx.module.TdxModule;
import java.util.List;

/** The host's SEAMCALLs on one TD's Secure EPT, and the TD's call log, bound to its handle. */
final class BoundTdxHost implements TdxHost {

    private final TdxModule module;
    private final long handle;

    BoundTdxHost(TdxModule module, long handle) {
        this.module = module;
        this.handle = handle;
    }

    @Override
    public void augPage(long gpa) {
        module.augPage(handle, gpa);
    }

    @Override
    public void blockRange(long gpa) {
        module.blockRange(handle, gpa);
    }

    @Override
    public void track() {
        module.track(handle);
    }

    @Override
    public void removePage(long gpa) {
        module.removePage(handle, gpa);
    }

    @Override
    public String pageState(long gpa) {
        return module.pageState(handle, gpa);
    }

    @Override
    public List<LaunchLogEntry> calls() {
        return module.calls(handle);
    }
}
