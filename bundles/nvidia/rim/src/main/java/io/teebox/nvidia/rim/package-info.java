/**
 * NVIDIA's services as a GPU and its verifier meet them: the emulated NVIDIA PKI that provisions each GPU's
 * identity, the reference-value manifests (RIMs) NVIDIA signs for each driver and VBIOS, and the RIM service and
 * OCSP responder that verifiers query. 1.1: the RIM format itself ({@link io.teebox.nvidia.rim.Rim},
 * {@link io.teebox.nvidia.rim.RimSigner}), NVIDIA's golden-measurement rules
 * ({@link io.teebox.nvidia.rim.RimComparison}) and {@link io.teebox.nvidia.rim.NvidiaServices#revoke}.
 */
@Export
@Version("1.1.0")
package io.teebox.nvidia.rim;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
