//! A small server-sent-events line parser (the `text/event-stream` format):
//! bytes in, complete events out. It keeps partial lines between chunks,
//! accepts LF, CRLF and CR line ends, joins multi-line `data:` fields with
//! `\n`, skips comments (`:` lines) and caps the size of one event so a
//! hostile server cannot make the follower buffer without bound.

/// One complete event (`event:` name, default "message", and its data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    pub event: String,
    pub data: String,
}

/// What one chunk of bytes produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Event(SseEvent),
    /// An event grew past the cap and was dropped (its bytes up to the next blank line are skipped).
    Oversize {
        bytes: usize,
    },
}

/// Default cap of one event's buffered bytes (a full view is a few tens of KB).
pub const MAX_EVENT_BYTES: usize = 4 * 1024 * 1024;

/// Incremental parser state.
#[derive(Debug)]
pub struct SseParser {
    cap: usize,
    /// Bytes of the current, not yet terminated line.
    line: Vec<u8>,
    /// The previous chunk ended in CR: a leading LF of the next one belongs to it.
    after_cr: bool,
    event: String,
    data: String,
    has_data: bool,
    /// Bytes of the event being collected (lines and fields).
    size: usize,
    /// Skipping the rest of an oversize event.
    skipping: bool,
    /// Bytes of a possible leading UTF-8 BOM still to check (the format allows one).
    bom: usize,
}

impl SseParser {
    /// A parser dropping events larger than `cap` bytes.
    pub fn new(cap: usize) -> SseParser {
        SseParser {
            cap,
            line: Vec::new(),
            after_cr: false,
            event: String::new(),
            data: String::new(),
            has_data: false,
            size: 0,
            skipping: false,
            bom: 0,
        }
    }

    /// Feeds a chunk; returns the events it completed, in order.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<Parsed> {
        let mut out = Vec::new();
        for &b in chunk {
            if self.bom < 3 {
                if b == [0xEF, 0xBB, 0xBF][self.bom] {
                    self.bom += 1;
                    continue;
                }
                // not a BOM: the bytes taken so far were content
                let taken = self.bom;
                self.bom = 3;
                self.line.extend_from_slice(&[0xEF, 0xBB, 0xBF][..taken]);
                self.size += taken;
            }
            if self.after_cr {
                self.after_cr = false;
                if b == b'\n' {
                    continue;
                }
            }
            match b {
                b'\n' => self.end_line(&mut out),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut out);
                }
                _ => {
                    self.size += 1;
                    if self.skipping {
                        continue;
                    }
                    if self.size > self.cap {
                        out.push(self.overflow());
                        continue;
                    }
                    self.line.push(b);
                }
            }
        }
        out
    }

    fn overflow(&mut self) -> Parsed {
        let bytes = self.size;
        self.skipping = true;
        self.line.clear();
        self.data.clear();
        self.event.clear();
        self.has_data = false;
        Parsed::Oversize { bytes }
    }

    fn end_line(&mut self, out: &mut Vec<Parsed>) {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            self.dispatch(out);
            return;
        }
        if self.skipping {
            return;
        }
        // server-sent events are UTF-8; anything else is replaced, never trusted
        let line = String::from_utf8_lossy(&line);
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "event" => self.event = value.to_string(),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            // id and retry are not used by the follower (it reconnects with its own backoff)
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<Parsed>) {
        let was_skipping = self.skipping;
        self.skipping = false;
        self.size = 0;
        let event = std::mem::take(&mut self.event);
        let data = std::mem::take(&mut self.data);
        let has_data = std::mem::replace(&mut self.has_data, false);
        if was_skipping || !has_data {
            return;
        }
        let event = if event.is_empty() {
            "message".to_string()
        } else {
            event
        };
        out.push(Parsed::Event(SseEvent { event, data }));
    }
}

impl Default for SseParser {
    fn default() -> Self {
        SseParser::new(MAX_EVENT_BYTES)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(event: &str, data: &str) -> Parsed {
        Parsed::Event(SseEvent {
            event: event.into(),
            data: data.into(),
        })
    }

    #[test]
    fn named_event_with_multi_line_data() {
        let mut p = SseParser::default();
        let out = p.feed(b"event: view\ndata: {\"a\":\ndata: 1}\n\n");
        assert_eq!(out, vec![ev("view", "{\"a\":\n1}")]);
    }

    #[test]
    fn comments_are_skipped_and_unnamed_events_are_messages() {
        let mut p = SseParser::default();
        let out = p.feed(b": keepalive\n\n:another\ndata:x\n\n");
        assert_eq!(out, vec![ev("message", "x")]);
    }

    #[test]
    fn crlf_and_bare_cr_end_lines() {
        let mut p = SseParser::default();
        let out = p.feed(b"event: record\r\ndata: r1\r\n\r\nevent: view\rdata: v\r\r");
        assert_eq!(out, vec![ev("record", "r1"), ev("view", "v")]);
    }

    #[test]
    fn events_split_across_chunks_at_every_byte() {
        let text = b"event: view\r\ndata: {\"x\": 1}\r\n\r\n: ka\n\nevent: record\ndata: r\n\n";
        let mut p = SseParser::default();
        let mut out = Vec::new();
        for b in text.iter() {
            out.extend(p.feed(std::slice::from_ref(b)));
        }
        assert_eq!(out, vec![ev("view", "{\"x\": 1}"), ev("record", "r")]);
    }

    #[test]
    fn oversize_event_is_dropped_and_the_next_one_arrives() {
        let mut p = SseParser::new(32);
        let big = format!("event: view\ndata: {}\n\n", "x".repeat(100));
        let mut out = p.feed(big.as_bytes());
        out.extend(p.feed(b"event: record\ndata: ok\n\n"));
        assert!(matches!(out[0], Parsed::Oversize { bytes } if bytes > 32));
        assert_eq!(out[1..], [ev("record", "ok")]);
    }

    #[test]
    fn a_leading_bom_is_dropped_once() {
        let mut p = SseParser::default();
        let mut out = p.feed(&[0xEF, 0xBB]);
        out.extend(p.feed(&[0xBF]));
        out.extend(p.feed("data: \u{feff}x\n\n".as_bytes()));
        assert_eq!(out, vec![ev("message", "\u{feff}x")]);
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        let mut p = SseParser::default();
        assert!(p.feed(b"event: view\n\n").is_empty());
    }
}
