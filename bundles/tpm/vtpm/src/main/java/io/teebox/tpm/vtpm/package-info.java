/**
 * A TPM 2.0 in Java for a vTPM inside a confidential VM: {@link io.teebox.tpm.vtpm.VirtualTpm} takes TPM 2.0
 * commands as bytes and answers with response bytes, bit-exact to the TCG TPM 2.0 Library specification, and exports
 * and imports its state as bytes so that its owner can keep it in encrypted guest memory.
 * {@link io.teebox.tpm.vtpm.MssimServer} serves one over the Microsoft TPM simulator's TCP protocol for tpm2-tools.
 */
@Export
@Version("1.0.0")
package io.teebox.tpm.vtpm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
