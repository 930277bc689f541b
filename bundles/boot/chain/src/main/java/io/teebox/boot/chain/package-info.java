/**
 * The modelled UEFI boot chain of a confidential VM: the boot partition's files ({@link io.teebox.boot.chain.BootFiles},
 * signed by a {@link io.teebox.boot.chain.Distro} and its platform vendor) and the boot through firmware, shim, GRUB
 * and the Linux EFI stub ({@link io.teebox.boot.chain.UefiFirmware}), which enforces Secure Boot and measures each
 * stage into a {@link io.teebox.boot.chain.PcrSink} (the vTPM) and a crypto-agile event log.
 */
@Export
@Version("1.0.0")
package io.teebox.boot.chain;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
