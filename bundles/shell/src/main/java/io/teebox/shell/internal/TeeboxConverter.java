package io.teebox.shell.internal;

import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;

/** Lets Gogo print teebox values: one line in lists, full detail when a command returns one value. */
@Component(service = Converter.class, property = Converter.CONVERTER_CLASSES + "=io.teebox.api.*")
public final class TeeboxConverter implements Converter {

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        return null;
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        if (level == Converter.LINE || level == Converter.PART) {
            String line = Text.line(target);
            if (line != null) {
                return line;
            }
        }
        String full = Text.inspect(target);
        return full != null ? full : Text.line(target);
    }
}
