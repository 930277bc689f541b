/**
 * The encrypted root volume of a confidential VM in the LUKS2 on-disk format, bit-exact to cryptsetup's: the primary
 * and secondary binary headers with their JSON metadata, luks2 keyslots (PBKDF2-SHA256 or Argon2id, the luks1 AF
 * splitter with 4000 SHA-256 stripes, an aes-xts-plain64 keyslot area), the PBKDF2 digest of the volume key, and
 * sector I/O through the aes-xts-plain64 data segment. Malformed or tampered images and wrong keys give a
 * {@link io.teebox.disk.luks2.Luks2Exception} whose {@link io.teebox.disk.luks2.Luks2Exception.Reason} says which.
 */
@Export
@Version("1.0.0")
package io.teebox.disk.luks2;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
