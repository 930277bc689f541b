package io.teebox.disk.image;

import java.util.Objects;

/**
 * One member of a newc cpio archive: its path name, c_mode (file type and permission bits), owner, mtime and data.
 * A symbolic link's data is its target.
 *
 * @param name the path name, without a trailing NUL
 * @param mode c_mode, e.g. 0100644 for a regular file, 040755 for a directory
 * @param uid c_uid
 * @param gid c_gid
 * @param mtime c_mtime, seconds since the epoch
 * @param data the file's bytes; copied
 */
public record CpioEntry(String name, int mode, int uid, int gid, long mtime, byte[] data) {

    /** S_IFMT: the file type bits of c_mode. */
    public static final int S_IFMT = 0170000;
    /** A regular file. */
    public static final int S_IFREG = 0100000;
    /** A directory. */
    public static final int S_IFDIR = 0040000;
    /** A symbolic link. */
    public static final int S_IFLNK = 0120000;

    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if the name is empty or holds a NUL, or a directory has data
     */
    public CpioEntry {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("cpio name \"" + name + "\" is empty or holds a NUL");
        }
        data = data.clone();
        if ((mode & S_IFMT) == S_IFDIR && data.length != 0) {
            throw new IllegalArgumentException("cpio directory " + name + " has " + data.length
                    + " bytes of data, expected none");
        }
    }

    /**
     * A regular file owned by root, mode 0644, mtime 0 (so archives are reproducible).
     *
     * @param name the path name
     * @param data the bytes
     * @return the entry
     */
    public static CpioEntry file(String name, byte[] data) {
        return new CpioEntry(name, S_IFREG | 0644, 0, 0, 0, data);
    }

    /**
     * An executable regular file owned by root, mode 0755, mtime 0.
     *
     * @param name the path name
     * @param data the bytes
     * @return the entry
     */
    public static CpioEntry executable(String name, byte[] data) {
        return new CpioEntry(name, S_IFREG | 0755, 0, 0, 0, data);
    }

    /**
     * A directory owned by root, mode 0755, mtime 0.
     *
     * @param name the path name
     * @return the entry
     */
    public static CpioEntry directory(String name) {
        return new CpioEntry(name, S_IFDIR | 0755, 0, 0, 0, new byte[0]);
    }

    /**
     * The file's bytes.
     *
     * @return a copy
     */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /**
     * Whether this is a regular file.
     *
     * @return true if so
     */
    public boolean isFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CpioEntry e && name.equals(e.name) && mode == e.mode && uid == e.uid && gid == e.gid
                && mtime == e.mtime && java.util.Arrays.equals(data, e.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, mode, uid, gid, mtime, java.util.Arrays.hashCode(data));
    }

    @Override
    public String toString() {
        return String.format("CpioEntry[%s, mode %o, %d bytes]", name, mode, data.length);
    }
}
