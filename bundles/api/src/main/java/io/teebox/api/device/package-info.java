/**
 * Device TEEs (a GPU in confidential-computing mode) and their assignment to guests: the device backend's
 * {@link io.teebox.api.device.DeviceTee}, the hypervisor's {@link io.teebox.api.device.DeviceAssignment}, and the
 * {@link io.teebox.api.device.GuestDevice} through which a driver inside the guest reaches an attached device.
 * Nothing here knows a vendor: the device's messages (SPDM, work submissions) are the vendor's bytes.
 */
@Export
@Version("1.0.0")
package io.teebox.api.device;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
