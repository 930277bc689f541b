/**
 * DMTF SPDM 1.1 (DSP0274) with DSP0277 secured messages, vendor-neutral: message codecs, a requester and a responder
 * over a byte-array transport, ECDHE P-384 key exchange, the SPDM key schedule and AES-256-GCM sessions.
 */
@Export
@Version("1.0.0")
package io.teebox.spdm;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
