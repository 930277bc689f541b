package io.teebox.platform.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the machine's state directory (pid {@code io.teebox.platform}). */
@ObjectClassDefinition(name = "teebox platform state",
        description = "Where the machine keeps what must survive a restart: each emulated platform's identity (AMD "
                + "and Intel keys, chip ids) and the framework storage.")
public @interface StateConfig {

    @AttributeDefinition(name = "State directory", description = "Directory of the machine's state, absolute or "
            + "relative to the working directory (./teebox runs from the repository root); created on first start. "
            + "The launcher reads the same value for the framework storage, so a change applies at the next start")
    String stateDirectory() default "state";
}
