/**
 * The vendor-neutral launch session: begin with a policy, add measured pages and vCPU state, measure, inject secrets, finish; with the vendor's command names and status codes.
 */
@Export
@Version("2.1.0")
package io.teebox.api.launch;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
