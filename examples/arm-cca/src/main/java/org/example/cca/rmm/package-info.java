/**
 * Arm CCA realms as the Realm Management Monitor (RMM, Arm DEN0137 1.0) defines them, for teebox: the backend's
 * type and formats ({@link org.example.cca.rmm.Cca}), the RMI and RSI commands and status codes it logs and
 * returns, the realm and REC parameters the host passes, and the Realm Initial Measurement
 * ({@link org.example.cca.rmm.Rim}) computed from measurement descriptors byte for byte, so a realm owner can
 * recompute what the RMM measured. The RMM itself and the backend's services are in {@code internal}.
 */
@Version("1.0.0")
package org.example.cca.rmm;

import org.osgi.annotation.versioning.Version;
