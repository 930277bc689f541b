package io.teebox.intel.verify.internal;

import io.teebox.api.tee.Bytes;
import io.teebox.intel.tdx.abi.PcsRequest;
import io.teebox.kit.lang.Lazy;
import io.teebox.spi.collateral.CollateralSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
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

/**
 * An Intel PCS (API v4) at a configured URL, as a collateral source ({@code collateral.vendor=intel}): each request
 * is a GET of its PCS path ({@link PcsRequest#path()}); 200 gives the body, or for an {@code _issuer_chain} kind the
 * URL-decoded PEM of its header, 404 nothing, anything else, a timeout or no connection a one-line error. One
 * instance per configuration of factory pid {@code io.teebox.intel.pcs.http}, none without one.
 */
@Component(service = CollateralSource.class, configurationPid = "io.teebox.intel.pcs.http",
        configurationPolicy = ConfigurationPolicy.REQUIRE, property = CollateralSource.VENDOR + "=intel")
@Designate(ocd = PcsHttpConfig.class, factory = true)
public final class PcsHttpSource implements CollateralSource {

    private final URI base;
    private final URI rootCaCrl;
    private final Duration readTimeout;
    /** Made at the first fetch: a JDK HttpClient starts a selector thread, which a start need not pay for. */
    private final Lazy<HttpClient> http;

    /**
     * @param config the configuration
     * @throws IllegalArgumentException for a URL that is not http(s) with a host, or a timeout out of range
     */
    @Activate
    public PcsHttpSource(PcsHttpConfig config) {
        this.base = check(config.url(), "url", true);
        this.rootCaCrl = config.rootCaCrlUrl() == null || config.rootCaCrlUrl().isBlank()
                ? URI.create(base + "/IntelSGXRootCA.der") : check(config.rootCaCrlUrl(), "rootCaCrlUrl", false);
        if (config.connectTimeoutMs() < 1 || config.connectTimeoutMs() > 60_000) {
            throw new IllegalArgumentException("io.teebox.intel.pcs.http: connectTimeoutMs must be 1..60000, got "
                    + config.connectTimeoutMs());
        }
        if (config.readTimeoutMs() < 1 || config.readTimeoutMs() > 120_000) {
            throw new IllegalArgumentException("io.teebox.intel.pcs.http: readTimeoutMs must be 1..120000, got "
                    + config.readTimeoutMs());
        }
        this.readTimeout = Duration.ofMillis(config.readTimeoutMs());
        Duration connect = Duration.ofMillis(config.connectTimeoutMs());
        this.http = Lazy.of(() -> HttpClient.newBuilder().connectTimeout(connect)
                .followRedirects(HttpClient.Redirect.NORMAL).build());
    }

    private static URI check(String url, String name, boolean base) {
        String text = url == null ? "" : url.trim().replaceFirst("/+$", "");
        if (base) {
            text = text.replaceFirst("/(sgx|tdx)/certification/v4$", "");
        }
        URI u;
        try {
            u = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("io.teebox.intel.pcs.http: " + name + " '" + url + "' is not a URL");
        }
        boolean pathOk = !base || u.getRawPath() == null || u.getRawPath().isEmpty();
        if (!("https".equals(u.getScheme()) || "http".equals(u.getScheme())) || u.getHost() == null || !pathOk
                || u.getRawQuery() != null) {
            throw new IllegalArgumentException("io.teebox.intel.pcs.http: " + name + " '" + url + "' must be "
                    + (base ? "http(s)://host[:port] (optionally with /sgx/certification/v4), for example "
                            + "https://api.trustedservices.intel.com" : "an http(s) URL without a query"));
        }
        return u;
    }

    @Override
    public Optional<Bytes> fetch(String kind, Map<String, String> key) {
        PcsRequest r = new PcsRequest(kind, key);
        URI uri = r.document().equals("rootcacrl") ? rootCaCrl : URI.create(base + r.path());
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(readTimeout).GET().build();
        HttpResponse<byte[]> rsp;
        try {
            rsp = http.get().send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new UncheckedIOException("the PCS at " + base + " did not answer " + uri.getRawPath() + " within "
                    + readTimeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new UncheckedIOException("the PCS at " + base + " cannot be reached for " + uri.getRawPath() + ": "
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted fetching " + uri + " from " + base, e);
        }
        if (rsp.statusCode() == 404) {
            return Optional.empty();
        }
        if (rsp.statusCode() != 200) {
            String body = new String(rsp.body(), StandardCharsets.UTF_8).strip().replaceAll("\\s+", " ");
            throw failure("the PCS at " + base + " answered " + uri.getRawPath() + " with HTTP " + rsp.statusCode()
                    + (body.isEmpty() ? "" : ": " + (body.length() > 200 ? body.substring(0, 200) + "..." : body)),
                    null);
        }
        if (r.issuerChainHeader().isPresent()) {
            String name = r.issuerChainHeader().get();
            String v = rsp.headers().firstValue(name).orElseThrow(() -> failure("the PCS at " + base + " answered "
                    + uri.getRawPath() + " without the " + name + " header", null));
            return Optional.of(Bytes.of(URLDecoder.decode(v.replace("+", "%2B"), StandardCharsets.UTF_8)
                    .getBytes(StandardCharsets.US_ASCII)));
        }
        return Optional.of(Bytes.of(rsp.body()));
    }

    /** An error whose message is the one line given. */
    private static UncheckedIOException failure(String message, Exception cause) {
        return new UncheckedIOException(message, new IOException(message, cause));
    }

    @Override
    public String describe() {
        return base.toString();
    }
}
