/**
 * What only the emulated Intel PCS offers: certifying a platform's PCK, Intel's root certificate of this machine,
 * and its DCAP collateral in the attachment form. Verifiers fetch collateral through
 * {@link io.teebox.spi.collateral.CollateralSource} ({@code collateral.vendor=intel}) instead.
 */
@Export
@Version("1.0.0")
package io.teebox.intel.pcs;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
