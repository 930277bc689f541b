package io.teebox.kit.codec;

import static io.teebox.kit.testing.Fuzzing.assertSame;
import static io.teebox.kit.testing.Fuzzing.check;
import static io.teebox.kit.testing.Fuzzing.refusesTyped;
import static io.teebox.kit.testing.Fuzzing.typed;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.teebox.kit.testing.Fuzzing.Parts;

/**
 * The struct codec under any definition and any bytes. The input is framed ({@link Parts}): the structure size
 * (u16), the field definitions (4 bytes each: kind, name index, offset, length), the bytes to parse, a parse
 * offset, and values to write. Definitions the builder refuses are {@code IllegalArgumentException}s (its
 * documented contract); parsing refuses only with {@link MalformedStructureException}; a parsed structure gives
 * back its bytes, every field reads and writes back unchanged, and a value that does not fit is refused typed.
 */
class LayoutFuzzTest {

    private static final String[] KINDS = {"u8", "u16", "u32", "u64", "bytes", "reserved"};

    @FuzzTest
    void layoutsParseOrSayWhy(byte[] data) {
        Parts in = new Parts(data);
        byte[] sizeBytes = in.next();
        int size = sizeBytes.length < 2 ? sizeBytes.length == 1 ? sizeBytes[0] : 0
                : (short) ((sizeBytes[0] & 0xFF) << 8 | sizeBytes[1] & 0xFF);
        byte[] defs = in.next();
        Layout layout = typed(() -> define(size, defs), IllegalArgumentException.class);
        if (layout == null) {
            return;
        }
        check("create() is all zero", java.util.Arrays.equals(layout.create().toBytes(), new byte[layout.size()]));
        byte[] bytes = in.next();
        Struct s = typed(() -> layout.parse(bytes), MalformedStructureException.class);
        int offset = (int) in.u64();
        typed(() -> layout.parse(bytes, offset), MalformedStructureException.class);
        if (s == null) {
            return;
        }
        assertSame("parse(x).toBytes()", bytes, s.toBytes());
        check("describe() lists every field", s.describe().split("\n", -1).length == layout.fields().size() + 1);
        Struct copy = layout.create();
        for (String f : layout.fields()) {
            switch (kind(layout, f)) {
                case 1 -> copy.set(f, s.u8(f));
                case 2 -> copy.set(f, s.u16(f));
                case 4 -> copy.set(f, s.u32(f));
                case 8 -> copy.set(f, s.u64(f));
                default -> copy.set(f, s.bytes(f));
            }
        }
        Struct parsedCopy = layout.parse(copy.toBytes());
        check("fields written back read the same", parsedCopy.equals(layout.parse(copy.toBytes()))
                && layout.fields().stream().allMatch(f -> java.util.Arrays.equals(parsedCopy.bytes(f), s.bytes(f))));
        for (String f : layout.fields()) {
            long v = in.u64();
            if (kind(layout, f) == 0) {
                byte[] b = in.next();
                if (refusesTyped(() -> s.set(f, b), MalformedStructureException.class)) {
                    assertSame(f + " written", b, s.bytes(f));
                }
            } else if (refusesTyped(() -> s.set(f, v), MalformedStructureException.class)) {
                long back = switch (kind(layout, f)) {
                    case 1 -> s.u8(f);
                    case 2 -> s.u16(f);
                    case 4 -> s.u32(f);
                    default -> s.u64(f);
                };
                check(f + " reads back " + Long.toHexString(v), back == v);
            }
        }
    }

    /** The width of an integer field, 0 for a byte-array field. */
    private static int kind(Layout layout, String field) {
        Layout.Kind k = layout.field(field).kind();
        return k == Layout.Kind.BYTES ? 0 : k.width;
    }

    private static Layout define(int size, byte[] defs) {
        Layout.Builder b = Layout.define("FUZZ_STRUCT", size);
        for (int i = 0; i + 4 <= defs.length; i += 4) {
            String kind = KINDS[(defs[i] & 0xFF) % KINDS.length];
            String name = "F" + (defs[i + 1] & 0x0F);
            int offset = (byte) defs[i + 2];
            int length = (byte) defs[i + 3];
            switch (kind) {
                case "u8" -> b.u8(name, offset);
                case "u16" -> b.u16(name, offset);
                case "u32" -> b.u32(name, offset);
                case "u64" -> b.u64(name, offset);
                case "bytes" -> b.bytes(name, offset, length);
                default -> b.reserved(offset, length);
            }
        }
        return b.build();
    }
}
