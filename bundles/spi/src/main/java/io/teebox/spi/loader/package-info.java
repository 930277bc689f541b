/**
 * How a TEE lays a guest image into guest memory and measures it: each backend supplies its own loader (OVMF for
 * SEV, OVMF with SNP's metadata sections, TDVF for TDX, a realm image for Arm CCA), so the hypervisor knows no
 * firmware layout.
 */
@Export
@Version("2.0.0")
package io.teebox.spi.loader;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
