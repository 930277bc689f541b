/**
 * What a backend offers a running guest beyond memory and exits (its runtime measurements and vendor guest
 * interfaces), and the hypervisor's handle on the guest that backend code receives.
 */
@Export
@Version("2.1.0")
package io.teebox.spi.guest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
