//! A real browser for tests: Debian's headless Chromium (`chromium`, `chromium-driver`) driven
//! over WebDriver with fantoccini, one chromedriver per `Browser`, screenshots under `<target>/screenshots/`.

use base64::Engine as _;
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Debian's paths; the tests use these and never a downloaded browser.
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// With this set to `1` (CI sets it) a missing browser fails the test instead of skipping it.
pub const REQUIRE_BROWSER_VAR: &str = "LINGUAPOOL_REQUIRE_BROWSER";

/// How long a find, a wait for text or a page load may take before the test fails.
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(50);

/// The page area the browser emulates, in CSS pixels. `mobile` turns on Chrome's mobile
/// emulation: the page's `<meta name="viewport">` then decides the layout width, as on a phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    pub mobile: bool,
}

impl Viewport {
    /// A current mid-size phone (iPhone 12 to 15 in CSS pixels).
    pub const PHONE: Self = Self {
        width: 390,
        height: 844,
        mobile: true,
    };
    pub const DESKTOP: Self = Self {
        width: 1280,
        height: 900,
        mobile: false,
    };
    /// WCAG 1.4.10's reflow width: 320 CSS pixels, what a 1280 px window shows at 400 % zoom.
    pub const REFLOW: Self = Self {
        width: 320,
        height: 640,
        mobile: false,
    };
}

/// axe-core, installed by `npm ci --prefix tests/browser` (pinned in its package-lock.json).
pub const AXE_JS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/browser/node_modules/axe-core/axe.min.js"
);

/// The axe rules the accessibility check runs: WCAG 2.0 and 2.1, levels A and AA (BITV 2.0).
const AXE_TAGS: [&str; 4] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// axe.min.js, read once; `None` (with a "skipped" line) when it is not installed, unless
/// `LINGUAPOOL_REQUIRE_BROWSER=1` makes that a failure.
fn axe_source() -> Option<&'static str> {
    static SOURCE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    SOURCE
        .get_or_init(|| match std::fs::read_to_string(AXE_JS) {
            Ok(source) => Some(source),
            Err(err) => {
                let required = std::env::var(REQUIRE_BROWSER_VAR).is_ok_and(|v| v == "1");
                assert!(
                    !required,
                    "{REQUIRE_BROWSER_VAR}=1 but axe-core is missing ({AXE_JS}: {err}): npm ci --prefix tests/browser"
                );
                let _ = writeln!(
                    std::io::stderr(),
                    "accessibility check skipped: {AXE_JS}: {err}; run npm ci --prefix tests/browser \
                     (set {REQUIRE_BROWSER_VAR}=1 to make this a failure)"
                );
                None
            }
        })
        .as_deref()
}

/// One headless Chromium window with its own chromedriver; both end when this is dropped.
pub struct Browser {
    client: Client,
    viewport: Viewport,
    driver: Option<Child>,
    /// Chromium's profile, ours to remove: chromedriver's own is left behind when it is killed.
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless Chromium showing `viewport`. When Chromium or
    /// chromedriver is not installed this prints a "skipped" line and returns `None`, unless
    /// `LINGUAPOOL_REQUIRE_BROWSER=1`, which makes it panic: CI must not skip silently.
    pub async fn start(viewport: Viewport) -> Option<Self> {
        if let Some(missing) = [CHROMIUM, CHROMEDRIVER].into_iter().find(|p| !Path::new(p).exists()) {
            let required = std::env::var(REQUIRE_BROWSER_VAR).is_ok_and(|v| v == "1");
            assert!(
                !required,
                "{REQUIRE_BROWSER_VAR}=1 but {missing} is missing: apt-get install chromium chromium-driver"
            );
            // Straight to stderr: libtest captures print! and eprint!, and this line is meant
            // to be seen in a passing run.
            let _ = writeln!(
                std::io::stderr(),
                "browser test skipped: {missing} is missing; install chromium chromium-driver \
                 (set {REQUIRE_BROWSER_VAR}=1 to make this a failure)"
            );
            return None;
        }
        let (driver, port) = tokio::task::spawn_blocking(start_driver)
            .await
            .expect("the chromedriver start does not panic");
        let mut browser = ClientBuilder::new(HttpConnector::new());
        let profile = new_profile_dir();
        browser.capabilities(capabilities(viewport, &profile));
        let client = match browser.connect(&format!("http://127.0.0.1:{port}")).await {
            Ok(client) => client,
            Err(err) => {
                kill_group(driver);
                let _ = std::fs::remove_dir_all(&profile);
                panic!("chromedriver could not start {CHROMIUM}: {err}");
            }
        };
        Some(Self {
            client,
            viewport,
            driver: Some(driver),
            profile,
        })
    }

    /// The fantoccini client, for anything the helpers below do not cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn viewport(&self) -> Viewport {
        self.viewport
    }

    /// Opens `url` and waits until the page has loaded.
    pub async fn goto(&self, url: &str) {
        self.client
            .goto(url)
            .await
            .unwrap_or_else(|err| panic!("opening {url}: {err}"));
    }

    pub async fn url(&self) -> String {
        self.client
            .current_url()
            .await
            .map(|u| u.to_string())
            .unwrap_or_default()
    }

    /// The first element matching the CSS selector, waiting up to 15 s for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(err) => panic!(
                "no element {css:?} on {} after {WAIT:?}: {err}\npage text:\n{}",
                self.url().await,
                self.body_text().await
            ),
        }
    }

    /// Every element matching the CSS selector now (no waiting).
    pub async fn find_all(&self, css: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(css))
            .await
            .unwrap_or_else(|err| panic!("finding {css:?}: {err}"))
    }

    /// Clicks the element; a click that submits a form returns once the next page has loaded.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        element
            .click()
            .await
            .unwrap_or_else(|err| panic!("clicking {css:?}: {err}"));
    }

    /// Replaces the value of an input or textarea.
    pub async fn fill(&self, css: &str, value: &str) {
        let element = self.find(css).await;
        element
            .clear()
            .await
            .unwrap_or_else(|err| panic!("clearing {css:?}: {err}"));
        element
            .send_keys(value)
            .await
            .unwrap_or_else(|err| panic!("typing into {css:?}: {err}"));
    }

    /// The rendered text of the first element matching the CSS selector.
    pub async fn text(&self, css: &str) -> String {
        let element = self.find(css).await;
        element
            .text()
            .await
            .unwrap_or_else(|err| panic!("reading {css:?}: {err}"))
    }

    /// The page's visible text (`document.body.innerText`).
    pub async fn body_text(&self) -> String {
        match self
            .client
            .execute("return document.body ? document.body.innerText : ''", vec![])
            .await
        {
            Ok(Value::String(text)) => text,
            Ok(other) => other.to_string(),
            Err(err) => format!("<page text unavailable: {err}>"),
        }
    }

    /// Waits up to 15 s until the page's visible text contains `needle`, and returns that text.
    pub async fn wait_for_text(&self, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let text = self.body_text().await;
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{needle:?} did not appear on {} within {WAIT:?}; page text:\n{text}",
                self.url().await
            );
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs JavaScript in the page (`return ...;` gives the value back).
    pub async fn eval(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .unwrap_or_else(|err| panic!("running {script:?}: {err}"))
    }

    /// Layout checks a phone user would notice: the page is laid out for the device width
    /// (it has a working `<meta name="viewport">`), and nothing scrolls sideways.
    pub async fn assert_fits_viewport(&self) {
        let sizes = self
            .eval("return [window.innerWidth, document.documentElement.scrollWidth];")
            .await;
        let inner = sizes[0].as_u64().expect("innerWidth");
        let scroll = sizes[1].as_u64().expect("scrollWidth");
        assert_eq!(
            inner,
            u64::from(self.viewport.width),
            "the page is laid out {inner} px wide on a {} px screen (a missing viewport meta tag?): {}",
            self.viewport.width,
            self.url().await
        );
        assert!(
            scroll <= inner,
            "the page scrolls sideways: {scroll} px of content in {inner} px: {}",
            self.url().await
        );
    }

    /// Nothing on the page scrolls sideways (WCAG 1.4.10 at [`Viewport::REFLOW`]): the
    /// document is no wider than the window. A failure names the elements that stick out.
    pub async fn assert_no_sideways_scroll(&self, label: &str) {
        let sizes = self
            .eval("return [window.innerWidth, document.documentElement.scrollWidth];")
            .await;
        let inner = sizes[0].as_u64().expect("innerWidth");
        let scroll = sizes[1].as_u64().expect("scrollWidth");
        if scroll <= inner {
            return;
        }
        let wide = self
            .eval(
                "const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement) \
                   if (getComputedStyle(a).overflowX !== 'visible') return true; return false; }; \
                 const out = []; for (const e of document.body.querySelectorAll('*')) { \
                   const r = e.getBoundingClientRect(); \
                   if (r.right > window.innerWidth + 1 && out.length < 8 && !clipped(e)) \
                     out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + \
                       (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + \
                       ' (right edge ' + Math.round(r.right) + ' px)'); } return out;",
            )
            .await;
        panic!(
            "{label}: the page scrolls sideways, {scroll} px of content in a {inner} px window ({}); \
             sticking out: {wide}",
            self.url().await
        );
    }

    /// Runs axe-core on the current page with the WCAG 2.0/2.1 A and AA rules and fails, naming
    /// `label`, with each violation's rule, impact and the offending elements. Without axe-core
    /// installed this prints a "skipped" line and checks nothing, unless
    /// `LINGUAPOOL_REQUIRE_BROWSER=1` makes that a failure.
    pub async fn assert_accessible(&self, label: &str) {
        let Some(source) = axe_source() else { return };
        // WebDriver scripts run outside the page's Content-Security-Policy.
        let loaded = self
            .client
            .execute(
                &format!("if (!window.axe) {{ {source}\n }} return typeof window.axe;"),
                vec![],
            )
            .await
            .unwrap_or_else(|err| panic!("{label}: injecting axe-core: {err}"));
        assert_eq!(loaded, json!("object"), "{label}: axe-core did not load");
        let script = "const done = arguments[arguments.length - 1]; \
            axe.run(document, { runOnly: { type: 'tag', values: arguments[0] }, resultTypes: ['violations'] }) \
              .then(r => done({ violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, \
                  nodes: v.nodes.map(n => ({ target: n.target, summary: n.failureSummary })) })) })) \
              .catch(e => done({ error: String(e) }));";
        let result = self
            .client
            .execute_async(script, vec![json!(AXE_TAGS)])
            .await
            .unwrap_or_else(|err| panic!("{label}: running axe-core: {err}"));
        if let Some(error) = result.get("error") {
            panic!("{label}: axe-core failed: {error}");
        }
        let violations = result["violations"].as_array().cloned().unwrap_or_default();
        if violations.is_empty() {
            return;
        }
        let mut report = String::new();
        for violation in &violations {
            report.push_str(&format!(
                "\n- {} ({}): {}",
                violation["id"].as_str().unwrap_or("?"),
                violation["impact"].as_str().unwrap_or("?"),
                violation["help"].as_str().unwrap_or_default()
            ));
            for node in violation["nodes"].as_array().into_iter().flatten() {
                report.push_str(&format!(
                    "\n    {}: {}",
                    node["target"],
                    node["summary"].as_str().unwrap_or_default().replace('\n', " ")
                ));
            }
        }
        panic!(
            "{label}: axe-core found {} WCAG 2.1 A/AA violation(s) on {}:{report}",
            violations.len(),
            self.url().await
        );
    }

    /// The element's position and size in CSS pixels: (x, y, width, height).
    pub async fn rect(&self, css: &str) -> (f64, f64, f64, f64) {
        self.find(css)
            .await
            .rectangle()
            .await
            .unwrap_or_else(|err| panic!("measuring {css:?}: {err}"))
    }

    /// Saves a PNG of the whole page (not only the viewport, so a reviewer sees everything a
    /// user could scroll to) as `<target>/screenshots/<name>.png` and returns its path.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let size = self
            .eval("return [document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
            .await;
        let clip = json!({
            "x": 0, "y": 0, "scale": 1,
            "width": size[0].as_u64().unwrap_or(u64::from(self.viewport.width)),
            "height": size[1].as_u64().unwrap_or(u64::from(self.viewport.height)),
        });
        let shot = self
            .cdp(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true, "clip": clip }),
            )
            .await;
        let png = shot["data"]
            .as_str()
            .and_then(|data| base64::engine::general_purpose::STANDARD.decode(data).ok())
            .unwrap_or_else(|| panic!("screenshot {name}: no PNG in {shot}"));
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("creating {}: {err}", dir.display()));
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap_or_else(|err| panic!("writing {}: {err}", path.display()));
        path
    }

    /// Sends a Chrome DevTools Protocol command through chromedriver's `goog/cdp/execute`,
    /// for what WebDriver cannot do (a full-page screenshot, network or device emulation).
    pub async fn cdp(&self, command: &'static str, params: Value) -> Value {
        self.client
            .issue_cmd(Cdp { command, params })
            .await
            .unwrap_or_else(|err| panic!("CDP {command}: {err}"))
    }

    /// Ends the WebDriver session, so Chromium shuts down cleanly; then, as on any drop,
    /// chromedriver ends and the profile is removed. A drop without it (a failed test) kills
    /// Chromium instead.
    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(driver) = self.driver.take() {
            kill_group(driver);
        }
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

#[derive(Debug)]
struct Cdp {
    command: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.command, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// Where screenshots go: `<target>/screenshots/`, where `<target>` is the directory cargo
/// built this test binary in (so `CARGO_TARGET_DIR` is honoured, relative or not).
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("screenshots")
}

fn target_dir() -> PathBuf {
    // The binary sits in <target>/[<triple>/]<profile>/deps/; cargo marks <target> with
    // CACHEDIR.TAG.
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.ancestors().skip(1).find(|d| d.join("CACHEDIR.TAG").is_file())
    {
        return dir.to_path_buf();
    }
    match std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
    }
}

/// A fresh, empty directory for one Chromium profile.
fn new_profile_dir() -> PathBuf {
    static COUNT: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "linguapool-chromium-{}-{}",
        std::process::id(),
        COUNT.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|err| panic!("creating {}: {err}", dir.display()));
    dir
}

fn capabilities(viewport: Viewport, profile: &Path) -> serde_json::Map<String, Value> {
    let args = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--lang=de-DE",
        &format!("--window-size={},{}", viewport.width, viewport.height),
        &format!("--user-data-dir={}", profile.display()),
    ];
    // Device metrics make the page area exactly the viewport (a headless window loses some
    // height to invisible browser UI) and, for phones, turn on mobile layout rules.
    let metrics = json!({
        "width": viewport.width,
        "height": viewport.height,
        "pixelRatio": if viewport.mobile { 2 } else { 1 },
        "mobile": viewport.mobile,
        "touch": viewport.mobile,
    });
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": args,
            "mobileEmulation": { "deviceMetrics": metrics },
        },
    });
    match caps {
        Value::Object(map) => map,
        _ => unreachable!("a JSON object"),
    }
}

/// Starts chromedriver on a port it picks itself, in a process group of its own so that
/// Chromium and its helpers can be ended with it; returns the child and the port.
/// chromedriver sometimes finds the port it picked taken by the time it binds ("IPv4 port not
/// available", seen once while many tests ran): it is asked again, a few times.
fn start_driver() -> (Child, u16) {
    const ATTEMPTS: usize = 3;
    let mut said = String::new();
    for _ in 0..ATTEMPTS {
        match try_start_driver() {
            Ok(started) => return started,
            Err(output) => said = output,
        }
    }
    panic!("{CHROMEDRIVER} exited before it was ready, {ATTEMPTS} times; it said:\n{said}");
}

fn try_start_driver() -> Result<(Child, u16), String> {
    let mut driver = Command::new(CHROMEDRIVER)
        .args(["--port=0", "--log-level=SEVERE"])
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|err| panic!("starting {CHROMEDRIVER}: {err}"));
    let stdout = driver.stdout.take().expect("piped stdout");
    let mut lines = BufReader::new(stdout).lines();
    let mut seen = Vec::new();
    let port = loop {
        let Some(Ok(line)) = lines.next() else {
            kill_group(driver);
            return Err(seen.join("\n"));
        };
        // "ChromeDriver was started successfully on port 41023."
        if let Some(rest) = line.split(" on port ").nth(1)
            && line.contains("started successfully")
        {
            break rest.trim_end_matches('.').trim().parse::<u16>().expect("a port number");
        }
        seen.push(line);
    };
    // Keep draining stdout so chromedriver never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Ok((driver, port))
}

fn kill_group(mut driver: Child) {
    // The group id is chromedriver's pid (process_group(0)); Chromium's processes inherit it.
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{}", driver.id())])
        .stderr(Stdio::null())
        .status();
    let _ = driver.kill();
    let _ = driver.wait();
}
