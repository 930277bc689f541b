package org.example.cca.it;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.composite;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import io.teebox.tck.CoreRuntime;
import java.io.File;
import org.ops4j.pax.exam.Option;

/** The frameworks the integration tests run: teebox's core from the TCK, with or without this backend. */
final class CcaPlatform {

    private CcaPlatform() {
    }

    /** @return the backend's bundle as the build made it */
    static File backendJar() {
        File f = new File(System.getProperty("cca.bundle", "target/teebox-cca-1.0.0.jar"));
        if (!f.isFile()) {
            throw new IllegalStateException(f + " is missing: the integration tests run after the package phase");
        }
        return f;
    }

    /** @return teebox's core (SCR, ConfigAdmin, Gogo, API, SPI, kit, hypervisor, shell, TCK), no backend */
    static Option core() {
        return composite(
                workingDirectory("target/paxexam"),
                cleanCaches(true),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                junitBundles(),
                composite(CoreRuntime.bundles().stream().map(url -> bundle(url)).toArray(Option[]::new)));
    }

    /** @return the core and this backend */
    static Option[] withBackend() {
        return options(core(), bundle(backendJar().toURI().toString()));
    }

    /** @return the core alone */
    static Option[] withoutBackend() {
        return options(core());
    }
}
