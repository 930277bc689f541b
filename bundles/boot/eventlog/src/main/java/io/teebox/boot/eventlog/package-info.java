/**
 * The measured-boot event log of the TCG PC Client Platform Firmware Profile, bit-exact: the crypto-agile log (a
 * SHA-1-format {@link io.teebox.boot.eventlog.TcgPcrEvent} carrying the {@link io.teebox.boot.eventlog.SpecIdEvent},
 * then {@link io.teebox.boot.eventlog.TcgPcrEvent2} records with one digest per PCR bank), the legacy SHA-1 log, the
 * UEFI event data a firmware, shim and GRUB boot logs, a {@link io.teebox.boot.eventlog.EventLogBuilder} that extends
 * every bank, and replay to {@link io.teebox.boot.eventlog.PcrBanks}. Malformed input gives
 * {@link io.teebox.boot.eventlog.EventLogException} naming the structure, field and offset.
 */
@Export
@Version("1.0.0")
package io.teebox.boot.eventlog;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
