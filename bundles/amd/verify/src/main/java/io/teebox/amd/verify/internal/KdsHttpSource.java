package io.teebox.amd.verify.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.amd.abi.KdsRequest;
import io.teebox.api.tee.Bytes;
import io.teebox.kit.lang.Lazy;
import io.teebox.spi.collateral.CollateralSource;

/**
 * An AMD Key Distribution Service at a configured URL, as a collateral source ({@code collateral.vendor=amd}):
 * each request is a GET of its KDS path ({@link KdsRequest#path()}); 200 gives the body, 404 nothing, anything
 * else, a timeout or no connection a one-line error. One instance per configuration of factory pid
 * {@code io.teebox.amd.kds.http}, none without one.
 */
@Component(service = CollateralSource.class, configurationPid = "io.teebox.amd.kds.http",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = CollateralSource.VENDOR + "=amd")
@Designate(ocd = KdsHttpConfig.class, factory = true)
public final class KdsHttpSource implements CollateralSource {

    private final URI base;
    private final Duration readTimeout;
    /** Made at the first fetch: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http;

    /**
     * @param config the configuration
     * @throws IllegalArgumentException for a URL that is not http(s) with a host and no path, or a timeout out of
     *             range
     */
    @Activate
    public KdsHttpSource(KdsHttpConfig config) {
        this.base = check(config.url());
        if (config.connectTimeoutMs() < 1 || config.connectTimeoutMs() > 60_000) {
            throw new IllegalArgumentException("io.teebox.amd.kds.http: connectTimeoutMs must be 1..60000, got "
                    + config.connectTimeoutMs());
        }
        if (config.readTimeoutMs() < 1 || config.readTimeoutMs() > 120_000) {
            throw new IllegalArgumentException("io.teebox.amd.kds.http: readTimeoutMs must be 1..120000, got "
                    + config.readTimeoutMs());
        }
        this.readTimeout = Duration.ofMillis(config.readTimeoutMs());
        Duration connect = Duration.ofMillis(config.connectTimeoutMs());
        this.http = Lazy.of(() -> HttpClient.newBuilder().connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    private static URI check(String url) {
        URI u;
        try {
            u = URI.create(url == null ? "" : url.trim().replaceFirst("/+$", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("io.teebox.amd.kds.http: url '" + url + "' is not a URL");
        }
        if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null
                || !(u.getRawPath() == null || u.getRawPath().isEmpty()) || u.getRawQuery() != null) {
            throw new IllegalArgumentException("io.teebox.amd.kds.http: url '" + url + "' must be http(s)://host[:port]"
                    + " without a path, for example https://kdsintf.amd.com");
        }
        return u;
    }

    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        String path = new KdsRequest(kind, key).path();
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(readTimeout).GET().build();
        HttpResponse<byte[]> rsp;
        try {
            rsp = http.get().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new UncheckedIOException("the KDS at " + base + " did not answer " + path + " within "
                    + readTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the KDS at " + base + " cannot be reached for " + path + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted fetching " + path + " from " + base, e);
        }
        if (rsp.statusCode() == 404) {
            return Optional.empty();
        }
        if (rsp.statusCode() != 200) {
            String body = new String(rsp.body(), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            throw failure("the KDS at " + base + " answered " + path + " with HTTP " + rsp.statusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)),
                    null);
        }
        return Optional.of(Bytes.of(rsp.body()));
    }

    /** An error whose message is the one line given. */
    private static UncheckedIOException failure(String message, Exception cause) {
        IOException io = new IOException(message, cause);
        return new UncheckedIOException(message, io);
    }

    @Override
    public String describe() {
        return base.toString();
    }
}
