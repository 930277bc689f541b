/**
 * TPM 2.0 structures bit-exact to the TCG TPM 2.0 Library specification (Part 2, big-endian): the algorithm,
 * command, response and tag constants, the TPM2B buffers, TPMT_PUBLIC, PCR selections, TPMS_ATTEST with its quote
 * and clock information, TPMT_SIGNATURE, TPMT_HA, command and response headers, object Names and PolicyPCR policy
 * digests. Every structure parses and writes in a pair; malformed input gives {@link io.teebox.tpm.abi.TpmException}
 * carrying the TPM_RC a TPM would answer with.
 */
@Export
@Version("1.0.0")
package io.teebox.tpm.abi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
