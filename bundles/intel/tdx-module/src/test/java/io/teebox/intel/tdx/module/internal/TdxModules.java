package io.teebox.intel.tdx.module.internal;

import io.teebox.intel.tdx.module.TdxModule;
import io.teebox.kit.hex.Hex;

/**
 * TDX modules of test platforms for other modules' tests (this module's test-jar), their state kept in memory so a
 * test can update one as a bundle update does.
 */
public final class TdxModules {

    private TdxModules() {
    }

    /** @return a module of the default platform */
    public static TdxModule module() {
        return new TdxModuleImpl(TdxPlatform.defaults(), new ModuleStore.InMemory());
    }

    /**
     * @param firstHkid the first private HKID
     * @param count how many
     * @param teeTcbSvn TEE_TCB_SVN hex
     * @param seed the platform seed, or null for the default platform's
     * @return a module of such a platform
     */
    public static TdxModule module(int firstHkid, int count, String teeTcbSvn, String seed) {
        TdxPlatform d = TdxPlatform.defaults();
        return new TdxModuleImpl(new TdxPlatform(d.moduleVersion(), teeTcbSvn == null ? d.teeTcbSvn()
                : Hex.decode(teeTcbSvn), d.cpuSvn(), d.pceSvn(), d.fmspc(), firstHkid, firstHkid + count - 1,
                seed == null ? d.seed() : seed), new ModuleStore.InMemory());
    }

    /**
     * What a bundle update does to the module: the running revision hands its TDs over and a new revision (new
     * objects, same configuration) takes them.
     *
     * @param old a module of this class
     * @return the new revision
     */
    public static TdxModule update(TdxModule old) {
        TdxModuleImpl m = (TdxModuleImpl) old;
        m.handOver();
        return new TdxModuleImpl(m.tdxPlatform(), m.store());
    }

    /** @return the default platform's PPID in hex */
    public static String ppid() {
        return Hex.encode(TdxPlatform.defaults().ppid());
    }

    /** @return the default platform's FMSPC in hex */
    public static String fmspc() {
        return Hex.encode(TdxPlatform.defaults().fmspc());
    }
}
