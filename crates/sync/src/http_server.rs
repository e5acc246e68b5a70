//! The server behind World Triathlon's hosted JSON file
//! ([`crate::triathlon::HostedFeed`], delivery option 1): a small blocking
//! HTTP/1.1 server on `std::net`, one thread per connection,
//! `Connection: close` on every response. It reads the request line and
//! the headers (a GET has no body) and answers through a handler; that is
//! all the hosted file needs. The tests' servers and the stand-in
//! platforms are in the `scoretable-testkit` crate, not here.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// A request's method and path (without the query string).
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    pub path: String,
}

/// A response.
#[derive(Debug, Clone)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpReply {
    /// A JSON response.
    pub fn json(status: u16, value: &serde_json::Value) -> HttpReply {
        HttpReply {
            status,
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body: value.to_string().into_bytes(),
        }
    }
}

/// A running server; stops when dropped.
pub struct HttpServer {
    address: SocketAddr,
    stopping: Arc<AtomicBool>,
    acceptor: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds `address` (port 0 for any free port) and answers each request
    /// with `handler` on its own thread.
    pub fn start<H>(address: &str, handler: H) -> std::io::Result<HttpServer>
    where
        H: Fn(HttpRequest) -> HttpReply + Send + Sync + 'static,
    {
        let listener = TcpListener::bind(address)?;
        let address = listener.local_addr()?;
        let stopping = Arc::new(AtomicBool::new(false));
        let handler = Arc::new(handler);
        let acceptor = {
            let stopping = Arc::clone(&stopping);
            // Blocks in accept; dropping the server wakes it with a
            // connection of its own after raising the flag.
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stopping.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        let handler = Arc::clone(&handler);
                        std::thread::spawn(move || answer(stream, handler.as_ref()));
                    }
                }
            })
        };
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
        // Wake the accept loop (a wildcard address is reached on loopback).
        let mut wake = self.address;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        if TcpStream::connect_timeout(&wake, Duration::from_secs(1)).is_ok() {
            if let Some(acceptor) = self.acceptor.take() {
                let _ = acceptor.join();
            }
        }
    }
}

fn answer(stream: TcpStream, handler: &(dyn Fn(HttpRequest) -> HttpReply + Send + Sync)) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Skip the headers, up to the blank line.
    let mut line = String::new();
    while matches!(reader.read_line(&mut line), Ok(read) if read > 0) && line.trim_end() != "" {
        line.clear();
    }
    let mut words = request_line.split_whitespace();
    let method = words.next().unwrap_or_default().to_string();
    let target = words.next().unwrap_or("/");
    let path = target.split('?').next().unwrap_or("/").to_string();
    let reply = handler(HttpRequest { method, path });
    let reason = match reply.status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", reply.status);
    for (name, value) in &reply.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        reply.body.len()
    ));
    let mut stream = &stream;
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&reply.body);
    let _ = stream.flush();
}
