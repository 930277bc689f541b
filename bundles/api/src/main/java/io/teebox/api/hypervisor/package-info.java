/**
 * The untrusted host: guests, their encrypted memory as the host sees it, vCPUs, lifecycle and launch orchestration.
 */
@Export
@Version("2.1.0")
package io.teebox.api.hypervisor;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
