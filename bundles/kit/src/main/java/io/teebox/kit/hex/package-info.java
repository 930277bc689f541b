/**
 * Hex encoding, decoding and classic hex dumps.
 */
@Export
@Version("1.0.0")
package io.teebox.kit.hex;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
