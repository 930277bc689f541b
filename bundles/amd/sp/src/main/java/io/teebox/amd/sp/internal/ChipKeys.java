package io.teebox.amd.sp.internal;

import java.util.Locale;
import java.util.function.Supplier;

import io.teebox.amd.abi.AmdKeyHierarchy;
import io.teebox.api.platform.PlatformState;

/**
 * The AMD key hierarchy of this chip (ARK, ASK, ASVK, VCEKs, VLEKs, chip ID) for the configured product line, built
 * on first use (a later change of the product line keeps it). AMD's roots are issued once per machine and product line
 * and kept in the platform's state, so a verifier given the ARK keeps working after a restart.
 */
final class ChipKeys {

    private final byte[] chipSeed;
    /** Where the roots are kept; null for a platform of a configured seed alone (tests). */
    private final PlatformState state;
    private final Supplier<String> productLine;
    private volatile AmdKeyHierarchy keys;

    ChipKeys(byte[] chipSeed, PlatformState state, Supplier<String> productLine) {
        this.chipSeed = chipSeed;
        this.state = state;
        this.productLine = productLine;
    }

    AmdKeyHierarchy get() {
        AmdKeyHierarchy k = keys;
        if (k == null) {
            synchronized (this) {
                k = keys;
                String product = productLine.get();
                if (k == null || !k.productLine().equals(product)) {
                    k = new AmdKeyHierarchy(product, chipSeed, state == null ? null
                            : (what, issue) -> KeptAuthority.decode(state.kept("amd",
                                    product.toLowerCase(Locale.ROOT) + "-" + what,
                                    () -> KeptAuthority.encode(issue.get()))));
                    keys = k;
                }
            }
        }
        return k;
    }
}
