/**
 * The H100's driver as a guest runs it: the SPDM requester that authenticates the GPU and opens the session, and the
 * bounce-buffer copies encrypted under the session's keys.
 */
@Export
@Version("1.0.0")
package io.teebox.nvidia.h100;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
