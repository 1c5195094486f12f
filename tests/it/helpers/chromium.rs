//! Headless Chromium for the tests, driven over the DevTools protocol: a
//! page is loaded from a file, every console error, uncaught exception and
//! browser log error (a blocked or failed load) is collected, a script
//! measures the page, and a full-page screenshot is taken. One browser per
//! page, with its own empty profile, started with the flags that keep it off
//! the network; stopped (and its profile removed) when dropped.

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{Value, json};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// The browser binary: `PRAKERJA_TEST_CHROMIUM`, else the first of
/// chromium, chromium-browser, google-chrome on the PATH.
pub fn find() -> Option<PathBuf> {
    if let Ok(path) = std::env::var("PRAKERJA_TEST_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// What a page did while it loaded.
#[derive(Debug)]
pub struct Loaded {
    /// Console errors, exceptions and log errors, as text.
    pub errors: Vec<String>,
    /// The value the measuring expression returned.
    pub measured: Value,
    /// The full page as PNG.
    pub screenshot: Vec<u8>,
}

struct Browser {
    child: Child,
    profile: PathBuf,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Loads `page` in headless Chromium, evaluates `measure` (a JavaScript
/// expression) once it has loaded, and takes a screenshot. Blocking.
pub fn load(
    chromium: &Path,
    page: &Path,
    measure: &str,
    timeout: Duration,
) -> anyhow::Result<Loaded> {
    let deadline = Instant::now() + timeout;
    let profile = std::env::temp_dir().join(format!(
        "prakerja-chromium-{}",
        uuid::Uuid::new_v4().simple()
    ));
    std::fs::create_dir_all(&profile)?;
    let mut child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--remote-debugging-port=0",
            "--window-size=1280,900",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let stderr = child.stderr.take().expect("piped");
    let _browser = Browser { child, profile };
    // Chromium names its DevTools endpoint on stderr.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.split("DevTools listening on ").nth(1) {
                let _ = tx.send(url.trim().to_owned());
            }
        }
    });
    let url = rx
        .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        .map_err(|_| anyhow::anyhow!("Chromium named no DevTools endpoint in {timeout:?}"))?;
    let (socket, _) = tungstenite::connect(url.as_str())?;
    let mut cdp = Cdp {
        socket,
        next: 0,
        events: Vec::new(),
        deadline,
    };
    cdp.socket_timeout()?;
    let target = cdp.call(None, "Target.createTarget", json!({"url": "about:blank"}))?;
    let session = cdp.call(
        None,
        "Target.attachToTarget",
        json!({"targetId": target["targetId"], "flatten": true}),
    )?["sessionId"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no session"))?
        .to_owned();
    let s = Some(session.as_str());
    for domain in ["Runtime.enable", "Log.enable", "Page.enable"] {
        cdp.call(s, domain, json!({}))?;
    }
    let file = format!("file://{}", std::fs::canonicalize(page)?.display());
    cdp.call(s, "Page.navigate", json!({"url": file}))?;
    cdp.wait_event("Page.loadEventFired")?;
    let measured = cdp.call(
        s,
        "Runtime.evaluate",
        json!({"expression": measure, "returnByValue": true}),
    )?["result"]["value"]
        .clone();
    let metrics = cdp.call(s, "Page.getLayoutMetrics", json!({}))?;
    let size = &metrics["cssContentSize"];
    let shot = cdp.call(
        s,
        "Page.captureScreenshot",
        json!({"format": "png", "captureBeyondViewport": true,
               "clip": {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}}),
    )?;
    let screenshot = base64::engine::general_purpose::STANDARD
        .decode(shot["data"].as_str().unwrap_or_default())?;
    let errors = cdp.events.iter().filter_map(error_text).collect();
    let _ = cdp.call(None, "Browser.close", json!({}));
    Ok(Loaded {
        errors,
        measured,
        screenshot,
    })
}

/// The text of an event that reports an error, if it is one.
fn error_text(event: &Value) -> Option<String> {
    let params = &event["params"];
    match event["method"].as_str()? {
        "Runtime.consoleAPICalled"
            if matches!(params["type"].as_str(), Some("error" | "assert")) =>
        {
            Some(format!("console.{}: {}", params["type"], params["args"]))
        }
        "Runtime.exceptionThrown" => Some(format!("exception: {}", params["exceptionDetails"])),
        "Log.entryAdded" if params["entry"]["level"] == "error" => Some(format!(
            "log ({}): {} {}",
            params["entry"]["source"], params["entry"]["text"], params["entry"]["url"]
        )),
        _ => None,
    }
}

struct Cdp {
    socket: WebSocket<MaybeTlsStream<TcpStream>>,
    next: u64,
    events: Vec<Value>,
    deadline: Instant,
}

impl Cdp {
    fn socket_timeout(&mut self) -> anyhow::Result<()> {
        if let MaybeTlsStream::Plain(stream) = self.socket.get_mut() {
            stream.set_read_timeout(Some(Duration::from_millis(500)))?;
        }
        Ok(())
    }

    /// The next message, or `None` when none came within the read timeout.
    fn read(&mut self) -> anyhow::Result<Option<Value>> {
        anyhow::ensure!(
            Instant::now() < self.deadline,
            "Chromium did not answer in time"
        );
        match self.socket.read() {
            Ok(Message::Text(text)) => Ok(Some(serde_json::from_str(text.as_str())?)),
            Ok(_) => Ok(None),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Sends a command and returns its result; events that arrive meanwhile are kept.
    fn call(
        &mut self,
        session: Option<&str>,
        method: &str,
        params: Value,
    ) -> anyhow::Result<Value> {
        self.next += 1;
        let id = self.next;
        let mut message = json!({"id": id, "method": method, "params": params});
        if let Some(session) = session {
            message["sessionId"] = json!(session);
        }
        self.socket
            .send(Message::Text(message.to_string().into()))?;
        loop {
            let Some(reply) = self.read()? else { continue };
            if reply["id"] == id {
                if let Some(error) = reply.get("error") {
                    anyhow::bail!("{method}: {error}");
                }
                return Ok(reply["result"].clone());
            }
            if reply.get("method").is_some() {
                self.events.push(reply);
            }
        }
    }

    /// Waits for an event (it may have come already).
    fn wait_event(&mut self, method: &str) -> anyhow::Result<()> {
        if self.events.iter().any(|e| e["method"] == method) {
            return Ok(());
        }
        loop {
            let Some(event) = self.read()? else { continue };
            let found = event["method"] == method;
            if event.get("method").is_some() {
                self.events.push(event);
            }
            if found {
                return Ok(());
            }
        }
    }
}
