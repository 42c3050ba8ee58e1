//! A raw TCP server answering each path with one kind of hostile HTTP answer.

use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// Every hostile path the server knows (plus `good`).
pub const PATHS: &[&str] = &[
    "slow",
    "huge",
    "huge-chunked",
    "invalid-utf8",
    "ansi",
    "ansi-header",
    "redirect-loop",
    "reset",
    "wrong-type",
    "empty",
    "garbage",
    "status-503",
];

pub struct Server {
    pub base: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub async fn start() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(answer(sock));
        }
    });
    Server { base, task }
}

/// The request head (lower-cased) and path.
async fn read_head(sock: &mut TcpStream) -> Option<(String, String)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let path = head
        .split_whitespace()
        .nth(1)?
        .trim_start_matches('/')
        .to_string();
    Some((head.to_ascii_lowercase(), path))
}

fn head(status: &str, ctype: &str, len: Option<usize>) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status}\r\nConnection: close\r\nContent-Type: {ctype}\r\n");
    if let Some(n) = len {
        h.push_str(&format!("Content-Length: {n}\r\n"));
    }
    h.push_str("\r\n");
    h.into_bytes()
}

fn full(status: &str, ctype: &str, body: &[u8]) -> Vec<u8> {
    let mut out = head(status, ctype, Some(body.len()));
    out.extend_from_slice(body);
    out
}

async fn answer(mut sock: TcpStream) {
    let Some((request, path)) = read_head(&mut sock).await else {
        return;
    };
    let json = "application/json";
    let reply = match path.as_str() {
        "good" => full("200 OK", json, br#"{"status":"ok"}"#),
        "auth" if request.contains("\r\nauthorization: bearer s3cret-token\r\n") => {
            full("200 OK", json, br#"{"status":"ok"}"#)
        }
        "auth" => full("401 Unauthorized", json, br#"{"error":"who are you"}"#),
        "slow" => {
            // headers at once, then one byte every 200 ms: never done within the timeout
            let _ = sock.write_all(&head("200 OK", json, Some(1000))).await;
            for _ in 0..1000 {
                if sock.write_all(b" ").await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            return;
        }
        "huge" | "huge-chunked" => {
            let len = (path == "huge").then_some(100 * 1024 * 1024);
            let mut h = head("200 OK", json, len);
            if len.is_none() {
                h = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            }
            let _ = sock.write_all(&h).await;
            let block = vec![b'['; 64 * 1024];
            for _ in 0..1600 {
                let piece = if len.is_some() {
                    block.clone()
                } else {
                    [format!("{:x}\r\n", block.len()).into_bytes(), block.clone(), b"\r\n".to_vec()].concat()
                };
                if sock.write_all(&piece).await.is_err() {
                    return;
                }
            }
            return;
        }
        "invalid-utf8" => full("200 OK", json, b"{\"status\":\"\xff\xfe\xc0ok\"}"),
        "ansi" => full(
            "200 OK",
            json,
            br#"{"status":"\u001b]0;owned\u0007\u001b[2J\u001b[31mok\u009b\u202e"}"#,
        ),
        "ansi-header" => full("200 OK", "text/html\x1b[2J\x1b]8;;http://evil\x07", br#"{"status":"ok"}"#),
        "redirect-loop" => b"HTTP/1.1 302 Found\r\nLocation: /redirect-loop\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        "reset" => {
            #[allow(deprecated)] // SO_LINGER 0 is the portable way to send an RST
            let _ = sock.set_linger(Some(Duration::ZERO));
            drop(sock);
            return;
        }
        "wrong-type" => full("200 OK", "text/html; charset=utf-8", b"<html><body>ok</body></html>"),
        "empty" => full("200 OK", json, b""),
        "garbage" => full("200 OK", json, b"<<<not json>>>"),
        "status-503" => full("503 Service Unavailable", json, br#"{"status":"down"}"#),
        _ => full("404 Not Found", "text/plain", b"no"),
    };
    let _ = sock.write_all(&reply).await;
    let _ = sock.shutdown().await;
}
