//! A loopback stand-in for the GitHub REST endpoints gomend uses.
//!
//! It listens on 127.0.0.1 only, answers one request per connection, handles
//! at most `MAX_CONNECTIONS` connections and stops after `MAX_LIFETIME` or when
//! dropped, whichever comes first.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const MAX_CONNECTIONS: usize = 200;
const MAX_LIFETIME: Duration = Duration::from_secs(60);

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

impl Recorded {
    /// `METHOD /path?query`.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// A pull request held by the server.
#[derive(Clone, Debug)]
pub struct Pull {
    pub number: u64,
    pub state: String,
    pub title: String,
    pub body: String,
    pub head: String,
    pub base: String,
    pub draft: bool,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub teams: Vec<String>,
}

/// A response to send instead of the normal one.
#[derive(Clone, Debug)]
pub struct Canned {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

#[derive(Default)]
pub struct State {
    pub token: String,
    pub owner: String,
    pub pulls: Vec<Pull>,
    pub requests: Vec<Recorded>,
    pub canned: VecDeque<Canned>,
    /// When set, every answer carries `X-RateLimit-Remaining` with this value.
    pub remaining: Option<u64>,
    pub reset: u64,
}

pub struct Server {
    pub url: String,
    pub state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts a server for repository `owner/*` accepting `token`.
    pub fn start(owner: &str, token: &str) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            token: token.to_string(),
            owner: owner.to_string(),
            reset: 1_900_000_000,
            ..State::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let handle = {
            let state = Arc::clone(&state);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || serve(listener, state, stop))
        };
        Server {
            url,
            state,
            stop,
            handle: Some(handle),
        }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn lines(&self) -> Vec<String> {
        self.requests().iter().map(Recorded::line).collect()
    }

    pub fn clear_requests(&self) {
        self.state.lock().unwrap().requests.clear();
    }

    pub fn pulls(&self) -> Vec<Pull> {
        self.state.lock().unwrap().pulls.clone()
    }

    pub fn add_pull(&self, head: &str, state: &str, body: &str) -> u64 {
        let mut s = self.state.lock().unwrap();
        let number = s.pulls.len() as u64 + 1;
        s.pulls.push(Pull {
            number,
            state: state.to_string(),
            title: "old title".to_string(),
            body: body.to_string(),
            head: head.to_string(),
            base: "main".to_string(),
            draft: false,
            labels: Vec::new(),
            reviewers: Vec::new(),
            teams: Vec::new(),
        });
        number
    }

    pub fn can(&self, status: u16, headers: &[(&str, &str)], body: &str) {
        self.state.lock().unwrap().canned.push_back(Canned {
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            body: body.to_string(),
        });
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

fn serve(listener: TcpListener, state: Arc<Mutex<State>>, stop: Arc<AtomicBool>) {
    let started = Instant::now();
    let mut served = 0;
    while !stop.load(Ordering::SeqCst)
        && served < MAX_CONNECTIONS
        && started.elapsed() < MAX_LIFETIME
    {
        match listener.accept() {
            Ok((stream, _)) => {
                served += 1;
                let _ = handle(stream, &state);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(2));
            }
            Err(_) => break,
        }
    }
}

fn handle(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let path = parts.next().unwrap_or("").to_string();
    let mut length = 0;
    let mut authorization = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
            if k == "content-length" {
                length = v.parse().unwrap_or(0);
            } else if k == "authorization" {
                authorization = Some(v);
            }
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let recorded = Recorded {
        method,
        path,
        authorization,
        body,
    };
    let (status, headers, text) = respond(state, recorded);
    let reason = match status {
        200 => "OK",
        201 => "Created",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        _ => "Status",
    };
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
        text.len()
    );
    for (k, v) in headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("\r\n");
    out.push_str(&text);
    let mut stream = stream;
    stream.write_all(out.as_bytes())?;
    stream.flush()
}

fn pull_json(p: &Pull, owner: &str) -> Value {
    json!({
        "number": p.number,
        "state": p.state,
        "title": p.title,
        "body": p.body,
        "draft": p.draft,
        "html_url": format!("https://github.example/{owner}/widgets/pull/{}", p.number),
        "head": { "ref": p.head, "label": format!("{owner}:{}", p.head) },
        "base": { "ref": p.base },
        "labels": p.labels.iter().map(|l| json!({ "name": l })).collect::<Vec<_>>(),
        "merged_at": null,
    })
}

fn respond(state: &Mutex<State>, req: Recorded) -> (u16, Vec<(String, String)>, String) {
    let mut s = state.lock().unwrap();
    s.requests.push(req.clone());
    let headers = vec![
        ("X-RateLimit-Limit".to_string(), "5000".to_string()),
        (
            "X-RateLimit-Remaining".to_string(),
            s.remaining.unwrap_or(4999).to_string(),
        ),
        ("X-RateLimit-Reset".to_string(), s.reset.to_string()),
    ];
    if let Some(canned) = s.canned.pop_front() {
        let mut h = canned.headers.clone();
        if !h
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("x-ratelimit-remaining"))
        {
            h.extend(headers);
        }
        return (canned.status, h, canned.body);
    }
    if req.authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
        let message = format!(
            "Bad credentials: {}",
            req.authorization.clone().unwrap_or_default()
        );
        return (401, headers, json!({ "message": message }).to_string());
    }
    let owner = s.owner.clone();
    let prefix = format!("/repos/{owner}/widgets");
    let Some(rest) = req.path.strip_prefix(&prefix) else {
        return (404, headers, json!({ "message": "Not Found" }).to_string());
    };
    let (route, query) = rest.split_once('?').unwrap_or((rest, ""));
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["pulls"]) => {
            let params: Vec<(&str, &str)> = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .collect();
            let get = |k: &str| params.iter().find(|(key, _)| *key == k).map(|(_, v)| *v);
            let state_filter = get("state").unwrap_or("open").to_string();
            let head = get("head").map(|h| h.replace("%3A", ":").replace("%2F", "/"));
            let list: Vec<Value> = s
                .pulls
                .iter()
                .filter(|p| state_filter == "all" || p.state == state_filter)
                .filter(|p| match &head {
                    Some(h) => *h == format!("{owner}:{}", p.head),
                    None => true,
                })
                .map(|p| pull_json(p, &owner))
                .collect();
            (200, headers, Value::Array(list).to_string())
        }
        ("POST", ["pulls"]) => {
            let head = req.body["head"].as_str().unwrap_or("").to_string();
            if s.pulls.iter().any(|p| p.head == head && p.state == "open") {
                let message = format!("A pull request already exists for {owner}:{head}.");
                return (
                    422,
                    headers,
                    json!({ "message": "Validation Failed", "errors": [{ "message": message }] })
                        .to_string(),
                );
            }
            let number = s.pulls.len() as u64 + 1;
            let pull = Pull {
                number,
                state: "open".to_string(),
                title: req.body["title"].as_str().unwrap_or("").to_string(),
                body: req.body["body"].as_str().unwrap_or("").to_string(),
                head,
                base: req.body["base"].as_str().unwrap_or("").to_string(),
                draft: req.body["draft"].as_bool().unwrap_or(false),
                labels: Vec::new(),
                reviewers: Vec::new(),
                teams: Vec::new(),
            };
            let out = pull_json(&pull, &owner);
            s.pulls.push(pull);
            (201, headers, out.to_string())
        }
        ("PATCH", ["pulls", n]) => {
            let n: u64 = n.parse().unwrap_or(0);
            let Some(pull) = s.pulls.iter_mut().find(|p| p.number == n) else {
                return (404, headers, json!({ "message": "Not Found" }).to_string());
            };
            if let Some(t) = req.body["title"].as_str() {
                pull.title = t.to_string();
            }
            if let Some(b) = req.body["body"].as_str() {
                pull.body = b.to_string();
            }
            if let Some(st) = req.body["state"].as_str() {
                pull.state = st.to_string();
            }
            let out = pull_json(pull, &owner);
            (200, headers, out.to_string())
        }
        ("POST", ["issues", n, "labels"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            let Some(pull) = s.pulls.iter_mut().find(|p| p.number == n) else {
                return (404, headers, json!({ "message": "Not Found" }).to_string());
            };
            for l in req.body["labels"].as_array().into_iter().flatten() {
                let l = l.as_str().unwrap_or("").to_string();
                if !pull.labels.contains(&l) {
                    pull.labels.push(l);
                }
            }
            let out: Vec<Value> = pull.labels.iter().map(|l| json!({ "name": l })).collect();
            (200, headers, Value::Array(out).to_string())
        }
        ("POST", ["pulls", n, "requested_reviewers"]) => {
            let n: u64 = n.parse().unwrap_or(0);
            if req.body["reviewers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|r| r == "gomend-bot")
            {
                let message = "Review cannot be requested from pull request author.";
                return (422, headers, json!({ "message": message }).to_string());
            }
            let Some(pull) = s.pulls.iter_mut().find(|p| p.number == n) else {
                return (404, headers, json!({ "message": "Not Found" }).to_string());
            };
            for r in req.body["reviewers"].as_array().into_iter().flatten() {
                pull.reviewers.push(r.as_str().unwrap_or("").to_string());
            }
            for t in req.body["team_reviewers"].as_array().into_iter().flatten() {
                pull.teams.push(t.as_str().unwrap_or("").to_string());
            }
            let out = pull_json(pull, &owner);
            (201, headers, out.to_string())
        }
        _ => (404, headers, json!({ "message": "Not Found" }).to_string()),
    }
}
