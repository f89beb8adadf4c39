//! A minimal W3C WebDriver client over HTTP (ureq) for the browser tests: Debian's
//! `chromedriver` on a free loopback port, driving a headless Chromium with the flags a
//! closed network needs. A session is deleted and its chromedriver killed when dropped;
//! every WebDriver error panics with the error JSON the driver sent.
#![allow(dead_code)]

use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The W3C element identifier key.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Whether Chromium and ChromeDriver are installed. Without them a browser test says so and
/// returns, except under CI (`CI` set), where it fails: `.ci/run` installs them.
pub fn browser_available() -> bool {
    let runs = |p: &str| {
        Command::new(p)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if runs(CHROMIUM) && runs(CHROMEDRIVER) {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!("chromium and chromedriver are not installed (Debian's chromium, chromium-driver; .ci/run installs them)");
    }
    eprintln!("notice: chromium or chromedriver is not installed (Debian's chromium, chromium-driver); the browser test is skipped");
    false
}

/// How a session's browser starts.
#[derive(Clone, Debug, Default)]
pub struct Launch {
    /// Window width and height in CSS pixels.
    pub window: Option<(u32, u32)>,
    /// Scripts off (the pages must work without them).
    pub no_scripts: bool,
}

/// A chromedriver process and one browser session on it.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    profile: PathBuf,
}

/// An element of the page, by its WebDriver id.
#[derive(Clone, Debug)]
pub struct Element {
    pub id: String,
}

impl Browser {
    pub fn start(launch: &Launch) -> Browser {
        let port = free_port();
        let log = std::env::temp_dir().join(format!("zan-chromedriver-{port}.log"));
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .arg(format!("--log-path={}", log.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let base = format!("http://127.0.0.1:{port}");
        wait_until_ready(&base);
        let profile = std::env::temp_dir().join(format!(
            "zan-chromium-profile-{}-{port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let (w, h) = launch.window.unwrap_or((1280, 900));
        let mut args = vec![
            "--headless".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--disable-dev-shm-usage".into(),
            "--hide-scrollbars".into(),
            format!("--window-size={w},{h}"),
            format!("--user-data-dir={}", profile.display()),
        ];
        if launch.no_scripts {
            args.push("--blink-settings=scriptEnabled=false".into());
        }
        let mut options = json!({ "binary": CHROMIUM, "args": args });
        if launch.no_scripts {
            options["prefs"] = json!({ "profile.managed_default_content_settings.javascript": 2 });
        }
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": options,
                "timeouts": { "implicit": 0, "pageLoad": 60000, "script": 30000 },
            } }
        });
        let answer = call(&base, "POST", "/session", Some(&capabilities));
        let session = answer["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session id in {answer}"))
            .to_string();
        let mut browser = Browser {
            driver,
            base,
            session,
            profile,
        };
        if launch.window.is_some() {
            browser.set_window(w, h);
        }
        browser
    }

    fn command(&self, method: &str, path: &str, body: Option<&Json>) -> Json {
        let url = format!("/session/{}{path}", self.session);
        call(&self.base, method, &url, body)
    }

    /// Resize the window so that the viewport is `w` by `h` CSS pixels (the outer window is
    /// larger by its frame, which headless Chromium does not have).
    pub fn set_window(&mut self, w: u32, h: u32) {
        self.command(
            "POST",
            "/window/rect",
            Some(&json!({ "width": w, "height": h })),
        );
    }

    pub fn goto(&self, url: &str) {
        self.command("POST", "/url", Some(&json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.command("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn title(&self) -> String {
        self.command("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn back(&self) {
        self.command("POST", "/back", Some(&json!({})));
    }

    /// The first element matching the CSS selector; panics, naming it, when there is none.
    pub fn find(&self, css: &str) -> Element {
        self.try_find(css)
            .unwrap_or_else(|| panic!("no element matches `{css}` on {}", self.url()))
    }

    pub fn try_find(&self, css: &str) -> Option<Element> {
        self.find_all(css).into_iter().next()
    }

    pub fn find_all(&self, css: &str) -> Vec<Element> {
        let found = self.command(
            "POST",
            "/elements",
            Some(&json!({ "using": "css selector", "value": css })),
        );
        found
            .as_array()
            .map(|xs| xs.iter().filter_map(element_id).collect())
            .unwrap_or_default()
    }

    /// Wait (up to 20 s) for an element matching `css`.
    pub fn wait_for(&self, css: &str) -> Element {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(e) = self.try_find(css) {
                return e;
            }
            if Instant::now() > deadline {
                panic!("no element matches `{css}` on {} within 20 s", self.url());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn click(&self, e: &Element) {
        self.command(
            "POST",
            &format!("/element/{}/click", e.id),
            Some(&json!({})),
        );
    }

    pub fn clear(&self, e: &Element) {
        self.command(
            "POST",
            &format!("/element/{}/clear", e.id),
            Some(&json!({})),
        );
    }

    /// Type `text` into the element (WebDriver key codes such as `\u{E004}` for Tab work).
    pub fn send_keys(&self, e: &Element, text: &str) {
        self.command(
            "POST",
            &format!("/element/{}/value", e.id),
            Some(&json!({ "text": text })),
        );
    }

    /// Press keys on whatever has the focus.
    pub fn press(&self, keys: &str) {
        let mut actions = Vec::new();
        for c in keys.chars() {
            actions.push(json!({ "type": "keyDown", "value": c.to_string() }));
            actions.push(json!({ "type": "keyUp", "value": c.to_string() }));
        }
        self.command(
            "POST",
            "/actions",
            Some(&json!({ "actions": [{ "type": "key", "id": "keyboard", "actions": actions }] })),
        );
        self.command("DELETE", "/actions", None);
    }

    /// Choose the option of a `<select>` whose value is `value`.
    pub fn select(&self, select: &Element, value: &str) {
        let css = format!("option[value=\"{}\"]", value.replace('"', "\\\""));
        let found = self.command(
            "POST",
            &format!("/element/{}/elements", select.id),
            Some(&json!({ "using": "css selector", "value": css })),
        );
        let option = found
            .as_array()
            .and_then(|xs| xs.iter().find_map(element_id))
            .unwrap_or_else(|| panic!("the select has no option `{value}`"));
        self.click(&option);
    }

    pub fn text(&self, e: &Element) -> String {
        self.command("GET", &format!("/element/{}/text", e.id), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn attribute(&self, e: &Element, name: &str) -> Option<String> {
        self.command("GET", &format!("/element/{}/attribute/{name}", e.id), None)
            .as_str()
            .map(str::to_string)
    }

    /// The element's DOM property (`value` of an input as typed, `checked`…).
    pub fn property(&self, e: &Element, name: &str) -> Json {
        self.command("GET", &format!("/element/{}/property/{name}", e.id), None)
    }

    /// Run a script in the page (`return …;` gives the value); `args` are its `arguments`.
    pub fn execute(&self, script: &str, args: &[Json]) -> Json {
        self.command(
            "POST",
            "/execute/sync",
            Some(&json!({ "script": script, "args": args })),
        )
    }

    /// An element as a script argument.
    pub fn arg(e: &Element) -> Json {
        json!({ ELEMENT: e.id })
    }

    /// The property, or `None` when the element went away (the page changed under it).
    pub fn try_property(&self, e: &Element, name: &str) -> Option<String> {
        let url = format!(
            "{}/session/{}/element/{}/property/{name}",
            self.base, self.session, e.id
        );
        let answer: Json = ureq::get(&url)
            .timeout(Duration::from_secs(30))
            .call()
            .ok()?
            .into_json()
            .ok()?;
        answer["value"].as_str().map(str::to_string)
    }

    /// The element that has the focus.
    pub fn active(&self) -> Element {
        let e = self.command("GET", "/element/active", None);
        element_id(&e).unwrap_or_else(|| panic!("no active element: {e}"))
    }

    /// A screenshot of the viewport, written as a PNG to `path` (its folder created).
    pub fn screenshot(&self, path: &Path) {
        let data = self.command("GET", "/screenshot", None);
        let png = base64_decode(data.as_str().unwrap_or_default());
        assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = ureq::delete(&url).timeout(Duration::from_secs(10)).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn element_id(v: &Json) -> Option<Element> {
    v.get(ELEMENT)
        .and_then(Json::as_str)
        .map(|id| Element { id: id.to_string() })
}

/// One WebDriver command: its `value`, or a panic with the driver's error JSON.
fn call(base: &str, method: &str, path: &str, body: Option<&Json>) -> Json {
    let request = ureq::request(method, &format!("{base}{path}")).timeout(Duration::from_secs(90));
    let result = match body {
        Some(b) => request.send_json(b.clone()),
        None => request.call(),
    };
    match result {
        Ok(r) => {
            let answer: Json = r.into_json().unwrap_or(Json::Null);
            answer.get("value").cloned().unwrap_or(answer)
        }
        Err(ureq::Error::Status(code, r)) => {
            let text = r.into_string().unwrap_or_default();
            panic!("WebDriver {method} {path} answered {code}: {text}")
        }
        Err(e) => panic!("WebDriver {method} {path}: {e}"),
    }
}

fn wait_until_ready(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = ureq::get(&format!("{base}/status"))
            .timeout(Duration::from_secs(2))
            .call()
        {
            let status: Json = r.into_json().unwrap_or(Json::Null);
            if status["value"]["ready"] == true {
                return;
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not become ready within 30 s at {base}");
}

/// A loopback port nobody listens on now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Standard base64 (with padding) to bytes: the screenshot's encoding.
fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("the screenshot is not base64: {:?}", c as char),
        }
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len() - 1]);
    }
    out
}
