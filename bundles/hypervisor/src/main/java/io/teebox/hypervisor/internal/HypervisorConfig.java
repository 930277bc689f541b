package io.teebox.hypervisor.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the hypervisor (pid {@code io.teebox.hypervisor}). */
@ObjectClassDefinition(name = "teebox hypervisor",
        description = "The untrusted host: how much host memory guests may use and how many guests may exist.")
public @interface HypervisorConfig {

    @AttributeDefinition(name = "Host memory (MiB)",
            description = "Host physical memory available to back guest pages, in MiB (16..1048576). "
                    + "Can be raised at runtime; lowering it below what guests use is refused.",
            min = "16", max = "1048576")
    int hostMemoryMiB() default 4096;

    @AttributeDefinition(name = "Maximum guests",
            description = "How many guests may exist at once, terminated ones included (1..4096).",
            min = "1", max = "4096")
    int maxGuests() default 64;
}
