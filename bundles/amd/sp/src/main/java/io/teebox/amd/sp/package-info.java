/**
 * The AMD Secure Processor shared by the SEV, SEV-ES and SEV-SNP backends: platform keys, ASID table, guest
 * contexts and the memory controller's per-ASID keys, all of which survive a restart or update of a backend bundle.
 */
@Export
@Version("1.1.0")
package io.teebox.amd.sp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
