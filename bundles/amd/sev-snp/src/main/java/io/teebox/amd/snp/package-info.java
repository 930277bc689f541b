/**
 * The SEV-SNP guest's own instructions and requests beyond the common API: RMPADJUST, derived keys and the RMP view.
 */
@Export
@Version("1.0.0")
package io.teebox.amd.snp;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
