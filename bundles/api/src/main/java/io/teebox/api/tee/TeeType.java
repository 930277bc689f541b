package io.teebox.api.tee;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type that sets the {@code tee.type} service property on a backend's DS components, for
 * example {@code @TeeType("sev-snp")}.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface TeeType {

    /** The service property name: {@code tee.type}. */
    String PROPERTY = "tee.type";

    /** @return the TEE type id, for example {@code "sev"} */
    String value();
}
