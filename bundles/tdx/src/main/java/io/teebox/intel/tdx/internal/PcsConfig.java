package io.teebox.intel.tdx.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the emulated Intel PCS (pid {@code io.teebox.intel.pcs}). */
@ObjectClassDefinition(name = "teebox emulated Intel PCS",
        description = "Intel's key hierarchy (root CA, PCK Platform CA, TCB Signing) derived from a seed, and the "
                + "HTTP server on loopback that serves PCK CRLs, TCB info and the QE identity at the PCS v4 paths.")
public @interface PcsConfig {

    @AttributeDefinition(name = "Seed", description = "Seed Intel's keys are derived from; the same seed gives the "
            + "same root certificate, so verifiers given the root keep working across restarts")
    String seed() default "teebox-intel-0";

    @AttributeDefinition(name = "Host", description = "Address the HTTP server binds to (loopback by default)")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "TCP port, 0..65535; 0 picks a free port (tdx:pcs shows it)")
    int port() default 0;

    @AttributeDefinition(name = "Revoked PPIDs", description = "PPIDs (32 hex digits) whose PCK certificates the "
            + "PCK CRL revokes")
    String[] revokedPpids() default {};
}
