package io.teebox.kbs.internal;

import java.util.regex.Pattern;

/** A resource's path {@code <repository>/<type>/<tag>}, each part of letters, digits, '.', '_' and '-'. */
record ResourcePath(String repository, String type, String tag) {

    private static final Pattern PART = Pattern.compile("[A-Za-z0-9._-]{1,128}");

    ResourcePath {
        check("repository", repository);
        check("type", type);
        check("tag", tag);
    }

    private static void check(String what, String v) {
        if (v == null || !PART.matcher(v).matches() || v.equals(".") || v.equals("..")) {
            throw KbsProblem.path("resource " + what + " '" + v + "' must be 1..128 of A-Z a-z 0-9 . _ - (and not "
                    + "'.' or '..')");
        }
    }

    /**
     * @param text {@code repo/type/tag}
     * @return the path
     * @throws KbsProblem (404) naming what is wrong
     */
    static ResourcePath parse(String text) {
        String[] p = text == null ? new String[0] : text.split("/", -1);
        if (p.length != 3) {
            throw KbsProblem.path("resource path '" + text + "' must be <repository>/<type>/<tag>");
        }
        return new ResourcePath(p[0], p[1], p[2]);
    }

    @Override
    public String toString() {
        return repository + "/" + type + "/" + tag;
    }
}
