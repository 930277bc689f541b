package io.teebox.amd.kds.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletName;
import org.osgi.service.servlet.whiteboard.propertytypes.HttpWhiteboardServletPattern;

import io.teebox.amd.abi.KdsRequest;
import io.teebox.amd.sp.AmdSecureProcessor;
import io.teebox.api.platform.HttpEndpoint;
import jakarta.servlet.Servlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * AMD's Key Distribution Service, served by the platform's HTTP server (Felix HTTP on Jetty, loopback by default)
 * at the KDS URL paths ({@link KdsRequest}), so verifiers that fetch from KDS can point at teebox:
 * {@code /vcek/v1/{product}/{hwid}?blSPL=&teeSPL=&snpSPL=&ucodeSPL=} (DER VCEK), {@code /vcek/v1/{product}/cert_chain}
 * (PEM: ASK then ARK), {@code /vcek/v1/{product}/crl} (DER CRL by the ARK) and the {@code /vlek/v1/{product}/...}
 * equivalents ({@code cert?...}, {@code cert_chain}, {@code crl}). Jetty's selectors hold idle and half-open
 * connections without a thread each and drop them after the configured idle timeout, so slow clients cannot starve
 * the service.
 */
@Component(service = Servlet.class, immediate = true)
@HttpWhiteboardServletPattern({"/vcek/v1/*", "/vlek/v1/*"})
@HttpWhiteboardServletName("teebox AMD KDS")
public final class KdsServer extends HttpServlet {

    private static final long serialVersionUID = 1L;

    private final transient KdsResources resources;
    private final transient HttpEndpoint endpoint;

    /**
     * @param sp the secure processor whose keys are served
     * @param endpoint where the platform's HTTP server listens
     */
    @Activate
    public KdsServer(@Reference AmdSecureProcessor sp, @Reference HttpEndpoint endpoint) {
        this.resources = new KdsResources(sp);
        this.endpoint = endpoint;
    }

    /** @return the base URL, for example {@code http://127.0.0.1:8440} */
    public String baseUrl() {
        return endpoint.baseUrl();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse rsp) throws IOException {
        String path = req.getRequestURI();
        KdsRequest request;
        try {
            request = KdsRequest.parse(path, req::getParameter);
        } catch (IllegalArgumentException e) {
            text(rsp, 404, "no such KDS resource: " + path);
            return;
        }
        KdsResources.Resource r;
        try {
            r = resources.answer(request);
        } catch (KdsResources.Refusal e) {
            text(rsp, e.status, e.getMessage());
            return;
        } catch (RuntimeException e) {
            text(rsp, 400, String.valueOf(e.getMessage()));
            return;
        }
        send(rsp, 200, r.contentType(), r.body());
    }

    private static void text(HttpServletResponse rsp, int status, String message) throws IOException {
        send(rsp, status, "text/plain", message.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpServletResponse rsp, int status, String type, byte[] body) throws IOException {
        rsp.setStatus(status);
        rsp.setContentType(type);
        rsp.setContentLength(body.length);
        rsp.getOutputStream().write(body);
    }
}
