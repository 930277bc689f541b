package io.teebox.kit.lang;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.Test;

public class LazyTest {

    @Test
    public void makesNothingUntilAskedThenOnce() {
        AtomicInteger made = new AtomicInteger();
        Lazy<Object> lazy = Lazy.of(() -> {
            made.incrementAndGet();
            return new Object();
        });
        assertEquals(0, made.get());
        assertFalse(lazy.isMade());
        Object first = lazy.get();
        assertSame(first, lazy.get());
        assertEquals(1, made.get());
        assertTrue(lazy.isMade());
    }

    @Test
    public void concurrentCallersShareOneValue() throws Exception {
        AtomicInteger made = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        Lazy<Object> lazy = Lazy.of(() -> {
            made.incrementAndGet();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new Object();
        });
        List<Thread> threads = new ArrayList<>();
        Object[] seen = new Object[8];
        for (int i = 0; i < seen.length; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                seen[n] = lazy.get();
            });
            t.start();
            threads.add(t);
        }
        go.countDown();
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(1, made.get());
        for (Object o : seen) {
            assertSame(seen[0], o);
        }
    }

    @Test
    public void aFailingMakerKeepsNothingAndIsTriedAgain() {
        AtomicInteger calls = new AtomicInteger();
        Lazy<String> lazy = Lazy.of(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("the seed does not parse");
            }
            return "made";
        });
        IllegalStateException e = assertThrows(IllegalStateException.class, lazy::get);
        assertEquals("the seed does not parse", e.getMessage());
        assertFalse(lazy.isMade());
        assertEquals("made", lazy.get());
        assertEquals(2, calls.get());
    }

    @Test
    public void aNullValueIsRefused() {
        Lazy<String> lazy = Lazy.of(() -> null);
        assertThrows(NullPointerException.class, lazy::get);
    }
}
