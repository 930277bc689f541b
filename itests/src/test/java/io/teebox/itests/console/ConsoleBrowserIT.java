package io.teebox.itests.console;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.ElementClickInterceptedException;
import org.openqa.selenium.ElementNotInteractableException;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.teebox.itests.LauncherIT;
import io.teebox.itests.ProcessOutput;

/**
 * The web console as a person uses it: the real distribution runs {@code ./teebox serve} from a copy of the repository
 * root on a fresh state directory, and Debian's chromium, headless, driven by Debian's chromedriver through WebDriver
 * (both at their Debian paths, so Selenium Manager never looks for a browser on the network; the test fails, never
 * skips, without the packages {@code chromium} and {@code chromium-driver}), logs in with the password the first start
 * printed and works every teebox panel: creates and launches guests, reads a private page in the host's and the
 * guest's view, writes it from the host, follows the launch on the timeline, stops and starts a backend, attests a
 * guest. Each panel is saved as {@code target/screenshots/<panel>.png}. A server bound beyond loopback without
 * {@code allowRemote} serves no console at all.
 */
public class ConsoleBrowserIT {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Pattern PASSWORD = Pattern.compile("teebox: web console: \\S+\\s+user \\S+\\s+password "
            + "(\\S{24})\\s");
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** A launch runs the TEE's firmware commands over every page of the guest: longer than a click's answer. */
    private static final Duration LAUNCH = Duration.ofSeconds(120);
    private static final Path SCREENSHOTS = Path.of("target/screenshots").toAbsolutePath();

    /** The platform the browser tests share (started by the first test that needs it). */
    private static Platform shared;

    private WebDriver driver;

    /** One {@code ./teebox serve}, its output pumped to memory. */
    private static final class Platform {
        final Path root;
        final int port;
        final Process process;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        Platform(Path root, int port) throws IOException {
            this.root = root;
            this.port = port;
            ProcessBuilder pb = new ProcessBuilder("bash", root.resolve("teebox").toString(), "serve")
                    .directory(root.toFile());
            pb.environment().put("TEEBOX_NO_BUILD", "1");
            pb.environment().put("TEEBOX_STATE", root.resolve("state").toString());
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            process = pb.start();
            pump(process.getInputStream(), out);
            pump(process.getErrorStream(), err);
        }

        String out() {
            return text(out);
        }

        String err() {
            return text(err);
        }

        /** Waits (120 s at most) until stdout or stderr has a line matching the pattern; returns its matcher. */
        Matcher await(Pattern p, boolean onStderr) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < end) {
                Matcher m = p.matcher(onStderr ? err() : out());
                if (m.find()) {
                    return m;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("teebox serve printed no line matching " + p + " on "
                    + (onStderr ? "stderr" : "stdout") + " within 120 s" + (process.isAlive() ? ""
                    : " (it exited with " + process.exitValue() + ")") + "; stdout:\n" + out() + "\nstderr:\n" + err());
        }

        void stop() throws InterruptedException {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /** The console's first panel and the password the first start printed. */
    private record Console(String guestsUrl, String user, String password) {
        String panel(String label) {
            return guestsUrl.substring(0, guestsUrl.lastIndexOf('/') + 1) + label;
        }
    }

    private static Console console;

    private static void pump(InputStream in, ByteArrayOutputStream sink) {
        ProcessOutput.pump(in, sink, "teebox-serve-output");
    }

    private static String text(ByteArrayOutputStream sink) {
        return ProcessOutput.text(sink);
    }

    /**
     * A root copy (as {@link LauncherIT#rootCopy()} makes it) with the HTTP server on a port chosen here (with port 0
     * Jetty may bind again on another free port once FileInstall reads the configuration, and the one line that
     * shows the password could name a port no longer served) and the remote shell on a free one.
     *
     * @param port the HTTP port
     * @return the root
     * @throws IOException if it cannot be made
     */
    private static Path root(int port) throws IOException {
        Path jar = LauncherIT.ROOT.resolve("distribution/target/teebox.jar");
        assertTrue(jar + " is missing: the distribution module builds it before the itests", Files.isRegularFile(jar));
        Path root = LauncherIT.rootCopy();
        Path http = root.resolve("config/org.apache.felix.http.cfg");
        String cfg = Files.readString(http);
        assertTrue("rootCopy puts the HTTP server on port 0: " + cfg, cfg.contains("org.osgi.service.http.port = 0\n"));
        Files.writeString(http, cfg.replace("org.osgi.service.http.port = 0\n", "org.osgi.service.http.port = "
                + port + "\n"));
        // serve also starts the remote shell: on a free port, so that two of these platforms (or RemoteShellIT's,
        // or the user's teebox) do not fight over 8101
        Path ssh = root.resolve("config/io.teebox.remote.ssh.cfg");
        String sshCfg = Files.readString(ssh);
        assertTrue("the shipped configuration names the port: " + sshCfg, sshCfg.contains("port = 8101\n"));
        Files.writeString(ssh, sshCfg.replace("port = 8101\n", "port = 0\n"));
        return root;
    }

    private static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return free.getLocalPort();
        }
    }

    /** Starts the shared platform once and reads the console's URL and password from its stdout. */
    private static synchronized Console console() throws Exception {
        if (notStarted != null) {
            throw new AssertionError("the shared platform did not start: " + notStarted.getMessage(), notStarted);
        }
        if (console == null) {
            int port = freePort();
            shared = new Platform(root(port), port);
            try {
                // the password is printed once, at the start that made it; the URL naming the configured port may
                // come in a later line (the console is re-created when Jetty moves from its start-up port to the
                // configured one), without the password
                Matcher pw = shared.await(PASSWORD, false);
                String password = pw.group(1);
                Pattern onPort = Pattern.compile("teebox: web console: (http://[^/\\s]+:" + port
                        + "/system/console/teebox-guests)\\s+user (\\S+)");
                Matcher url = shared.await(onPort, false);
                console = new Console(url.group(1), url.group(2), password);
                // the line comes once the Web Console runs; its servlets reach Jetty through the whiteboard a
                // moment later, never more than a few seconds
                HttpClient http = HttpClient.newHttpClient();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int status = 0;
                while (status != 401 && System.nanoTime() < until) {
                    status = http.send(HttpRequest.newBuilder(URI.create(console.guestsUrl())).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status != 401) {
                        Thread.sleep(100);
                    }
                }
                assertEquals("the console asks a new client to log in within 10 s of saying where it is", 401,
                        status);
            } catch (AssertionError | RuntimeException e) {
                notStarted = e;
                shared.stop();
                throw e;
            }
        }
        return console;
    }

    /** Why the shared platform did not start, once it did not: the other tests fail with it, none starts another. */
    private static Throwable notStarted;

    @AfterClass
    public static void stopThePlatform() throws Exception {
        if (shared != null) {
            shared.stop();
        }
    }

    @Before
    public void startTheBrowser() throws IOException {
        for (Path p : List.of(CHROMIUM, CHROMEDRIVER)) {
            if (!Files.isExecutable(p)) {
                throw new AssertionError(p + " is missing: the web console's browser test needs Debian's chromium "
                        + "and chromium-driver packages (apt-get install chromium chromium-driver)");
            }
        }
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @After
    public void stopTheBrowser() {
        if (driver != null) {
            driver.quit();
        }
    }

    // ---- the harness itself ----

    @Test
    public void theHeadlessBrowserRunsScriptsAndReadsTheDom() {
        driver.get("data:text/html,<html><body><p id='x' data-state='before'>teebox</p><script>"
                + "document.getElementById('x').setAttribute('data-state','after')</script></body></html>");
        WebElement p = driver.findElement(By.id("x"));
        assertEquals("teebox", p.getText());
        assertEquals("the page's script ran", "after", p.getAttribute("data-state"));
        assertTrue(driver.findElements(By.id("nosuch")).isEmpty());
    }

    // ---- the console on loopback ----

    @Test
    public void aWrongPasswordShowsTheLoginErrorAndNoPanel() throws Exception {
        Console c = console();
        driver.get(c.guestsUrl());
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.until(d -> d.findElement(By.cssSelector("form#login")));
        assertTrue("no panel before logging in", driver.findElements(By.id("teebox-panel")).isEmpty());
        driver.findElement(By.id("user")).sendKeys(c.user());
        driver.findElement(By.id("password")).sendKeys(c.password() + "x");
        driver.findElement(By.id("signin")).click();
        WebElement error = wait.until(d -> d.findElement(By.id("login-error")));
        assertEquals("wrong user or password", error.getText().strip());
        assertTrue("the login form again", driver.findElement(By.cssSelector("form#login")).isDisplayed());
        assertTrue("no panel after a wrong password", driver.findElements(By.id("teebox-panel")).isEmpty());
        assertTrue(driver.findElements(By.id("tb-guests")).isEmpty());
        screenshot("login-refused");

        // the right password with a wrong user is refused the same way
        driver.findElement(By.id("user")).clear();
        driver.findElement(By.id("user")).sendKeys("root");
        driver.findElement(By.id("password")).sendKeys(c.password());
        driver.findElement(By.id("signin")).click();
        // the first refusal's page goes away before the second one's error is read (else its element goes stale)
        wait.until(ExpectedConditions.stalenessOf(error));
        assertEquals("wrong user or password", wait.ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.id("login-error")).getText().strip()));
        assertTrue(driver.findElements(By.id("tb-guests")).isEmpty());
    }

    @Test
    public void everyPanelWorksOnRealGuests() throws Exception {
        Console c = console();
        logIn(c);
        WebDriverWait wait = new WebDriverWait(driver, WAIT);

        // Guests: create a SEV-SNP guest and launch it on the built-in firmware
        String snp = "web-snp";
        String snpMeasurement = createAndLaunch("sev-snp", snp);
        // SNP reveals the launch digest only in a signed report: the guest's measurement says so, and the launch
        // log's SNP_LAUNCH_FINISH shows the digest the firmware computed
        assertTrue(snpMeasurement, snpMeasurement.startsWith("(none revealed)")
                && snpMeasurement.contains("ATTESTATION_REPORT"));
        List<String> logged = new ArrayList<>();
        String finished = null;
        for (WebElement row : driver.findElements(By.cssSelector("table#tb-log tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            if (cells.size() == 4) {
                logged.add(cells.get(1).getText().strip());
                if (cells.get(1).getText().strip().equals("SNP_LAUNCH_FINISH")) {
                    finished = cells.get(3).getText();
                }
            }
        }
        assertTrue("the launch log names the firmware's commands: " + logged, logged.contains("SNP_LAUNCH_FINISH"));
        assertTrue("SNP_LAUNCH_FINISH shows the 48-byte launch digest: " + finished, finished != null
                && finished.matches("(?s).*measurement=[0-9a-f]{96}.*"));
        screenshot("guests");

        // Memory: a private page has its RMP state; the host reads other bytes than the guest
        driver.get(c.panel("teebox-memory") + "?guest=" + snp);
        wait.until(d -> new Select(d.findElement(By.id("tb-mem-guest"))).getFirstSelectedOption().getText()
                .equals(snp));
        String gpa = selectPrivatePage();
        String rmpState = pageState(gpa);
        assertFalse("a private SNP page has its RMP state", rmpState.isBlank());
        String host = pageHex(gpa, "host");
        click(By.id("tb-view-toggle"));
        String guest = pageHex(gpa, "guest");
        assertNotEquals("the host reads ciphertext, the guest its plaintext, of page " + gpa, host, guest);
        assertEquals("SNP's RMP refuses a host write to a private page", "HOST_FAULT", hostWrites());
        screenshot("memory");

        // Timeline: the launch's firmware commands in their order
        assertTimeline(c, snp, "SNP_LAUNCH_START", "SNP_LAUNCH_UPDATE", "SNP_LAUNCH_FINISH");
        screenshot("timeline");

        // Backends: every TEE; stopping SEV-SNP's bundle pauses its guest, starting it resumes the guest
        driver.get(c.panel("teebox-backends"));
        Set<String> tees = wait.until(d -> {
            Set<String> t = new TreeSet<>();
            for (WebElement r : d.findElements(By.cssSelector("table#tb-backends tr[data-tee]"))) {
                t.add(r.getAttribute("data-tee"));
            }
            return t.containsAll(List.of("sev", "sev-es", "sev-snp", "tdx")) ? t : null;
        });
        assertTrue(tees.toString(), tees.containsAll(List.of("sev", "sev-es", "sev-snp", "tdx")));
        assertEquals("ACTIVE", bundleState("sev-snp"));
        click(By.cssSelector("button.tb-stop[data-tee='sev-snp']"));
        awaitChip("sev-snp", snp, "PAUSED");
        assertNotEquals("the stopped backend's bundle", "ACTIVE", bundleState("sev-snp"));
        screenshot("backends-stopped");
        click(By.cssSelector("button.tb-start[data-tee='sev-snp']"));
        awaitChip("sev-snp", snp, "RUNNING");
        assertEquals("ACTIVE", bundleState("sev-snp"));
        // an update without a jar is refused in a line; from the backend's jar in the distribution's repository
        // it is a firmware update: the guest pauses and resumes on the new revision
        click(By.cssSelector("button.tb-update[data-tee='sev-snp']"));
        String noJar = wait.until(d -> {
            String m = d.findElement(By.id("tb-message")).getText();
            return m.contains("choose the bundle jar") ? m : null;
        });
        assertTrue(noJar, noJar.startsWith("update sev-snp: update io.teebox.sev-snp: choose the bundle jar"));
        Path snpJar;
        try (var found = Files.find(LauncherIT.ROOT.resolve("distribution/target/repository/io/teebox/sev-snp"), 2,
                (f, a) -> f.getFileName().toString().matches("sev-snp-.*\\.jar"))) {
            snpJar = found.findFirst().orElseThrow(() -> new AssertionError("the distribution's repository holds "
                    + "no sev-snp jar"));
        }
        driver.findElement(By.cssSelector("input.tb-update-jar[data-tee='sev-snp']")).sendKeys(snpJar.toString());
        click(By.cssSelector("button.tb-update[data-tee='sev-snp']"));
        String updated = wait.until(d -> {
            String m = d.findElement(By.id("tb-message")).getText();
            return m.contains("bundle io.teebox.sev-snp is") ? m : null;
        });
        assertTrue(updated, updated.endsWith("is ACTIVE"));
        awaitChip("sev-snp", snp, "RUNNING");
        screenshot("backends");

        // Evidence: the resumed guest attests; the report carries our data and the verifier accepts it
        driver.get(c.panel("teebox-evidence"));
        Select evGuest = new Select(wait.until(d -> d.findElement(By.id("tb-ev-guest"))));
        wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class).until(d -> {
            new Select(d.findElement(By.id("tb-ev-guest"))).selectByValue(snp);
            return true;
        });
        assertEquals(snp, evGuest.getFirstSelectedOption().getAttribute("value"));
        String reportData = "7465656278206272";
        WebElement data = driver.findElement(By.id("tb-ev-data"));
        data.clear();
        data.sendKeys(reportData);
        click(By.id("tb-ev-attest"));
        WebElement appraisal = new WebDriverWait(driver, LAUNCH)
                .until(d -> d.findElement(By.id("tb-ev-appraisal")));
        List<String> checks = new ArrayList<>();
        for (WebElement li : appraisal.findElements(By.cssSelector("li.tb-check"))) {
            checks.add(li.getText());
        }
        assertEquals("the appraisal accepts the guest's report (" + appraisal.getAttribute("data-status") + "): "
                + checks, "true", appraisal.getAttribute("data-accepted"));
        assertFalse("the appraisal lists its checks", checks.isEmpty());
        WebElement field = driver.findElement(By.cssSelector("table#tb-ev-fields tr[data-field='REPORT_DATA']"));
        String value = field.findElement(By.cssSelector("td:nth-child(4)")).getText();
        assertTrue("REPORT_DATA holds the data the attestation asked for: " + value,
                value.replaceAll("[^0-9A-Fa-f]", "").toLowerCase(Locale.ROOT).startsWith(reportData));
        assertFalse("the chain is shown", driver.findElements(By.cssSelector("ol#tb-ev-chain li")).isEmpty());
        String download = driver.findElement(By.id("tb-ev-download-report")).getAttribute("href");
        assertTrue(download, download.contains("part=report"));
        screenshot("evidence");

        // TDX: a trust domain launched from the browser, its timeline ends the build with TDH.MR.FINALIZE
        driver.get(c.guestsUrl());
        String tdx = "web-tdx";
        createAndLaunch("tdx", tdx);
        screenshot("guests-tdx");
        assertTimeline(c, tdx, "TDH.MNG.INIT", "TDH.MEM.PAGE.ADD", "TDH.MR.FINALIZE");
        screenshot("timeline-tdx");

        // TDX memory: a private page's Secure-EPT state; the host reads fixed data (zeros) where the TD reads its
        // plaintext, and a host write lands but kills the TD at its next read of the line (the MAC no longer matches)
        driver.get(c.panel("teebox-memory") + "?guest=" + tdx);
        wait.until(d -> new Select(d.findElement(By.id("tb-mem-guest"))).getFirstSelectedOption().getText()
                .equals(tdx));
        String tdGpa = selectPrivatePage();
        assertEquals("a TD's private page is mapped in its Secure EPT", "SEPT MAPPED", pageState(tdGpa));
        String tdHost = pageHex(tdGpa, "host");
        assertTrue("the host reads zeros from a TD private page: " + tdHost, tdHost.matches("0+"));
        assertEquals("a host write to a TD private page", "GUEST_TERMINATED", hostWrites());
        screenshot("memory-tdx");

        // Devices: the H100s the nvidia backend brings, with their mode
        driver.get(c.panel("teebox-devices"));
        List<WebElement> devices = wait.until(d -> {
            List<WebElement> rows = d.findElements(By.cssSelector("table#tb-devices tr[data-device]"));
            return rows.isEmpty() ? null : rows;
        });
        assertTrue("an H100 is listed", devices.stream().anyMatch(r -> r.getText().contains("h100")));
        assertFalse("each device shows its mode", devices.get(0).getAttribute("data-mode").isBlank());
        screenshot("devices");
    }

    // ---- the panels' JSON, as a script or an attacker sends it ----

    @Test
    public void thePanelsAnswerEveryMistakeInOneLineAndKeepGoing() throws Exception {
        Console c = console();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String basic = "Basic " + Base64.getEncoder().encodeToString((c.user() + ":" + c.password())
                .getBytes(StandardCharsets.UTF_8));
        java.util.function.BiFunction<String, String, HttpResponse<String>> post = (path, body) -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(c.panel(path))).header("Authorization", basic)
                        .header("Content-Type", "application/json").header("X-Teebox-Console", "1")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (IOException | InterruptedException e) {
                throw new AssertionError(e);
            }
        };
        // no credentials: a script is told to log in; a wrong password is refused the same way
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create(c.panel("teebox-guests")
                + "/guests.json")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, anonymous.statusCode());
        assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse(""), anonymous.headers()
                .firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm=\"teebox\""));
        HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(c.panel("teebox-guests")
                + "/guests.json")).header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        (c.user() + ":not-it").getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, wrong.statusCode());
        assertEquals("teebox: wrong user or password", wrong.body().strip());
        // an action without the console's header is refused (a cross-site form cannot send it)
        HttpResponse<String> forged = http.send(HttpRequest.newBuilder(URI.create(c.panel("teebox-guests")
                + "/create")).header("Authorization", basic).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"teeType\":\"sev\",\"name\":\"forged\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, forged.statusCode());
        assertTrue(forged.body(), forged.body().contains("X-Teebox-Console"));
        // each mistake: 400 and one line naming it
        String[][] mistakes = {
            {"teebox-guests/create", "not json", "the request body is not JSON"},
            {"teebox-guests/create", "[1]", "the request body must be a JSON object"},
            {"teebox-guests/create", "{\"teeType\":\"sev\"}", "'name' is missing"},
            {"teebox-guests/create", "{\"teeType\":\"nope\",\"name\":\"x\"}", "no backend of type 'nope'"},
            {"teebox-guests/create", "{\"teeType\":\"sev\",\"name\":\"x\",\"vcpus\":\"99\"}", "vcpus must be 1..64"},
            {"teebox-guests/create", "{\"teeType\":\"sev\",\"name\":\"bad name\"}", "guest name 'bad name'"},
            {"teebox-guests/pause", "{\"guest\":\"nobody\"}", "no guest 'nobody'"},
            {"teebox-guests/launch", "{\"guest\":\"nobody\"}", "no guest 'nobody'"},
            {"teebox-guests/fly", "{}", "no action named 'fly'"},
            {"teebox-memory/write", "{\"guest\":\"nobody\",\"gpa\":\"0xZZ\",\"data\":\"x\"}", "gpa '0xZZ' is not a number"},
            {"teebox-backends/stop", "{\"teeType\":\"nope\"}", "no backend bundle of type 'nope'"},
            {"teebox-evidence/upload", "{\"format\":\"sev-snp-report\",\"report\":\"%%\"}", "'report' is not Base64"},
        };
        for (String[] m : mistakes) {
            HttpResponse<String> r = post.apply(m[0], m[1]);
            com.google.gson.JsonElement e = com.google.gson.JsonParser.parseString(r.body()).getAsJsonObject()
                    .get("error");
            assertTrue(m[0] + " " + m[1] + ": HTTP " + r.statusCode() + " " + r.body(), e != null);
            String error = e.getAsString();
            assertTrue(m[0] + " " + m[1] + ": HTTP " + r.statusCode() + " " + error, (r.statusCode() == 400
                    || r.statusCode() == 404) && error.contains(m[2]) && !error.contains("\n"));
        }
        // a report that is not one is decoded as far as it goes and rejected, each reason named
        HttpResponse<String> garbage = post.apply("teebox-evidence/upload",
                "{\"format\":\"sev-snp-report\",\"report\":\"AAAA\"}");
        assertEquals(garbage.body(), 200, garbage.statusCode());
        com.google.gson.JsonObject g = com.google.gson.JsonParser.parseString(garbage.body()).getAsJsonObject();
        assertTrue(garbage.body(), g.get("fieldsError").getAsString().contains("ATTESTATION_REPORT is 3 bytes"));
        assertFalse(garbage.body(), g.getAsJsonObject("appraisal").get("accepted").getAsBoolean());
        // and the platform goes on: a guest is created, launched and listed
        assertEquals(200, post.apply("teebox-guests/create", "{\"teeType\":\"sev\",\"name\":\"api-sev\"}")
                .statusCode());
        HttpResponse<String> launched = post.apply("teebox-guests/launch", "{\"guest\":\"api-sev\"}");
        assertEquals(launched.body(), 200, launched.statusCode());
        assertTrue(launched.body(), launched.body().contains("\"state\":\"RUNNING\""));
        // a browser's login: the form sets an HttpOnly, same-site session cookie and sends it to the panel
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(c.panel("teebox-login")))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers
                        .ofString("user=" + c.user() + "&password=" + c.password() + "&target=//evil.example/"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(303, login.statusCode());
        assertEquals("an outside target is not followed", "/system/console/teebox-guests", login.headers()
                .firstValue("Location").orElse(""));
        String cookie = login.headers().firstValue("Set-Cookie").orElse("");
        assertTrue(cookie, cookie.startsWith("teebox-console=") && cookie.contains("HttpOnly")
                && cookie.contains("SameSite=Strict") && cookie.contains("Path=/system/console"));
        HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(c.panel("teebox-guests")
                + "/guests.json")).header("Cookie", cookie.substring(0, cookie.indexOf(';'))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, listed.statusCode());
        assertTrue(listed.body(), listed.body().contains("\"name\":\"api-sev\""));
    }

    // ---- the console refused beyond loopback ----

    @Test
    public void aServerBeyondLoopbackWithoutAllowRemoteServesNoConsole() throws Exception {
        int port = freePort();
        Path root = root(port);
        Path http = root.resolve("config/org.apache.felix.http.cfg");
        String cfg = Files.readString(http);
        assertTrue(cfg, cfg.contains("org.apache.felix.http.host = 127.0.0.1\n"));
        Files.writeString(http, cfg.replace("org.apache.felix.http.host = 127.0.0.1\n",
                "org.apache.felix.http.host = 0.0.0.0\n"));
        Path consoleCfg = root.resolve("config/io.teebox.console.cfg");
        if (Files.exists(consoleCfg)) {
            try (Stream<String> lines = Files.lines(consoleCfg)) {
                Files.writeString(consoleCfg, String.join("\n", lines.filter(l -> !l.strip().startsWith("allowRemote"))
                        .toList()) + "\n");
            }
        }
        Platform p = new Platform(root, port);
        try {
            Matcher refused = p.await(Pattern.compile("teebox: error: io\\.teebox\\.console: the web console is not "
                    + "served: [^\n]*"), true);
            assertTrue(refused.group(), refused.group().contains("beyond this machine")
                    && refused.group().contains("org.apache.felix.http.host"));
            assertTrue(refused.group(), refused.group().contains("allowRemote"));

            HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI guests = URI.create("http://127.0.0.1:" + port + "/system/console/teebox-guests");
            HttpResponse<String> plain = awaitStatus(client, HttpRequest.newBuilder(guests)
                    .header("Accept", "text/html").build(), 403);
            assertTrue(plain.body(), plain.body().contains("the web console is not served"));
            assertFalse("no login form: " + plain.body(), plain.body().contains("id=\"login\""));

            String basic = Base64.getEncoder().encodeToString("admin:whatever".getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> withBasic = client.send(HttpRequest.newBuilder(guests)
                    .header("Authorization", "Basic " + basic).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(withBasic.body(), 403, withBasic.statusCode());
            assertTrue(withBasic.body(), withBasic.body().contains("the web console is not served"));

            HttpResponse<String> login = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/system/console/teebox-login")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("user=admin&password=whatever")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals("no login either: " + login.body(), 403, login.statusCode());
        } finally {
            p.stop();
        }
    }

    /**
     * Sends the request until the server answers the given status (the server binds the configured port only after
     * FileInstall read it, and serves the console only once its security provider is there); 60 s at most.
     */
    private static HttpResponse<String> awaitStatus(HttpClient client, HttpRequest request, int status)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "no answer";
        while (System.nanoTime() < end) {
            try {
                HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == status) {
                    return r;
                }
                last = "HTTP " + r.statusCode() + ": " + r.body();
            } catch (ConnectException notYet) {
                last = notYet.toString();
            }
            Thread.sleep(200);
        }
        throw new AssertionError(request.uri() + " never answered " + status + " within 60 s; last: " + last);
    }

    // ---- steps ----

    private void logIn(Console c) {
        driver.get(c.guestsUrl());
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.until(d -> d.findElement(By.cssSelector("form#login")));
        driver.findElement(By.id("user")).sendKeys(c.user());
        driver.findElement(By.id("password")).sendKeys(c.password());
        driver.findElement(By.id("signin")).click();
        wait.until(d -> d.findElement(By.id("tb-guests")));
        assertTrue("logged in: no login form", driver.findElements(By.cssSelector("form#login")).isEmpty());
    }

    /** On the Guests panel: creates the guest, launches it on the built-in firmware; returns its measurement. */
    private String createAndLaunch(String tee, String name) {
        WebDriverWait wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class).until(d -> {
            new Select(d.findElement(By.id("tb-create-tee"))).selectByValue(tee);
            return true;
        });
        WebElement n = driver.findElement(By.id("tb-create-name"));
        n.clear();
        n.sendKeys(name);
        click(By.id("tb-create-go"));
        By row = By.cssSelector("table#tb-guests tr[data-guest='" + name + "']");
        String created = wait.ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(row).getAttribute("data-state"));
        assertEquals(name + " after create", "CREATED", created);
        // the detail of the guest just created, with its launch form (no file: the TEE's built-in firmware)
        click(By.cssSelector("table#tb-guests tr[data-guest='" + name + "'] button.tb-launch"));
        click(By.id("tb-launch-go"));
        WebDriverWait launch = new WebDriverWait(driver, LAUNCH);
        launch.ignoring(StaleElementReferenceException.class).until(d -> {
            String s = d.findElement(row).getAttribute("data-state");
            if (s.equals("TERMINATED")) {
                throw new AssertionError(name + " terminated: " + d.findElement(By.id("tb-message")).getText());
            }
            return s.equals("RUNNING");
        });
        return wait.ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class).until(d -> {
            String m = d.findElement(By.id("tb-measurement")).getText().strip();
            return m.isEmpty() ? null : m;
        });
    }

    /** Opens the guest's timeline and checks the three commands appear in that order, with the four actors. */
    private void assertTimeline(Console c, String guest, String first, String then, String last) {
        driver.get(c.panel("teebox-timeline") + "?guest=" + guest);
        List<String> commands = timelineUntil(last);
        int a = commands.indexOf(first);
        int b = commands.indexOf(then);
        int z = commands.lastIndexOf(last);
        assertTrue(first + ", " + then + "..., " + last + ": " + commands, a >= 0 && b > a && z > b);
        assertActors();
    }

    /** Clicks the first private page that has a firmware state in the memory grid; returns its address. */
    private String selectPrivatePage() {
        By privatePage = By.cssSelector("svg#tb-mem-grid rect.tb-page[data-kind='private'][data-state]"
                + ":not([data-state=''])");
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement r = d.findElement(privatePage);
            String a = r.getAttribute("data-gpa");
            r.click();
            return a;
        });
    }

    /** @return the firmware's state of the page the grid shows */
    private String pageState(String gpa) {
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(d -> d
                .findElement(By.cssSelector("svg#tb-mem-grid rect.tb-page[data-gpa='" + gpa + "']"))
                .getAttribute("data-state"));
    }

    /** The host writes the selected page; returns the effect the panel shows (its text goes into failures). */
    private String hostWrites() {
        driver.findElement(By.id("tb-write-data")).sendKeys("the host was here");
        click(By.id("tb-write-go"));
        String effect = new WebDriverWait(driver, WAIT).until(d -> d.findElement(By.id("tb-outcome"))
                .getAttribute("data-effect"));
        return effect + (effect.equals("HOST_FAULT") || effect.equals("GUEST_TERMINATED") ? ""
                : ": " + driver.findElement(By.id("tb-outcome")).getText());
    }

    /** The hex of the page's first 512 bytes in the view, once the page shows that view of that page. */
    private String pageHex(String gpa, String view) {
        long want = Long.decode(gpa);
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class).until(d -> {
            WebElement pre = d.findElement(By.id("tb-page-hex"));
            String v = pre.getAttribute("data-view");
            String at = pre.getAttribute("data-gpa");
            if (!view.equals(v) || at == null || Long.decode(at) != want) {
                return null;
            }
            String t = pre.getText();
            int nl = t.indexOf('\n');
            // the first line names the view; the rest are 32 bytes a line, hex then printable text
            StringBuilder hex = new StringBuilder();
            for (String line : (nl < 0 ? "" : t.substring(nl + 1)).split("\n")) {
                String[] parts = line.strip().split(" +");
                for (int i = 0; i < Math.min(32, parts.length); i++) {
                    hex.append(parts[i]);
                }
            }
            return hex.length() == 1024 ? hex.toString() : null;
        });
    }

    /** The firmware commands of the launch diagram, in the arrows' order, once one of them is the given command. */
    private List<String> timelineUntil(String command) {
        return new WebDriverWait(driver, WAIT).until(d -> {
            @SuppressWarnings("unchecked")
            List<List<Object>> arrows = (List<List<Object>>) ((JavascriptExecutor) d).executeScript(
                    "return Array.from(document.querySelectorAll('svg#tb-timeline g.tb-arrow')).map(function (g) {"
                    + " return [Number(g.getAttribute('data-n')), g.getAttribute('data-command'),"
                    + " g.getAttribute('data-status')]; });");
            List<String> commands = new ArrayList<>();
            int n = 0;
            for (List<Object> a : arrows) {
                int number = ((Number) a.get(0)).intValue();
                assertEquals("arrows numbered in order", ++n, number);
                String cmd = (String) a.get(1);
                if (cmd != null && !cmd.isEmpty()) {
                    String status = (String) a.get(2);
                    assertTrue(cmd + " succeeded on the timeline: " + status, status.matches("[A-Za-z0-9_.]+"));
                    commands.add(cmd);
                }
            }
            return commands.contains(command) ? commands : null;
        });
    }

    private void assertActors() {
        List<String> actors = new ArrayList<>();
        for (WebElement a : driver.findElements(By.cssSelector("svg#tb-timeline text.tb-actor"))) {
            actors.add(a.getText());
        }
        assertEquals(actors.toString(), 4, actors.size());
        assertTrue(actors.toString(), actors.contains("hypervisor") && actors.contains("guest owner"));
    }

    private String bundleState(String tee) {
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class)
                .until(d -> d.findElement(By.cssSelector("table#tb-backends tr[data-tee='" + tee
                        + "'] .tb-bundle-state")).getText().strip());
    }

    private void awaitChip(String tee, String guest, String state) {
        By chip = By.cssSelector("table#tb-backends tr[data-tee='" + tee + "'] span.tb-guest[data-guest='" + guest
                + "']");
        try {
            new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class)
                    .ignoring(NoSuchElementException.class)
                    .until(d -> state.equals(d.findElement(chip).getAttribute("data-state")));
        } catch (TimeoutException e) {
            throw new AssertionError(guest + " on backend " + tee + " never showed " + state + "; the row: "
                    + driver.findElement(By.cssSelector("table#tb-backends tr[data-tee='" + tee + "']")).getText()
                    + "; message: " + driver.findElement(By.id("tb-message")).getText(), e);
        }
    }

    /** Clicks the element once it is there and clickable (the panels redraw their tables every few seconds). */
    private void click(By by) {
        new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class)
                .ignoring(NoSuchElementException.class).ignoring(ElementClickInterceptedException.class)
                .ignoring(ElementNotInteractableException.class).until(d -> {
                    WebElement e = d.findElement(by);
                    if (!e.isEnabled()) {
                        return false;
                    }
                    e.click();
                    return true;
                });
    }

    private void screenshot(String panel) throws IOException {
        byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
        Files.write(SCREENSHOTS.resolve(panel + ".png"), png);
    }
}
