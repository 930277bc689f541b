package io.teebox.intel.tdx.module.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the emulated Intel TDX platform (pid {@code io.teebox.intel.tdx}). */
@ObjectClassDefinition(name = "teebox Intel TDX platform",
        description = "The emulated TDX platform: TDX module version and TCB, CPU and PCE SVNs, FMSPC, the private "
                + "KeyID (HKID) range of TME-MK, and the seed the platform's secrets derive from.")
public @interface TdxConfig {

    @AttributeDefinition(name = "Platform seed", description = "Seed of the platform's secrets: the CPU's report MAC "
            + "key, the PPID, the PCK key and the quoting enclave's attestation key. Empty (the default): a random "
            + "seed made on first start and kept in the state directory (io.teebox.platform)")
    String platformSeed() default "";

    @AttributeDefinition(name = "TDX module version", description = "major.minor.build, for example 1.5.06; empty "
            + "(the default): the version of the module image the tdx-module bundle carries (Teebox-Tdx-Module)")
    String moduleVersion() default "";

    @AttributeDefinition(name = "First private HKID", description = "First TME-MK KeyID reserved for TDs (1..1023)")
    int firstHkid() default 32;

    @AttributeDefinition(name = "Private HKIDs", description = "How many KeyIDs TDs can use (1..1023): at most this "
            + "many TDs exist at once")
    int hkidCount() default 32;

    @AttributeDefinition(name = "TEE_TCB_SVN", description = "32 hex digits: byte 0 the module SVN, byte 1 its major "
            + "version, byte 2 the TDX late microcode SVN; empty (the default): the module image's")
    String teeTcbSvn() default "";

    @AttributeDefinition(name = "CPUSVN", description = "32 hex digits: the SGX TCB component SVNs")
    String cpuSvn() default "03030202040100050000000000000000";

    @AttributeDefinition(name = "PCE SVN", description = "0..65535")
    int pceSvn() default 13;

    @AttributeDefinition(name = "FMSPC", description = "12 hex digits: family-model-stepping-platform-custom SKU")
    String fmspc() default "00806F050000";

    @AttributeDefinition(name = "QE SVN", description = "ISVSVN of the TD quoting enclave (0..65535)")
    int qeSvn() default 4;
}
