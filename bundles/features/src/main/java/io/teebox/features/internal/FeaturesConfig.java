package io.teebox.features.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the feature commands (pid {@code io.teebox.features}). */
@ObjectClassDefinition(name = "teebox features",
        description = "Where the feature descriptors (OSGi Features 1.0 JSON) are and the local repositories their "
                + "bundles are installed from.")
public @interface FeaturesConfig {

    @AttributeDefinition(name = "Feature directory", description = "Directory of the feature descriptors "
            + "(<name>.json), absolute or relative to the working directory (./teebox runs from the repository root)")
    String directory() default "features";

    @AttributeDefinition(name = "Repositories", description = "Local repositories in Maven's layout "
            + "(groupId as folders/artifactId/version/artifactId-version.jar), searched in this order for a feature's "
            + "bundles; a leading ~ is the user's home. The distribution's own repository comes first")
    String[] repositories() default {"distribution/target/repository", "~/.m2/repository"};
}
