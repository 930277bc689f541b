/**
 * The vTPM inside a confidential VM: its TPM 2.0 commands, PCRs, keys, quotes, sealing, and the evidence that binds
 * it to the hardware's.
 */
@Export
@Version("1.0.0")
package io.teebox.tpm.guest;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
