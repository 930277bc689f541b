package io.teebox.kbs.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

/** The embedded store under the store contract. */
public class MvResourceStoreTest extends ResourceStoreContract {

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private Path file;

    @Override
    protected ResourceStore open(boolean again) {
        if (!again) {
            try {
                file = tmp.newFolder().toPath().resolve("kbs/kbs.mv");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new MvResourceStore(file);
    }
}
