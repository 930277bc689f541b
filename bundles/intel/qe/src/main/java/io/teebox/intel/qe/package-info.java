/**
 * The TD quoting enclave as a service: it turns a TD's TDREPORT into a DCAP quote signed with its PCK-certified
 * attestation key.
 */
@Export
@Version("1.0.0")
package io.teebox.intel.qe;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
