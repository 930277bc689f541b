/**
 * Little-endian fixed-size structure codec: named fields at fixed offsets, must-be-zero reserved ranges, errors that say what was found and expected.
 */
@Export
@Version("1.1.0")
package io.teebox.kit.codec;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
