package io.teebox.amd.sp.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the emulated AMD Secure Processor (pid {@code io.teebox.amd.sp}). */
@ObjectClassDefinition(name = "teebox AMD Secure Processor",
        description = "The emulated AMD platform: product line, SEV firmware version and the ASID limits of "
                + "CPUID 0x8000_001F.")
public @interface AmdSpConfig {

    @AttributeDefinition(name = "Product line", description = "Milan, Genoa or Turin")
    String productLine() default "Milan";

    @AttributeDefinition(name = "API major", description = "SEV firmware API major version (0..255); -1 (the "
            + "default): the version of the firmware image the AMD backend bundles carry (Teebox-Amd-Sp-Firmware)")
    int apiMajor() default -1;

    @AttributeDefinition(name = "API minor", description = "SEV firmware API minor version (0..255); -1 (the "
            + "default): the firmware image's")
    int apiMinor() default -1;

    @AttributeDefinition(name = "Build", description = "SEV firmware build (0..255); -1 (the default): the "
            + "firmware image's")
    int build() default -1;

    @AttributeDefinition(name = "Max ASID", description = "Number of encrypted guests (CPUID 0x8000_001F ECX), "
            + "1..1006; can change at runtime but not below an ASID in use")
    int maxAsid() default 15;

    @AttributeDefinition(name = "First SEV-only ASID", description = "Minimum ASID of SEV (non-ES) guests "
            + "(CPUID 0x8000_001F EDX); ASIDs below it are for SEV-ES and SEV-SNP. 1..maxAsid+1")
    int minSevAsid() default 5;

    @AttributeDefinition(name = "SNP SPL", description = "The SNP firmware's security patch level in the reported "
            + "TCB (0..255); raising it is a firmware update: new reports carry it and a new VCEK signs them. -1 (the "
            + "default): the SPL of the firmware image the AMD backend bundles carry")
    int snpSpl() default -1;

    @AttributeDefinition(name = "Microcode SPL", description = "The microcode security patch level in the TCB")
    int microcodeSpl() default 115;

    @AttributeDefinition(name = "Signing key", description = "What signs SNP reports: VCEK (per chip) or VLEK "
            + "(loaded by a cloud provider)")
    String signingKey() default "VCEK";

    @AttributeDefinition(name = "CSP id", description = "The cloud provider a VLEK belongs to")
    String cspId() default "teebox-cloud";

    @AttributeDefinition(name = "Chip seed", description = "Seed the chip's keys derive from. Empty (the default): "
            + "a random seed made on first start and kept in the state directory (io.teebox.platform), so each "
            + "machine has its own chip; a fixed text gives the same keys everywhere (reproducible tests)")
    String chipSeed() default "";
}
