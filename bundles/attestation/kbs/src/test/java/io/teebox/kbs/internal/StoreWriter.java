package io.teebox.kbs.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The writer process of {@link KillNineTest}: writes resources (and every tenth write the policy) into the store,
 * printing {@code ack <i>} after each write returns, until it is killed.
 */
public final class StoreWriter {

    private StoreWriter() {
    }

    /**
     * @param args the store file, the first index
     */
    public static void main(String[] args) {
        MvResourceStore store = new MvResourceStore(Path.of(args[0]));
        System.out.println("open");
        System.out.flush();
        for (int i = Integer.parseInt(args[1]);; i++) {
            if (i % 10 == 0) {
                store.putPolicy("{\"rules\":[],\"description\":\"" + i + "\"}");
            }
            store.put(ResourcePath.parse("crash/key/k" + i), value(i));
            System.out.println("ack " + i);
            System.out.flush();
        }
    }

    static byte[] value(int i) {
        return ("secret number " + i + " ").repeat(1 + i % 50).getBytes(StandardCharsets.UTF_8);
    }
}
