/**
 * Firmware state that outlives its bundle: what a backend's revision hands to the next one when its bundle is
 * stopped, updated, or uninstalled and installed again (a firmware update while guests run).
 */
@Export
@Version("1.0.0")
package io.teebox.spi.handoff;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
