//! The one HTTP server of the tests: a blocking HTTP/1.1 server on
//! `std::net`, one thread per connection, `Connection: close` on every
//! response.
//!
//! A [`Handler`] answers each request with an [`HttpReply`]: a response, a
//! connection closed after the request was read without an answer
//! ([`HttpReply::Drop`]), or a reply sent only after a delay
//! ([`HttpReply::Late`]). Before reading anything it may also refuse the
//! connection outright ([`Connect::Reset`]: closed with the request unread,
//! so the kernel answers with a TCP reset). [`HttpServer::start`] takes a
//! closure, [`HttpServer::serve`] any handler.
//!
//! The stand-in platforms ([`crate::standin`]) and the scripted timing feed
//! ([`ScriptedServer`]) are built on it.

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// One parsed request.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    /// Decoded query parameters.
    pub query: HashMap<String, String>,
    /// Header names in lowercase.
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
    /// The request line and headers as they arrived.
    pub head: String,
}

impl HttpRequest {
    /// A header by lowercase name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The body decoded as `application/x-www-form-urlencoded`.
    pub fn form(&self) -> HashMap<String, String> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

/// What a handler answers.
#[derive(Debug, Clone)]
pub enum HttpReply {
    /// A normal response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Close the connection without writing anything (a lost response, as
    /// the client sees it).
    Drop,
    /// Wait, then send the reply (an answer later than a client's timeout).
    Late(Duration, Box<HttpReply>),
}

impl HttpReply {
    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> HttpReply {
        HttpReply::json_text(status, value.to_string())
    }

    /// A response with this JSON text as it is (malformed JSON included).
    pub fn json_text(status: u16, text: impl Into<String>) -> HttpReply {
        HttpReply::Respond {
            status,
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body: text.into().into_bytes(),
        }
    }
}

/// What to do with a connection before its request is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connect {
    /// Read the request and answer it.
    Serve,
    /// Close it with the request unread: the client sees a reset.
    Reset,
}

/// Answers a test server's requests.
pub trait Handler: Send + Sync + 'static {
    /// Called when a connection is accepted, before anything is read.
    fn connect(&self) -> Connect {
        Connect::Serve
    }

    /// The reply to one request.
    fn answer(&self, request: HttpRequest) -> HttpReply;
}

impl<F> Handler for F
where
    F: Fn(HttpRequest) -> HttpReply + Send + Sync + 'static,
{
    fn answer(&self, request: HttpRequest) -> HttpReply {
        self(request)
    }
}

/// A running server; stops when dropped.
pub struct HttpServer {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds `address` (use port 0 for any free port) and answers each
    /// request with `answer` on its own thread.
    pub fn start<F>(address: &str, answer: F) -> std::io::Result<HttpServer>
    where
        F: Fn(HttpRequest) -> HttpReply + Send + Sync + 'static,
    {
        HttpServer::serve(address, answer)
    }

    /// [`HttpServer::start`] with a [`Handler`] that may also reset
    /// connections before reading them.
    pub fn serve<H: Handler>(address: &str, handler: H) -> std::io::Result<HttpServer> {
        let listener = TcpListener::bind(address)?;
        let address = listener.local_addr()?;
        listener.set_nonblocking(true)?;
        let stopping = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let acceptor_stopping = Arc::clone(&stopping);
        let acceptor = std::thread::spawn(move || {
            while !acceptor_stopping.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let handler = Arc::clone(&handler);
                        std::thread::spawn(move || serve_connection(stream, handler.as_ref()));
                    }
                    Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(2));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(10)),
                }
            }
        });
        Ok(HttpServer {
            address,
            stopping,
            acceptor: Some(acceptor),
        })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://<address>`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.stopping.store(true, Ordering::SeqCst);
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn serve_connection(stream: TcpStream, handler: &dyn Handler) {
    let _ = stream.set_nonblocking(false);
    if handler.connect() == Connect::Reset {
        // Wait for the request to arrive unread, then close: a reset.
        std::thread::sleep(Duration::from_millis(20));
        drop(stream);
        return;
    }
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(request) = read_request(&stream) else {
        return;
    };
    write_reply(stream, handler.answer(request));
}

fn write_reply(mut stream: TcpStream, reply: HttpReply) {
    match reply {
        HttpReply::Drop => {
            // Closing with no response: the client sees an empty reply.
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        HttpReply::Late(delay, reply) => {
            std::thread::sleep(delay);
            write_reply(stream, *reply);
        }
        HttpReply::Respond {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            head.push_str(&format!(
                "Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            ));
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
            let _ = stream.flush();
        }
    }
}

fn read_request(stream: &TcpStream) -> std::io::Result<HttpRequest> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut head = line.clone();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_string();
    let target = parts.next().unwrap_or("/").to_string();
    let mut headers = HashMap::new();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            break;
        }
        head.push_str(&header);
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|value| value.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (path, query) = match target.split_once('?') {
        Some((path, query)) => (
            path.to_string(),
            form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
        ),
        None => (target, HashMap::new()),
    };
    Ok(HttpRequest {
        method,
        path,
        query,
        headers,
        body,
        head,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// What the scripted server answers to one request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with this JSON body.
    Json(String),
    /// This status with a short body.
    Status(u16),
    /// Wait, then answer 200 with this body.
    Slow(Duration, String),
    /// Accept the connection and close it without answering.
    Drop,
    /// Close the connection without reading the request: the unread bytes
    /// make the kernel answer with a TCP reset.
    Reset,
    /// This status with a `Retry-After` header (seconds or an HTTP date).
    RetryAfter(u16, String),
}

impl Reply {
    fn into_http(self) -> HttpReply {
        match self {
            Reply::Json(body) => HttpReply::json_text(200, body),
            Reply::Status(code) => HttpReply::json_text(code, format!("status {code}")),
            Reply::RetryAfter(code, value) => HttpReply::Respond {
                status: code,
                headers: vec![
                    ("Content-Type".to_string(), "application/json".to_string()),
                    ("Retry-After".to_string(), value),
                ],
                body: format!("status {code}").into_bytes(),
            },
            Reply::Slow(wait, body) => {
                HttpReply::Late(wait, Box::new(HttpReply::json_text(200, body)))
            }
            Reply::Drop | Reply::Reset => HttpReply::Drop,
        }
    }
}

#[derive(Default)]
struct Script {
    queue: VecDeque<Reply>,
    fallback: Option<Reply>,
    /// The heads of the requests read (`(reset)` for a reset connection).
    requests: Vec<String>,
    /// When each connection arrived, resets included.
    times: Vec<Instant>,
}

#[derive(Clone, Default)]
struct ScriptHandler(Arc<Mutex<Script>>);

impl ScriptHandler {
    fn script(&self) -> std::sync::MutexGuard<'_, Script> {
        self.0.lock().unwrap_or_else(|error| error.into_inner())
    }
}

impl Handler for ScriptHandler {
    fn connect(&self) -> Connect {
        let mut script = self.script();
        script.times.push(Instant::now());
        let next_resets = match script.queue.front() {
            Some(reply) => matches!(reply, Reply::Reset),
            None => matches!(script.fallback, Some(Reply::Reset)),
        };
        if next_resets {
            script.queue.pop_front();
            script.requests.push("(reset)".to_string());
            return Connect::Reset;
        }
        Connect::Serve
    }

    fn answer(&self, request: HttpRequest) -> HttpReply {
        let reply = {
            let mut script = self.script();
            script.requests.push(request.head);
            match script.queue.pop_front() {
                Some(reply) => reply,
                None => script.fallback.clone().unwrap_or(Reply::Status(404)),
            }
        };
        reply.into_http()
    }
}

/// A stand-in timing feed at `<base>/feed.json`: scripted replies (bodies,
/// statuses, 429/503 with `Retry-After`, slow answers, dropped and reset
/// connections, malformed JSON), with the time every connection arrived, so
/// tests can check a poller's spacing.
pub struct ScriptedServer {
    /// `http://<address>/feed.json`.
    pub url: String,
    script: ScriptHandler,
    _server: HttpServer,
}

impl ScriptedServer {
    /// Starts a server answering `fallback` until told otherwise.
    pub fn start(fallback: Reply) -> ScriptedServer {
        let script = ScriptHandler::default();
        script.script().fallback = Some(fallback);
        let server = HttpServer::serve("127.0.0.1:0", script.clone()).unwrap();
        ScriptedServer {
            url: format!("{}/feed.json", server.base_url()),
            script,
            _server: server,
        }
    }

    /// Replaces the reply given when the queue is empty.
    pub fn set(&self, reply: Reply) {
        self.script.script().fallback = Some(reply);
    }

    /// Queues a one-off reply for the next request.
    pub fn push(&self, reply: Reply) {
        self.script.script().queue.push_back(reply);
    }

    /// The request heads received so far (`(reset)` for a reset).
    pub fn requests(&self) -> Vec<String> {
        self.script.script().requests.clone()
    }

    /// When each request arrived (resets included), in order.
    pub fn request_times(&self) -> Vec<Instant> {
        self.script.script().times.clone()
    }

    /// The shortest gap between two consecutive requests.
    pub fn shortest_gap(&self) -> Option<Duration> {
        let times = self.request_times();
        times
            .windows(2)
            .map(|pair| pair[1].duration_since(pair[0]))
            .min()
    }
}
