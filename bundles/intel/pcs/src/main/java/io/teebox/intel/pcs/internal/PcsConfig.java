package io.teebox.intel.pcs.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the emulated Intel PCS (pid {@code io.teebox.intel.pcs}). */
@ObjectClassDefinition(name = "teebox emulated Intel PCS",
        description = "Intel's key hierarchy (root CA, PCK Platform CA, TCB Signing) derived from a seed, served on "
                + "the platform's HTTP server (PCK CRLs, TCB info and the QE identity at the PCS v4 paths).")
public @interface PcsConfig {

    @AttributeDefinition(name = "Seed", description = "Seed Intel's keys are derived from. Empty (the default): a "
            + "random seed made on first start and kept in the state directory (io.teebox.platform), so the root "
            + "certificate stays the same across restarts; a fixed text gives the same keys everywhere")
    String seed() default "";

    @AttributeDefinition(name = "Revoked PPIDs", description = "PPIDs (32 hex digits) whose PCK certificates the "
            + "PCK CRL revokes")
    String[] revokedPpids() default {};
}
