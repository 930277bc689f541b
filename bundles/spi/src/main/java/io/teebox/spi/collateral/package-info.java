/**
 * Where verifiers get the vendor collateral they appraise evidence with (certificates, CRLs, TCB info, RIMs): an
 * emulated vendor service, a file cache for air-gapped use, or the vendor's own service, never an emulator bundle
 * directly.
 */
@Export
@Version("2.1.0")
package io.teebox.spi.collateral;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
