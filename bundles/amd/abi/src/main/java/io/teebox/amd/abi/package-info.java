/**
 * AMD SEV structures and formulas bit-exact to the SEV API: status codes, guest policy, SEV-format certificates,
 * the LAUNCH_START session, LAUNCH_SECRET header, and the session KDF and MACs.
 */
@Export
@Version("1.3.0")
package io.teebox.amd.abi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
