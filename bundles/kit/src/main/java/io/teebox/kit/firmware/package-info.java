/**
 * OVMF/TDVF firmware images: footer GUID table, SEV and TDX metadata, the SEV kernel-hashes table and teebox's default firmware.
 */
@Export
@Version("1.1.0")
package io.teebox.kit.firmware;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
