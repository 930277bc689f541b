package io.teebox.nvidia.verify.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

import io.teebox.api.tee.Bytes;
import io.teebox.kit.lang.Lazy;
import io.teebox.spi.collateral.CollateralSource;

/**
 * NVIDIA's RIM service and OCSP responder at configured URLs, as a collateral source
 * ({@code collateral.vendor=nvidia}):
 * kind {@code rim} (key {@code id}) is a GET of {@code <rimUrl>/v1/rim/<id>}, whose JSON is returned as served;
 * kind {@code ocsp} (key {@code request}, base64 DER) is a POST of the request to {@code <ocspUrl>}, whose DER
 * answer is returned. 404 gives nothing; another status, a timeout or no connection a one-line error. One instance per
 * configuration of factory pid {@code io.teebox.nvidia.http}, none without one.
 */
@Component(service = CollateralSource.class, configurationPid = "io.teebox.nvidia.http",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = CollateralSource.VENDOR + "=nvidia")
@Designate(ocd = NvidiaHttpConfig.class, factory = true)
public final class NvidiaHttpSource implements CollateralSource {

    private final URI rim;
    private final URI ocsp;
    private final Duration readTimeout;
    /** Made at the first fetch: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http;

    /**
     * @param config the configuration
     * @throws IllegalArgumentException for a URL that is not http(s) with a host, or a timeout out of range
     */
    @Activate
    public NvidiaHttpSource(NvidiaHttpConfig config) {
        this.rim = check("rimUrl", config.rimUrl(), true);
        this.ocsp = check("ocspUrl", config.ocspUrl(), false);
        if (config.connectTimeoutMs() < 1 || config.connectTimeoutMs() > 60_000) {
            throw new IllegalArgumentException("io.teebox.nvidia.http: connectTimeoutMs must be 1..60000, got "
                    + config.connectTimeoutMs());
        }
        if (config.readTimeoutMs() < 1 || config.readTimeoutMs() > 120_000) {
            throw new IllegalArgumentException("io.teebox.nvidia.http: readTimeoutMs must be 1..120000, got "
                    + config.readTimeoutMs());
        }
        this.readTimeout = Duration.ofMillis(config.readTimeoutMs());
        Duration connect = Duration.ofMillis(config.connectTimeoutMs());
        this.http = Lazy.of(() -> HttpClient.newBuilder().connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    private static URI check(String name, String url, boolean trim) {
        URI u;
        try {
            u = URI.create(url == null ? "" : trim ? url.trim().replaceFirst("/+$", "") : url.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("io.teebox.nvidia.http: " + name + " '" + url + "' is not a URL");
        }
        if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null
                || u.getRawQuery() != null) {
            throw new IllegalArgumentException("io.teebox.nvidia.http: " + name + " '" + url
                    + "' must be http(s)://host[:port][/path] without a query");
        }
        return u;
    }

    /**
     * @throws IllegalArgumentException for another kind, a missing key or bad base64
     * @throws UncheckedIOException if the service cannot be reached or answers an error
     */
    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        HttpRequest request;
        String what;
        switch (kind) {
            case "rim" -> {
                String id = key.get("id");
                if (id == null || id.isBlank()) {
                    throw new IllegalArgumentException("rim: key \"id\" is missing");
                }
                what = "RIM " + id;
                request = HttpRequest.newBuilder(URI.create(rim + "/v1/rim/" + URLEncoder.encode(id,
                        StandardCharsets.UTF_8))).timeout(readTimeout).GET().build();
            }
            case "ocsp" -> {
                String req = key.get("request");
                byte[] der;
                try {
                    der = Base64.getDecoder().decode(req == null ? "" : req);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("ocsp: key \"request\" is not base64: " + e.getMessage());
                }
                if (der.length == 0) {
                    throw new IllegalArgumentException("ocsp: key \"request\" (base64 DER OCSPRequest) is missing");
                }
                what = "an OCSP request";
                request = HttpRequest.newBuilder(ocsp).timeout(readTimeout)
                        .header("Content-Type", "application/ocsp-request")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(der)).build();
            }
            default -> throw new IllegalArgumentException("NVIDIA's services serve kinds rim and ocsp, not \"" + kind
                    + "\"");
        }
        HttpResponse<byte[]> rsp;
        try {
            rsp = http.get().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new UncheckedIOException(request.uri() + " did not answer " + what + " within "
                    + readTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException(request.uri() + " cannot be reached for " + what + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted fetching " + what + " from " + request.uri(), e);
        }
        if (rsp.statusCode() == 404) {
            return Optional.empty();
        }
        if (rsp.statusCode() != 200) {
            String body = new String(rsp.body(), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            throw failure(request.uri() + " answered " + what + " with HTTP " + rsp.statusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)),
                    null);
        }
        return Optional.of(Bytes.of(rsp.body()));
    }

    private static UncheckedIOException failure(String message, Exception cause) {
        return new UncheckedIOException(message, new IOException(message, cause));
    }

    @Override
    public String describe() {
        return rim + " and " + ocsp;
    }
}
