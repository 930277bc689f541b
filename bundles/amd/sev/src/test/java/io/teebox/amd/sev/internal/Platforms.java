package io.teebox.amd.sev.internal;

import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.amd.sp.testing.AmdPlatforms;

/** An emulated AMD platform for the firmware tests, with the configuration's defaults but for the ASID limits. */
final class Platforms {

    private Platforms() {
    }

    static AmdSecureProcessor processor(int maxAsid, int minSevAsid) {
        return processor(maxAsid, minSevAsid, "teebox-amd-chip-0");
    }

    /** A platform of another chip: its own OCA, CEK, PEK and PDH. */
    static AmdSecureProcessor processor(int maxAsid, int minSevAsid, String chipSeed) {
        return AmdPlatforms.processor(maxAsid, minSevAsid, chipSeed);
    }
}
