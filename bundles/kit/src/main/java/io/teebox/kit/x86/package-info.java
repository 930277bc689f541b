/**
 * x86 CPU state for SEV-ES/SNP: the VMSA save area layout, QEMU's reset VMSA and vCPU model signatures.
 */
@Export
@Version("1.0.0")
package io.teebox.kit.x86;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
