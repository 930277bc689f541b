package io.teebox.admin.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code .cfg} file as FileInstall reads it: {@link java.util.Properties} syntax (comments, continuation lines,
 * escapes), with typed values ({@code I"15"}, {@code B"true"}, {@code ["a","b"]}) when every value of the file is
 * written that way, as FileInstall's {@code TypedProperties} decides. Edits keep every other line of the file as it
 * was, comments included, and the file is replaced atomically (a temporary file beside it, then a rename), so
 * FileInstall never reads half a file.
 */
final class CfgFile {

    /** One logical line: its text as in the file (continuations included) and its key, or null. */
    private record Line(String text, String key, String rawValue) {
    }

    private static final Pattern TYPED_SCALAR = Pattern.compile("([TILFDXSCB]?)\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern TYPED_ARRAY = Pattern.compile("([TILFDXSCB]?)[\\[(]\\s*(.*?)\\s*[\\])]",
            Pattern.DOTALL);

    private final List<Line> lines;
    private final String newline;

    private CfgFile(List<Line> lines, String newline) {
        this.lines = lines;
        this.newline = newline;
    }

    /** @return an empty file */
    static CfgFile empty() {
        return new CfgFile(new ArrayList<>(), "\n");
    }

    /**
     * @param file a file
     * @return its content, or an empty file if there is none
     * @throws IOException if it cannot be read
     */
    static CfgFile read(Path file) throws IOException {
        try {
            return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return empty();
        }
    }

    /**
     * @param text the file's text
     * @return the file
     */
    static CfgFile parse(String text) {
        String nl = text.contains("\r\n") ? "\r\n" : "\n";
        List<String> physical = new ArrayList<>(List.of(text.split("\r\n|\r|\n", -1)));
        if (!physical.isEmpty() && physical.get(physical.size() - 1).isEmpty()) {
            physical.remove(physical.size() - 1);
        }
        List<Line> out = new ArrayList<>();
        for (int i = 0; i < physical.size(); i++) {
            String first = physical.get(i);
            String trimmed = stripLeading(first);
            if (trimmed.isEmpty() || trimmed.charAt(0) == '#' || trimmed.charAt(0) == '!') {
                out.add(new Line(first, null, null));
                continue;
            }
            StringBuilder text2 = new StringBuilder(first);
            StringBuilder logical = new StringBuilder(trimmed);
            while (endsWithOddBackslashes(logical) && i + 1 < physical.size()) {
                logical.setLength(logical.length() - 1);
                i++;
                text2.append(nl).append(physical.get(i));
                logical.append(stripLeading(physical.get(i)));
            }
            if (endsWithOddBackslashes(logical)) {
                logical.setLength(logical.length() - 1);
            }
            String[] kv = splitKeyValue(logical.toString());
            out.add(new Line(text2.toString(), unescape(kv[0]), kv[1]));
        }
        return new CfgFile(out, nl);
    }

    /** @return the keys in file order, each once */
    List<String> keys() {
        List<String> keys = new ArrayList<>();
        for (Line l : lines) {
            if (l.key != null && !keys.contains(l.key)) {
                keys.add(l.key);
            }
        }
        return keys;
    }

    /**
     * @param key a key
     * @return its value as written (unescaped, not yet typed), or null; the last occurrence wins, as in
     *         {@link java.util.Properties}
     */
    String raw(String key) {
        String v = null;
        for (Line l : lines) {
            if (key.equals(l.key)) {
                v = unescape(l.rawValue);
            }
        }
        return v;
    }

    /** @return whether every value is written in FileInstall's typed syntax, which it then reads typed */
    boolean typed() {
        boolean any = false;
        for (String k : keys()) {
            any = true;
            if (parseTyped(raw(k)) == null) {
                return false;
            }
        }
        return any;
    }

    /** @return the values as FileInstall gives them to ConfigAdmin: strings, or typed values in a typed file */
    Map<String, Object> values() {
        boolean typed = typed();
        Map<String, Object> out = new LinkedHashMap<>();
        for (String k : keys()) {
            String raw = raw(k);
            out.put(k, typed ? parseTyped(raw) : raw);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * Sets a key: its last line is replaced (earlier duplicates are dropped), or a line is appended. In a typed
     * file the value is written typed, with the type the old value had ({@code T} for a new key).
     *
     * @param key the key
     * @param value the value, as text
     */
    void set(String key, String value) {
        String written = value;
        if (typed()) {
            String old = raw(key);
            Matcher m = old == null ? null : TYPED_SCALAR.matcher(old);
            String type = m != null && m.matches() ? m.group(1) : "";
            written = type + "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
        Line line = new Line(escapeKey(key) + " = " + escapeValue(written), key, escapeValue(written));
        int last = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (key.equals(lines.get(i).key)) {
                last = i;
            }
        }
        if (last < 0) {
            lines.add(line);
            return;
        }
        lines.set(last, line);
        for (int i = last - 1; i >= 0; i--) {
            if (key.equals(lines.get(i).key)) {
                lines.remove(i);
            }
        }
    }

    /**
     * @param key a key
     * @return whether it was there (every line of it is removed)
     */
    boolean delete(String key) {
        return lines.removeIf(l -> key.equals(l.key));
    }

    /** @return the file's text */
    String text() {
        StringBuilder b = new StringBuilder();
        for (Line l : lines) {
            b.append(l.text).append(newline);
        }
        return b.toString();
    }

    /**
     * Replaces the file atomically: a temporary file in the same directory (its name does not end in
     * {@code .cfg}, so FileInstall ignores it), then a rename over the old one.
     *
     * @param file the file
     * @throws IOException if it cannot be written
     */
    void write(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text(), StandardCharsets.ISO_8859_1);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ---- typed values (FileInstall's ConfigurationHandler syntax)

    /**
     * @param raw a value as written
     * @return the typed value, or null if it is not in the typed syntax
     */
    static Object parseTyped(String raw) {
        if (raw == null) {
            return null;
        }
        String s = raw.trim();
        Matcher m = TYPED_SCALAR.matcher(s);
        if (m.matches()) {
            return convert(m.group(1), unquote(m.group(2)));
        }
        m = TYPED_ARRAY.matcher(s);
        if (m.matches()) {
            List<Object> items = new ArrayList<>();
            String body = m.group(2);
            if (!body.isEmpty()) {
                Matcher item = Pattern.compile("\\s*\"((?:[^\"\\\\]|\\\\.)*)\"\\s*(,|$)").matcher(body);
                int at = 0;
                while (at < body.length()) {
                    if (!item.find(at) || item.start() != at) {
                        return null;
                    }
                    items.add(convert(m.group(1), unquote(item.group(1))));
                    at = item.end();
                }
            }
            return items.toArray(newArray(m.group(1), items.size()));
        }
        return null;
    }

    private static Object[] newArray(String type, int n) {
        return switch (type) {
            case "I" -> new Integer[n];
            case "L" -> new Long[n];
            case "F" -> new Float[n];
            case "D" -> new Double[n];
            case "X" -> new Byte[n];
            case "S" -> new Short[n];
            case "C" -> new Character[n];
            case "B" -> new Boolean[n];
            default -> new String[n];
        };
    }

    private static Object convert(String type, String v) {
        try {
            return switch (type) {
                case "I" -> Integer.valueOf(v);
                case "L" -> Long.valueOf(v);
                case "F" -> Float.valueOf(v);
                case "D" -> Double.valueOf(v);
                case "X" -> Byte.valueOf(v);
                case "S" -> Short.valueOf(v);
                case "C" -> v.isEmpty() ? Character.valueOf('\0') : Character.valueOf(v.charAt(0));
                case "B" -> Boolean.valueOf(v);
                default -> v;
            };
        } catch (NumberFormatException e) {
            return v;
        }
    }

    private static String unquote(String s) {
        return s.replaceAll("\\\\(.)", "$1");
    }

    // ---- java.util.Properties syntax

    private static String stripLeading(String s) {
        int i = 0;
        while (i < s.length() && (s.charAt(i) == ' ' || s.charAt(i) == '\t' || s.charAt(i) == '\f')) {
            i++;
        }
        return s.substring(i);
    }

    private static boolean endsWithOddBackslashes(CharSequence s) {
        int n = 0;
        for (int i = s.length() - 1; i >= 0 && s.charAt(i) == '\\'; i--) {
            n++;
        }
        return n % 2 == 1;
    }

    private static String[] splitKeyValue(String line) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f') {
                break;
            }
            i++;
        }
        String key = line.substring(0, Math.min(i, line.length()));
        int j = i;
        while (j < line.length() && (line.charAt(j) == ' ' || line.charAt(j) == '\t' || line.charAt(j) == '\f')) {
            j++;
        }
        if (j < line.length() && (line.charAt(j) == '=' || line.charAt(j) == ':')) {
            j++;
        }
        while (j < line.length() && (line.charAt(j) == ' ' || line.charAt(j) == '\t' || line.charAt(j) == '\f')) {
            j++;
        }
        return new String[] {key, line.substring(Math.min(j, line.length()))};
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) {
                b.append(c);
                continue;
            }
            char n = s.charAt(++i);
            switch (n) {
                case 't' -> b.append('\t');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (i + 4 < s.length() && s.substring(i + 1, i + 5).matches("[0-9a-fA-F]{4}")) {
                        b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
                        i += 4;
                    } else {
                        b.append('u');
                    }
                }
                default -> b.append(n);
            }
        }
        return b.toString();
    }

    private static String escapeKey(String key) {
        return escape(key, true);
    }

    private static String escapeValue(String value) {
        return escape(value, false);
    }

    private static String escape(String s, boolean key) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\t' -> b.append("\\t");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\f' -> b.append("\\f");
                case '=', ':', '#', '!' -> {
                    if (key || (i == 0 && (c == '#' || c == '!'))) {
                        b.append('\\');
                    }
                    b.append(c);
                }
                case ' ' -> b.append(key || i == 0 ? "\\ " : " ");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
