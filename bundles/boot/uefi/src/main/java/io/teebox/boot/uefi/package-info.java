/**
 * UEFI Secure Boot as bytes and policy: minimal PE32+ EFI applications
 * ({@link io.teebox.boot.uefi.EfiApplicationBuilder}) and their parser ({@link io.teebox.boot.uefi.PeImage}), the
 * Authenticode image hash and PKCS#7 signature carried in a {@link io.teebox.boot.uefi.WinCertificate}
 * ({@link io.teebox.boot.uefi.Authenticode}), the EFI_SIGNATURE_LIST databases PK, KEK, db and dbx
 * ({@link io.teebox.boot.uefi.SignatureDatabase}, {@link io.teebox.boot.uefi.SecureBootVariables}), authenticated
 * writes of those variables ({@link io.teebox.boot.uefi.AuthenticatedVariable}, EFI_VARIABLE_AUTHENTICATION_2), the
 * firmware's verdict on an image in edk2's order ({@link io.teebox.boot.uefi.SecureBootPolicy}), and an emulated
 * platform vendor's key hierarchy ({@link io.teebox.boot.uefi.PlatformVendor}). Malformed input gives
 * {@link io.teebox.kit.codec.MalformedStructureException} in one line naming what was found and what was expected.
 */
@Export
@Version("1.0.0")
package io.teebox.boot.uefi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
