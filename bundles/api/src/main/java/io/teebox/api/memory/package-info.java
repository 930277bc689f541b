/**
 * Memory encryption: key slots (ASID, KeyID) per guest, page encryption bound to the host physical address, and what a host access to a guest page yields.
 */
@Export
@Version("2.0.0")
package io.teebox.api.memory;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
