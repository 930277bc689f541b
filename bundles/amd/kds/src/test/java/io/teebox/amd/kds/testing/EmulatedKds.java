package io.teebox.amd.kds.testing;

import io.teebox.amd.kds.internal.KdsCollateralSource;
import io.teebox.amd.kds.internal.KdsServer;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.testing.ServletHost;
import io.teebox.spi.collateral.CollateralSource;

/**
 * The emulated AMD KDS of a test platform for other modules' tests (this module's test-jar): on HTTP on a free
 * loopback port, and as the in-process collateral source the platform registers.
 */
public final class EmulatedKds {

    private EmulatedKds() {
    }

    /**
     * @param sp the platform whose keys are served
     * @return a started server answering the KDS paths; close it after the test
     * @throws Exception if the server does not start
     */
    public static ServletHost serve(AmdSecureProcessor sp) throws Exception {
        ServletHost host = new ServletHost();
        KdsServer kds = new KdsServer(sp, host);
        return host.serve("/vcek/v1/*", kds).serve("/vlek/v1/*", kds).start();
    }

    /**
     * @param sp the platform whose keys are served
     * @param host where the same KDS answers on HTTP (its describe())
     * @return the in-process collateral source
     */
    public static CollateralSource source(AmdSecureProcessor sp, ServletHost host) {
        return new KdsCollateralSource(sp, host);
    }
}
