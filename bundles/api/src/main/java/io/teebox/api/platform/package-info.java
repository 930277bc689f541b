/**
 * The machine teebox emulates: its state directory, where each emulated platform keeps what a real chip keeps
 * (fused keys, chip identities) across restarts.
 */
@Export
@Version("2.0.0")
package io.teebox.api.platform;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
