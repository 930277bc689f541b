/**
 * The teebox technology compatibility kit: the contract every TEE backend passes, built-in or third-party.
 * A backend's own integration test extends {@link io.teebox.tck.BackendContract} and says, through a
 * {@link io.teebox.tck.ContractSubject}, which backend runs and what a relying party trusts for its evidence; the
 * contract then launches guests, attacks them as a host would and restarts the backend's bundle under them.
 * {@link io.teebox.tck.OsgiSubject} finds everything in a running framework by the backend's {@code tee.type}.
 */
@Export
@Version("2.1.0")
package io.teebox.tck;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
