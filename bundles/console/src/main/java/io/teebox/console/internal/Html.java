package io.teebox.console.internal;

/** HTML escaping for the little markup the console writes on the server side (the panels draw the rest). */
final class Html {

    private Html() {
    }

    /** @return the text escaped for an element's content or a quoted attribute value */
    static String text(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
