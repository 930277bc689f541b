package io.teebox.features.internal;

import java.nio.file.Path;
import java.util.List;

import org.osgi.service.feature.Feature;
import org.osgi.service.feature.FeatureBundle;
import org.osgi.service.feature.FeatureExtension;

/**
 * A feature descriptor as teebox uses it: the OSGi feature, the short name commands take (the feature's
 * {@code name}, equal to its file's name), and the features it needs first (the text extension
 * {@value #REQUIRES}: the Features format has no dependencies between features).
 *
 * @param name the short name, for example {@code amd}
 * @param feature the feature as the Feature Service read it
 * @param requires the short names of the features it needs
 * @param source the file it was read from
 */
record TeeboxFeature(String name, Feature feature, List<String> requires, Path source) {

    /** The extension listing the features a feature needs, by short name. */
    static final String REQUIRES = "teebox.requires";

    /**
     * @param feature a feature read from {@code source}
     * @param source its file
     * @return the teebox view of it
     * @throws IllegalArgumentException if it has no name, a name other than its file's, no bundles, or a
     *             {@value #REQUIRES} extension that is not text
     */
    static TeeboxFeature of(Feature feature, Path source) {
        String file = source.getFileName().toString();
        String expected = file.endsWith(".json") ? file.substring(0, file.length() - 5) : file;
        String name = feature.getName().orElseThrow(() -> new IllegalArgumentException("feature " + source
                + ": no \"name\" (teebox commands name a feature by it; it must be \"" + expected + "\")"));
        if (!name.equals(expected) && file.endsWith(".json")) {
            throw new IllegalArgumentException("feature " + source + ": \"name\" is \"" + name
                    + "\" but the file is " + file + "; they must agree");
        }
        if (feature.getBundles().isEmpty()) {
            throw new IllegalArgumentException("feature " + source + ": \"bundles\" is empty");
        }
        FeatureExtension ext = feature.getExtensions().get(REQUIRES);
        List<String> requires = List.of();
        if (ext != null) {
            if (ext.getType() != FeatureExtension.Type.TEXT) {
                throw new IllegalArgumentException("feature " + source + ": extension " + REQUIRES
                        + " must be of type text (the names of the features it needs), not " + ext.getType());
            }
            requires = ext.getText().stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return new TeeboxFeature(name, feature, requires, source);
    }

    /** @return the feature's bundles, in the order they are installed and started */
    List<FeatureBundle> bundles() {
        return feature.getBundles();
    }

    /** @return the description, or empty */
    String description() {
        return feature.getDescription().orElse("");
    }
}
