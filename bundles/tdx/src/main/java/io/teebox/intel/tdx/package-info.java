/**
 * Intel TDX services beyond the vendor-neutral API: the TD's TDCALL interface, the VMM's Secure-EPT SEAMCALLs, the
 * emulated Intel PCS, and the names TDX evidence and launches use.
 */
@Export
@Version("2.0.0")
package io.teebox.intel.tdx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
