/**
 * Small language helpers the bundles share: {@link io.teebox.kit.lang.Lazy}, a value made when first asked for.
 */
@Export
@Version("1.0.0")
package io.teebox.kit.lang;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
