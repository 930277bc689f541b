package io.teebox.kit.testing;

import static io.teebox.kit.testing.Fuzzing.frame;

import io.teebox.kit.firmware.DefaultFirmware;
import io.teebox.kit.firmware.KernelHashes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the teebox-made seed inputs of kit's fuzz tests into {@code src/test/resources} (see the README of each
 * seed folder). Not a test: run once from the module directory with the test classpath; the Debian OVMF builds
 * are read from {@code /usr/share/ovmf} and {@code /usr/share/OVMF} (package {@code ovmf}) when present.
 */
public final class KitFuzzSeeds {

    private KitFuzzSeeds() {
    }

    static void write(String pkg, String test, String method, String name, byte[] data) throws IOException {
        Path dir = Path.of("src/test/resources/io/teebox/kit", pkg, test + "Inputs", method);
        Files.createDirectories(dir);
        Files.write(dir.resolve(name), data);
    }

    /** As OvmfImageFuzzTest.image reads it: u16 pages, then chunks [u32 offset from end][u16 length][bytes]. */
    static byte[] chunks(byte[] img, int... fromEndAndLength) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(img.length / 4096);
        out.write(img.length / 4096 >>> 8);
        for (int i = 0; i < fromEndAndLength.length; i += 2) {
            int from = fromEndAndLength[i];
            int len = fromEndAndLength[i + 1];
            out.write(from);
            out.write(from >>> 8);
            out.write(from >>> 16);
            out.write(from >>> 24);
            out.write(len);
            out.write(len >>> 8);
            out.write(img, img.length - from, len);
        }
        return out.toByteArray();
    }

    public static void main(String[] args) throws IOException {
        String o = "imagesParseOrNameTheField";
        write("firmware", "OvmfImageFuzzTest", o, "teebox-default-firmware",
                chunks(DefaultFirmware.image(), 0x1000, 0x1000));
        byte[] synthetic = FirmwareVectors.ovmf();
        write("firmware", "OvmfImageFuzzTest", o, "synthetic-ovmf", chunks(synthetic, synthetic.length, 0x3000,
                0x1000, 0x1000));
        for (String f : new String[] {"/usr/share/ovmf/OVMF.fd", "/usr/share/OVMF/OVMF_CODE.fd"}) {
            Path p = Path.of(f);
            if (Files.isRegularFile(p)) {
                byte[] img = Files.readAllBytes(p);
                write("firmware", "OvmfImageFuzzTest", o, "debian-" + p.getFileName().toString().replace(".fd", ""),
                        chunks(img, 0x1000, 0x1000));
            }
        }
        String k = "tablesReadOrNameTheField";
        write("firmware", "KernelHashesFuzzTest", k, "synthetic-kernel-initrd-cmdline", KernelHashes.table(
                FirmwareVectors.read("synthetic-kernel.bin"), FirmwareVectors.read("synthetic-initrd.bin"),
                "console=ttyS0"));
        write("firmware", "KernelHashesFuzzTest", k, "synthetic-kernel-only", KernelHashes.table(
                FirmwareVectors.read("synthetic-kernel.bin"), null, null));
        String l = "layoutsParseOrSayWhy";
        // SEV_SESSION: five byte fields; then the 0x80 bytes, offset 0, values
        byte[] session = new byte[0x80];
        session[0] = 1;
        write("codec", "LayoutFuzzTest", l, "sev-session", frame(new byte[] {0, (byte) 0x80},
                new byte[] {4, 0, 0x00, 16, 4, 1, 0x10, 32, 4, 2, 0x30, 16, 4, 3, 0x40, 32, 4, 4, 0x60, 32},
                session, new byte[] {0}, new byte[] {1}, new byte[16]));
        // every integer kind and a reserved range
        byte[] ints = new byte[32];
        ints[0] = 7;
        write("codec", "LayoutFuzzTest", l, "integers-and-reserved", frame(new byte[] {0, 32},
                new byte[] {0, 0, 0, 0, 1, 1, 2, 0, 2, 2, 4, 0, 3, 3, 8, 0, 5, 4, 16, 16},
                ints, new byte[] {0}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xFF, (byte) 0xFF, 1},
                new byte[] {1, 2, 3, 4}, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1}));
    }
}
