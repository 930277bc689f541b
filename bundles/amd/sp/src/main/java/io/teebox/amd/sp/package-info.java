/**
 * The AMD Secure Processor shared by the SEV, SEV-ES and SEV-SNP backends: the chip's keys, the ASID table, the
 * Reverse Map Table, the guest contexts with the firmware's state machine, and the memory controller's per-ASID
 * keys, all of which survive a restart or update of a backend bundle.
 */
@Export
@Version("2.2.0")
package io.teebox.amd.sp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
