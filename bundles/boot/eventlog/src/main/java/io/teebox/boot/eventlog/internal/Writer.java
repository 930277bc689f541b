package io.teebox.boot.eventlog.internal;

import io.teebox.kit.firmware.EfiGuid;
import java.io.ByteArrayOutputStream;
import java.util.UUID;

/** A little-endian byte sink for the writers of the log structures. */
public final class Writer {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public Writer u8(int v) {
        out.write(v);
        return this;
    }

    public Writer u16(int v) {
        out.write(v);
        out.write(v >>> 8);
        return this;
    }

    public Writer u32(long v) {
        for (int i = 0; i < 4; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public Writer u64(long v) {
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public Writer guid(UUID g) {
        out.writeBytes(EfiGuid.bytes(g));
        return this;
    }

    public Writer bytes(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
