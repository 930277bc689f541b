/**
 * What a trusted execution environment is and what it can do: the backend descriptor, firmware status codes and the typed exception that carries them.
 */
@Export
@Version("2.0.0")
package io.teebox.api.tee;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
