package io.teebox.boot.eventlog;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A UEFI boot as the future boot model will log it: firmware (S-CRTM version, firmware volume, Secure Boot
 * variables, handoff tables, boot variables, separators), shim, GRUB (commands, files, kernel command line), the
 * kernel's EFI stub and ExitBootServices. Contents are fakes; only their shape and the digests matter.
 */
final class ModelledBoot {

    static final UUID OWNER = UUID.fromString("77fa9abd-0359-4d32-bd60-28f4e78f784b");

    private ModelledBoot() {
    }

    static byte[] utf16z(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_16LE);
    }

    static byte[] fake(String what, int size) {
        byte[] b = new byte[size];
        byte[] seed = HashAlgorithm.SHA256.digest(what.getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed[i % 32] ^ i);
        }
        return b;
    }

    /** A file-path device path: a media file path node then the end node. */
    static byte[] devicePath(String file) {
        byte[] name = utf16z(file);
        byte[] dp = new byte[4 + name.length + 4];
        dp[0] = 0x04;
        dp[1] = 0x04;
        dp[2] = (byte) (4 + name.length);
        dp[3] = (byte) ((4 + name.length) >> 8);
        System.arraycopy(name, 0, dp, 4, name.length);
        dp[dp.length - 4] = 0x7F;
        dp[dp.length - 3] = (byte) 0xFF;
        dp[dp.length - 2] = 0x04;
        return dp;
    }

    static Map<HashAlgorithm, byte[]> authenticode(String image, List<HashAlgorithm> banks) {
        Map<HashAlgorithm, byte[]> m = new EnumMap<>(HashAlgorithm.class);
        for (HashAlgorithm a : banks) {
            m.put(a, a.digest(("authenticode of " + image).getBytes(StandardCharsets.UTF_8)));
        }
        return m;
    }

    static byte[] loadOption(String description, byte[] devicePath) {
        byte[] desc = utf16z(description);
        byte[] b = new byte[6 + desc.length + devicePath.length];
        b[0] = 1;
        b[4] = (byte) devicePath.length;
        b[5] = (byte) (devicePath.length >> 8);
        System.arraycopy(desc, 0, b, 6, desc.length);
        System.arraycopy(devicePath, 0, b, 6 + desc.length, devicePath.length);
        return b;
    }

    static UefiGptData gpt() {
        return new UefiGptData(new UefiGptData.Header(0x10000, 92, 0x1234abcdL, 1, 0x3fffff, 34, 0x3fffde,
                UUID.fromString("569bbc3b-0cd6-4693-8dbc-cf1dfd747a68"), 2, 128, 128, 0x533df473L), List.of(
                        new UefiGptData.PartitionEntry(UUID.fromString("c12a7328-f81f-11d2-ba4b-00a0c93ec93b"),
                                UUID.fromString("7e454786-3ed8-478b-8282-5a3312bd8ceb"), 2048, 206847, 0,
                                "EFI system partition"),
                        new UefiGptData.PartitionEntry(UUID.fromString("0fc63daf-8483-4772-8e79-3d69d8477de4"),
                                UUID.fromString("b4661fcf-0807-46e5-a3f6-85bde7a25f3b"), 206848, 0x3fffde, 0,
                                "root")));
    }

    static EventLog build(int locality, HashAlgorithm... banks) {
        List<HashAlgorithm> bankList = List.of(banks);
        EventLogBuilder log = EventLogBuilder.forBanks(banks);
        if (locality >= 0) {
            log.startupLocality(locality);
        }
        log.extend(0, EventType.EV_S_CRTM_VERSION, utf16z("teebox OVMF 1.0"));
        log.extend(0, EventType.EV_EFI_PLATFORM_FIRMWARE_BLOB,
                new UefiPlatformFirmwareBlob(0xFFC84000L, 0x37C000L).write(), Measured.bytes(fake("FV", 4096)));

        EfiSignatureList.SignatureData dbCert = new EfiSignatureList.SignatureData(OWNER, fake("db cert", 800));
        log.extend(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG,
                new UefiVariableData(UefiVariableData.EFI_GLOBAL_VARIABLE, "SecureBoot", new byte[] {1}).write());
        log.extend(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, new UefiVariableData(
                UefiVariableData.EFI_GLOBAL_VARIABLE, "PK", EfiSignatureList.writeAll(List.of(new EfiSignatureList(
                        EfiSignatureList.EFI_CERT_X509_GUID, new byte[0], List.of(
                                new EfiSignatureList.SignatureData(OWNER, fake("PK cert", 700))))))).write());
        log.extend(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, new UefiVariableData(
                UefiVariableData.EFI_GLOBAL_VARIABLE, "KEK", EfiSignatureList.writeAll(List.of(new EfiSignatureList(
                        EfiSignatureList.EFI_CERT_X509_GUID, new byte[0], List.of(
                                new EfiSignatureList.SignatureData(OWNER, fake("KEK cert", 750))))))).write());
        log.extend(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, new UefiVariableData(
                UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "db", EfiSignatureList.writeAll(List.of(
                        new EfiSignatureList(EfiSignatureList.EFI_CERT_X509_GUID, new byte[0], List.of(dbCert)))))
                .write());
        log.extend(7, EventType.EV_EFI_VARIABLE_DRIVER_CONFIG, new UefiVariableData(
                UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "dbx", EfiSignatureList.writeAll(List.of(
                        new EfiSignatureList(EfiSignatureList.EFI_CERT_SHA256_GUID, new byte[0], List.of(
                                new EfiSignatureList.SignatureData(OWNER, fake("revoked 1", 32)),
                                new EfiSignatureList.SignatureData(OWNER, fake("revoked 2", 32)))))))
                .write());
        log.separator(7);

        log.extend(1, EventType.EV_EFI_HANDOFF_TABLES, new UefiHandoffTablePointers(List.of(
                new UefiHandoffTablePointers.ConfigurationTable(
                        UUID.fromString("f2fd1544-9794-4a2c-992e-e5bbcf20e394"), 0x7F8E6000L))).write(),
                Measured.bytes(fake("SMBIOS", 512)));
        byte[] bootDp = devicePath("\\EFI\\BOOT\\BOOTX64.EFI");
        log.extend(1, EventType.EV_EFI_VARIABLE_BOOT,
                new UefiVariableData(UefiVariableData.EFI_GLOBAL_VARIABLE, "BootOrder", new byte[] {0, 0}).write());
        log.extend(1, EventType.EV_EFI_VARIABLE_BOOT, new UefiVariableData(UefiVariableData.EFI_GLOBAL_VARIABLE,
                "Boot0000", loadOption("UEFI teebox disk", bootDp)).write());
        log.efiAction(4, EfiActions.CALLING_EFI_APPLICATION);
        for (int pcr : new int[] {0, 1, 2, 3, 4, 5, 6}) {
            log.separator(pcr);
        }

        log.extend(5, EventType.EV_EFI_GPT_EVENT, gpt().write());
        log.extend(4, EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
                new UefiImageLoadEvent(0x7E1A4018L, 0x9C1E8L, 0, bootDp).write(),
                Measured.digests(authenticode("shimx64.efi", bankList)));
        log.extend(7, EventType.EV_EFI_VARIABLE_AUTHORITY,
                new UefiVariableData(UefiVariableData.EFI_IMAGE_SECURITY_DATABASE, "db", dbCert.write()).write());
        log.extend(14, EventType.EV_IPL, "MokList\0".getBytes(StandardCharsets.US_ASCII),
                Measured.bytes(fake("MokList", 64)));
        log.extend(4, EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
                new UefiImageLoadEvent(0x7D96D018L, 0x1CE000L, 0, devicePath("\\EFI\\BOOT\\grubx64.efi")).write(),
                Measured.digests(authenticode("grubx64.efi", bankList)));

        GrubMeasurements.file(log, "(hd0,gpt15)/EFI/BOOT/grub.cfg", fake("grub.cfg", 300));
        GrubMeasurements.command(log, "set root=hd0,gpt1");
        GrubMeasurements.command(log, "linux /vmlinuz root=/dev/vda1 ro console=ttyS0");
        GrubMeasurements.file(log, "/vmlinuz", fake("vmlinuz", 9000));
        GrubMeasurements.kernelCmdline(log, "/vmlinuz root=/dev/vda1 ro console=ttyS0");
        GrubMeasurements.command(log, "initrd /initrd.img");
        GrubMeasurements.file(log, "/initrd.img", fake("initrd", 20000));
        GrubMeasurements.command(log, "boot");

        log.extend(4, EventType.EV_EFI_BOOT_SERVICES_APPLICATION,
                new UefiImageLoadEvent(0x7C000000L, 0xB00000L, 0x1000000L, new byte[0]).write(),
                Measured.digests(authenticode("vmlinuz", bankList)));
        log.efiAction(5, EfiActions.EXIT_BOOT_SERVICES_INVOCATION);
        log.efiAction(5, EfiActions.EXIT_BOOT_SERVICES_SUCCEEDED);
        return log.build();
    }
}
