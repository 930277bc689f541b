package io.teebox.nvidia.h100.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the emulated NVIDIA H100 GPUs (pid {@code io.teebox.nvidia.h100}). */
@ObjectClassDefinition(name = "teebox NVIDIA H100",
        description = "The emulated H100 (GH100) GPUs of the platform: how many, the driver (GSP-RM firmware) and "
                + "VBIOS versions they run, the board's project and SKU names that form the VBIOS RIM's id, and "
                + "the size of their memory and of its unprotected part.")
public @interface H100Config {

    @AttributeDefinition(name = "GPUs", description = "How many H100s the platform has (1..8), gpu0..gpuN-1")
    int gpus() default 1;

    @AttributeDefinition(name = "Driver version", description = "The NVIDIA driver whose GSP-RM firmware the GPUs "
            + "run (three dotted decimal parts, for example 550.90.07); the report's DRIVER_VERSION and the driver "
            + "RIM's colloquialVersion")
    String driverVersion() default "550.90.07";

    @AttributeDefinition(name = "VBIOS version", description = "The VBIOS (five dotted hex bytes, for example "
            + "96.00.9F.00.01); the report's VBIOS_VERSION and the VBIOS RIM's colloquialVersion")
    String vbiosVersion() default "96.00.9F.00.01";

    @AttributeDefinition(name = "Project", description = "The board project (opaque PROJECT, 1..4 characters "
            + "A-Z0-9), part of the VBIOS RIM's id")
    String project() default "1010";

    @AttributeDefinition(name = "Project SKU", description = "The board project SKU (opaque PROJECT_SKU, 1..4 "
            + "characters A-Z0-9)")
    String projectSku() default "0200";

    @AttributeDefinition(name = "Chip SKU", description = "The chip SKU (opaque CHIP_SKU, 1..8 characters A-Z0-9)")
    String chipSku() default "882";

    @AttributeDefinition(name = "Memory MiB", description = "Device memory (HBM3) per GPU in MiB, 1024..262144; "
            + "kept sparse, only written pages take host memory")
    int memoryMiB() default 81920;

    @AttributeDefinition(name = "Unprotected MiB", description = "The unprotected memory at the start of device "
            + "memory in MiB (1..memoryMiB-1); in CC mode on and devtools the rest is the compute protected region "
            + "(CPR) behind the memory firewall")
    int unprotectedMiB() default 512;

    @AttributeDefinition(name = "Initial mode", description = "The CC mode of a GPU that has never been set "
            + "(off, on, devtools); a mode set later is kept in the state directory across restarts")
    String initialMode() default "on";
}
