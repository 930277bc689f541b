/**
 * The guest's side: the one vendor-neutral way a guest acts (its private memory, page acceptance and sharing,
 * intercepted instructions, runtime measurements, evidence, privilege levels inside the guest, vendor guest calls),
 * refused unless the guest runs.
 */
@Export
@Version("2.1.0")
package io.teebox.api.guest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
