/**
 * NVIDIA H100 (Hopper) confidential-computing evidence bit-exact to the GPU's: the attestation report (the SPDM 1.1
 * GET_MEASUREMENTS request followed by the MEASUREMENTS response, DSP0274 1.1), its measurement blocks and NVIDIA's
 * opaque-data fields, the bytes its ECDSA P-384 signature covers and a signer for them, the FWID that the device leaf
 * certificate's TCG DICE extension carries, and NVIDIA's JSON evidence carrier. Malformed input gives
 * {@link io.teebox.kit.codec.MalformedStructureException} naming the field and its offset.
 */
@Export
@Version("1.0.0")
package io.teebox.nvidia.abi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
