/** The feature commands: OSGi features installed, started, stopped and removed at run time (private). */
package io.teebox.features.internal;
