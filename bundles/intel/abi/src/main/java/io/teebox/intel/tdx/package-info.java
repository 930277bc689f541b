/**
 * Intel TDX interfaces beyond the vendor-neutral API: the TD's TDCALL interface, the VMM's Secure-EPT SEAMCALLs, the
 * #VE a TD takes, and the names TDX evidence and launches use. (3.0.0: IntelPcs moved to io.teebox.intel.pcs.)
 */
@Export
@Version("3.0.0")
package io.teebox.intel.tdx;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
