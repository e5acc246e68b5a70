//! A stand-in timing feed: a plain `std::net::TcpListener` speaking just
//! enough HTTP/1.1 to answer GETs with scripted replies (bodies, statuses,
//! 429/503 with `Retry-After`, slow answers, dropped and reset connections,
//! malformed JSON). It records when every request arrived, so tests can
//! check the poller's spacing.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the server answers to one request.
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

struct Shared {
    queue: VecDeque<Reply>,
    fallback: Reply,
    requests: Vec<String>,
    times: Vec<Instant>,
}

pub struct FeedServer {
    pub url: String,
    shared: Arc<Mutex<Shared>>,
    stop: Arc<AtomicBool>,
    address: std::net::SocketAddr,
}

impl FeedServer {
    /// Starts a server answering `fallback` until told otherwise.
    pub fn start(fallback: Reply) -> FeedServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let shared = Arc::new(Mutex::new(Shared {
            queue: VecDeque::new(),
            fallback,
            requests: Vec::new(),
            times: Vec::new(),
        }));
        let stop = Arc::new(AtomicBool::new(false));
        {
            let shared = Arc::clone(&shared);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let shared = Arc::clone(&shared);
                    std::thread::spawn(move || serve(stream, &shared));
                }
            });
        }
        FeedServer {
            url: format!("http://{address}/feed.json"),
            shared,
            stop,
            address,
        }
    }

    /// Replaces the reply given when the queue is empty.
    pub fn set(&self, reply: Reply) {
        self.shared.lock().unwrap().fallback = reply;
    }

    /// Queues a one-off reply for the next request.
    pub fn push(&self, reply: Reply) {
        self.shared.lock().unwrap().queue.push_back(reply);
    }

    /// The request heads received so far.
    pub fn requests(&self) -> Vec<String> {
        self.shared.lock().unwrap().requests.clone()
    }

    /// When each request arrived (resets included), in order.
    pub fn request_times(&self) -> Vec<Instant> {
        self.shared.lock().unwrap().times.clone()
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

impl Drop for FeedServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.address);
    }
}

fn serve(mut stream: TcpStream, shared: &Mutex<Shared>) {
    let arrived = Instant::now();
    {
        let mut shared = shared.lock().unwrap();
        if matches!(shared.queue.front(), Some(Reply::Reset))
            || (shared.queue.is_empty() && matches!(shared.fallback, Reply::Reset))
        {
            shared.queue.pop_front();
            shared.times.push(arrived);
            shared.requests.push("(reset)".into());
            // Wait for the request to arrive unread, then close: a reset.
            std::thread::sleep(Duration::from_millis(20));
            drop(stream);
            return;
        }
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut head = Vec::new();
    let mut buffer = [0_u8; 1024];
    while !head.windows(4).any(|window| window == b"\r\n\r\n") {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(read) => head.extend_from_slice(&buffer[..read]),
        }
    }
    let reply = {
        let mut shared = shared.lock().unwrap();
        shared
            .requests
            .push(String::from_utf8_lossy(&head).into_owned());
        shared.times.push(arrived);
        shared
            .queue
            .pop_front()
            .unwrap_or_else(|| shared.fallback.clone())
    };
    let mut extra_headers = String::new();
    let (status, body) = match reply {
        Reply::Json(body) => (200, body),
        Reply::Status(code) => (code, format!("status {code}")),
        Reply::RetryAfter(code, value) => {
            extra_headers = format!("Retry-After: {value}\r\n");
            (code, format!("status {code}"))
        }
        Reply::Reset => return,
        Reply::Slow(wait, body) => {
            std::thread::sleep(wait);
            (200, body)
        }
        Reply::Drop => {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return;
        }
    };
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{extra_headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
    let _ = stream.flush();
}
