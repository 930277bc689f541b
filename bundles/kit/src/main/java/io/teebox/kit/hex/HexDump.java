package io.teebox.kit.hex;

import java.util.Objects;

/** Classic hex dumps: 16 bytes per line, address, two groups of eight bytes, ASCII column. */
public final class HexDump {

    private HexDump() {
    }

    /**
     * Formats bytes as a hex dump, for example:
     *
     * <pre>
     * 00000000ffffffc0  74 65 65 62 6f 78 20 64  65 66 61 75 6c 74 20 66  |teebox default f|
     * </pre>
     *
     * The address is 16 hex digits (the start address plus the line's offset); a short last line is padded so the
     * ASCII column stays aligned. Bytes outside 0x20..0x7E show as '.' in the ASCII column.
     *
     * @param baseAddress the address of {@code data[0]}
     * @param data the bytes
     * @return the dump, one line per 16 bytes, each ending in '\n' ("" for no bytes)
     */
    public static String format(long baseAddress, byte[] data) {
        Objects.requireNonNull(data, "data");
        StringBuilder sb = new StringBuilder((data.length / 16 + 1) * 88);
        for (int line = 0; line < data.length; line += 16) {
            sb.append(String.format("%016x ", baseAddress + line));
            for (int i = 0; i < 16; i++) {
                if (i == 8) {
                    sb.append(' ');
                }
                if (line + i < data.length) {
                    int b = data[line + i] & 0xFF;
                    sb.append(' ').append(Character.forDigit(b >> 4, 16)).append(Character.forDigit(b & 0xF, 16));
                } else {
                    sb.append("   ");
                }
            }
            sb.append("  |");
            for (int i = 0; i < 16 && line + i < data.length; i++) {
                int b = data[line + i] & 0xFF;
                sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
            }
            sb.append("|\n");
        }
        return sb.toString();
    }
}
