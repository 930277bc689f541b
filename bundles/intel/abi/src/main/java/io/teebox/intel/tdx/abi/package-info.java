/**
 * Intel TDX byte layouts and values, bit-exact to the vendor formats: TDREPORT_STRUCT, TD_PARAMS, DCAP Quote v4 and
 * Quote v5 (TDX 1.0 and TDX 1.5 bodies) behind the versioned {@link io.teebox.intel.tdx.abi.Quote}, the SGX report
 * body of the quoting enclave, the CCEL event log, MRTD/RTMR arithmetic and the TDX module's completion status
 * codes, and the identities teebox's emulated module and quoting enclave report (IntelIdentities, 1.2.0).
 */
@Export
@Version("1.3.0")
package io.teebox.intel.tdx.abi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
