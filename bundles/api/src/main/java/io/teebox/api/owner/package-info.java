/**
 * The guest owner: prepares the launch session, checks the launch measurement against its expectation and releases secrets.
 */
@Export
@Version("2.0.0")
package io.teebox.api.owner;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
