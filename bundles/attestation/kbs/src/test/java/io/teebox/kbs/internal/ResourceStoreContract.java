package io.teebox.kbs.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.util.List;

import org.junit.Test;

/** What every store must do, run against each (the embedded MVStore and a real PostgreSQL server). */
public abstract class ResourceStoreContract {

    /** @return a store over a fresh location, or the same location as the last call when {@code again} */
    protected abstract ResourceStore open(boolean again);

    @Test
    public void resourcesAndThePolicySurviveReopeningAndReplaceOnWrite() {
        try (ResourceStore s = open(false)) {
            assertFalse(s.get(ResourcePath.parse("a/b/c")).isPresent());
            assertFalse(s.policy().isPresent());
            s.put(ResourcePath.parse("a/b/c"), new byte[] {1, 2, 3});
            s.put(ResourcePath.parse("a/b/d"), new byte[0]);
            s.put(ResourcePath.parse("A/b/e"), new byte[] {(byte) 0xFF});
            s.put(ResourcePath.parse("a/b/c"), new byte[] {5, 6});
            s.putPolicy("{\"rules\": []}");
            s.putPolicy("{\"rules\": [1]}");
        }
        try (ResourceStore s = open(true)) {
            assertArrayEquals(new byte[] {5, 6}, s.get(ResourcePath.parse("a/b/c")).orElseThrow());
            assertArrayEquals(new byte[0], s.get(ResourcePath.parse("a/b/d")).orElseThrow());
            assertArrayEquals(new byte[] {(byte) 0xFF}, s.get(ResourcePath.parse("A/b/e")).orElseThrow());
            assertEquals(List.of("A/b/e", "a/b/c", "a/b/d"), s.list());
            assertEquals("{\"rules\": [1]}", s.policy().orElseThrow());
        }
    }

    @Test
    public void aLargeBinarySecretComesBackByteForByte() {
        byte[] big = new byte[1 << 20];
        new java.util.Random(7).nextBytes(big);
        try (ResourceStore s = open(false)) {
            s.put(ResourcePath.parse("big/blob/one"), big);
        }
        try (ResourceStore s = open(true)) {
            assertArrayEquals(big, s.get(ResourcePath.parse("big/blob/one")).orElseThrow());
        }
    }
}
