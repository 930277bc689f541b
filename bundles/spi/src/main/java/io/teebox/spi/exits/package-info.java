/**
 * How a guest talks to the host: each backend supplies its TEE's exit protocol (SEV's automatic exits, where the
 * host reads the save area; the GHCB and #VC of SEV-ES and SNP; Intel's GHCI, #VE and TDG.VP.VMCALL; Arm's RSI host
 * calls), and the CPUID its host's vCPU model answers, so the hypervisor knows neither.
 */
@Export
@Version("2.0.0")
package io.teebox.spi.exits;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
