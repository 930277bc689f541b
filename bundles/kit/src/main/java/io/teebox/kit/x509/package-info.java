/**
 * X.509 certificate and CRL authority on Bouncy Castle, for emulated vendor key hierarchies.
 */
@Export
@Version("1.0.0")
package io.teebox.kit.x509;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
