package io.teebox.boot.chain.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * The part of grub.cfg the modelled GRUB runs: top-level commands, then the default (first) menu entry's
 * {@code linux} and {@code initrd}. Enough for the files {@link io.teebox.boot.chain.BootFiles} writes and
 * hand-edited variants of them.
 */
final class GrubConfig {

    final List<String> topLevel = new ArrayList<>();
    String linuxPath;
    String args = "";
    String initrdPath;

    static GrubConfig parse(String text) {
        GrubConfig c = new GrubConfig();
        boolean inEntry = false;
        boolean seenEntry = false;
        for (String raw : text.split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (line.startsWith("menuentry ")) {
                if (!line.endsWith("{")) {
                    throw new IllegalArgumentException("menuentry line \"" + line + "\" does not end with {");
                }
                inEntry = true;
                continue;
            }
            if (line.equals("}")) {
                inEntry = false;
                seenEntry = true;
                continue;
            }
            if (!inEntry) {
                c.topLevel.add(line);
            } else if (!seenEntry) {
                String[] w = line.split("\\s+", 2);
                if (w[0].equals("linux") && w.length == 2) {
                    String[] p = w[1].split("\\s+", 2);
                    c.linuxPath = p[0];
                    c.args = p.length == 2 ? p[1] : "";
                } else if (w[0].equals("initrd") && w.length == 2) {
                    c.initrdPath = w[1].strip();
                }
            }
        }
        if (c.linuxPath == null || !c.linuxPath.startsWith("/")) {
            throw new IllegalArgumentException("no menu entry with a linux command and an absolute kernel path");
        }
        if (c.initrdPath != null && !c.initrdPath.startsWith("/")) {
            throw new IllegalArgumentException("initrd path " + c.initrdPath + " is not absolute");
        }
        return c;
    }
}
