package io.teebox.platform.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.runtime.HttpServiceRuntime;

import io.teebox.api.platform.HttpEndpoint;

/**
 * The base URL of the platform's servlet runtime (Felix HTTP on Jetty), read from the runtime's
 * {@code osgi.http.endpoint} service property, which holds the port Jetty actually bound.
 */
@Component(service = HttpEndpoint.class)
public final class ServletEndpoint implements HttpEndpoint {

    private final String baseUrl;

    /**
     * @param runtime the service properties of the servlet whiteboard's runtime, once it publishes its endpoint
     * @throws IllegalStateException if the runtime publishes no endpoint
     */
    @Activate
    public ServletEndpoint(@Reference(service = HttpServiceRuntime.class, target = "(osgi.http.endpoint=*)")
            Map<String, Object> runtime) {
        this.baseUrl = baseUrl(runtime.get(HttpServiceRuntimeConstants.ENDPOINT));
    }

    static String baseUrl(Object endpoint) {
        List<String> urls;
        if (endpoint instanceof String s) {
            urls = List.of(s);
        } else if (endpoint instanceof String[] a) {
            urls = List.of(a);
        } else if (endpoint instanceof Collection<?> c) {
            urls = c.stream().map(String::valueOf).toList();
        } else {
            throw new IllegalStateException("the HTTP runtime publishes no osgi.http.endpoint (got " + endpoint + ")");
        }
        String url = urls.stream().filter(u -> u.startsWith("http://")).findFirst().orElse(urls.get(0));
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String baseUrl() {
        return baseUrl;
    }

    /** The whiteboard's endpoint property (OSGi servlet whiteboard 2.0, 140.9). */
    static final class HttpServiceRuntimeConstants {
        static final String ENDPOINT = "osgi.http.endpoint";

        private HttpServiceRuntimeConstants() {
        }
    }
}
