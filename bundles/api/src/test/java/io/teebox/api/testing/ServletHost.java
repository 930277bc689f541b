package io.teebox.api.testing;

import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import io.teebox.api.platform.HttpEndpoint;

/**
 * A real HTTP server for servlet unit tests: an embedded Jetty of the version Felix HTTP carries, on a free
 * loopback port, serving the given servlets at their whiteboard patterns, as the platform's HTTP server does.
 */
public final class ServletHost implements HttpEndpoint, AutoCloseable {

    private final Server server = new Server();
    private final ServerConnector connector = new ServerConnector(server);
    private final ServletContextHandler context = new ServletContextHandler("/");

    /** Binds 127.0.0.1 on a free port; add servlets, then {@link #start()}. */
    public ServletHost() {
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        server.setHandler(context);
    }

    /**
     * @param pattern the servlet pattern, for example {@code /vcek/v1/*}
     * @param servlet the servlet
     * @return this host
     */
    public ServletHost serve(String pattern, jakarta.servlet.Servlet servlet) {
        context.addServlet(new ServletHolder(servlet), pattern);
        return this;
    }

    /**
     * @return this host, listening
     * @throws Exception if Jetty cannot start
     */
    public ServletHost start() throws Exception {
        server.start();
        return this;
    }

    @Override
    public String baseUrl() {
        return "http://127.0.0.1:" + connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
