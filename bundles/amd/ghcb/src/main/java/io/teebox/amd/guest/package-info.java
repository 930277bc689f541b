/**
 * How AMD guests are loaded and talk to the host: the OVMF image loaders of SEV/SEV-ES and SEV-SNP, SEV's automatic
 * exits, the GHCB of SEV-ES and SNP (its MSR protocol, #VC and VMGEXIT) and the CPUID of AMD's vCPU models. Shared by
 * the AMD backends, which register them with their {@code tee.type}.
 */
@Export
@Version("2.0.0")
package io.teebox.amd.guest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
