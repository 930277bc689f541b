/**
 * The TDX module (SEAM) as a service: the SEAMCALLs a host's TDX backend issues to build, run and tear down TDs, the
 * TDCALLs of a running TD, the TME-MK memory controller, EVERIFYREPORT2 and EGETKEY for the quoting enclave, and the
 * platform's identity. An update of the bundle behind it keeps the TDs: they pause while it is away.
 */
@Export
@Version("1.0.0")
package io.teebox.intel.tdx.module;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
