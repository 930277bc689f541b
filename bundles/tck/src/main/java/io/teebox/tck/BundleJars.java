package io.teebox.tck;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Enumeration;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;

/**
 * A different jar for a bundle update: the installed bundle's entries with manifest headers replaced (a new
 * {@code Bundle-Version}, a new firmware image header). A swap test installs it with {@code Bundle.update(InputStream)}:
 * a real update from another jar, as a firmware release would ship it.
 */
public final class BundleJars {

    private BundleJars() {
    }

    /**
     * @param bundle an installed bundle whose location is a {@code file:} URI
     * @param headers the manifest headers to set (others are kept)
     * @return the jar's bytes
     * @throws IOException if the bundle's jar cannot be read
     * @throws IllegalArgumentException if its location is not a file
     */
    public static byte[] withHeaders(Bundle bundle, Map<String, String> headers) throws IOException {
        String location = bundle.getLocation();
        if (!location.startsWith("file:")) {
            throw new IllegalArgumentException("bundle " + bundle.getSymbolicName() + " was not installed from a file: "
                    + location);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarFile in = new JarFile(new File(URI.create(location)))) {
            Manifest m = new Manifest(in.getManifest());
            Attributes main = m.getMainAttributes();
            headers.forEach(main::putValue);
            try (JarOutputStream jar = new JarOutputStream(out, m)) {
                for (Enumeration<JarEntry> en = in.entries(); en.hasMoreElements();) {
                    JarEntry e = en.nextElement();
                    if (e.getName().equalsIgnoreCase(JarFile.MANIFEST_NAME)) {
                        continue;
                    }
                    jar.putNextEntry(new JarEntry(e.getName()));
                    try (InputStream s = in.getInputStream(e)) {
                        s.transferTo(jar);
                    }
                    jar.closeEntry();
                }
            }
        }
        return out.toByteArray();
    }
}
