/**
 * NVIDIA's services as a GPU and its verifier meet them: the emulated NVIDIA PKI that provisions each GPU's
 * identity, the reference-value manifests (RIMs) NVIDIA signs for each driver and VBIOS, and the RIM service and
 * OCSP responder that verifiers query.
 */
@Export
@Version("1.0.0")
package io.teebox.nvidia.rim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
