/**
 * The disk of a confidential VM as a host sees it: a GUID partition table (UEFI 2.10 chapter 5) with a boot partition
 * holding the boot files in clear as a newc cpio archive, and a root partition holding a LUKS2 volume whose decrypted
 * sectors hold the guest's files as a newc cpio archive; and the initramfs of the unlock stage, also a newc cpio.
 * Malformed or tampered images give a {@link io.teebox.disk.image.DiskImageException} whose
 * {@link io.teebox.disk.image.DiskImageException.Reason} says which.
 */
@Export
@Version("1.0.0")
package io.teebox.disk.image;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
