//! The detail view (Enter on a row, Esc back): everything the row had to
//! cut, in full and wrapped: every comparison with value, limit and unit,
//! the window's inputs, the `for` timer, recent values, waivers and the log
//! records that named it, a probe's last attempts (with the HTTP phases
//! each measured), the last answer in full.

use super::endpoints::sparkline;
use super::text::{outside, plain, styled};
use crate::core::sanitize::inert;
use crate::tui::label;
use crate::tui::notation::{self, Meaning};
use crate::tui::state::{DetailRef, Region, UiState};
use crate::tui::theme::{gate_tone, threshold_tone, Tone};
use crate::tui::view::{CockpitView, ComparisonView, EndpointSide, GateView, ThresholdView};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

/// Draws the detail of `d` over the body (header and footer stay visible).
pub fn render(frame: &mut Frame, area: Rect, view: &CockpitView, d: &DetailRef, ui: &UiState) {
    let (title, mut lines) = content(view, d, ui);
    if let Some(t) = ui.toast.as_ref().or(view.toast.as_ref()) {
        lines.push(Line::from(""));
        lines.push(Line::from(styled("last answer", ui.theme.title(false))));
        lines.push(Line::from(plain(format!("  {}", inert(&t.message)))));
    }
    let block = Block::default().borders(Borders::ALL).title(Span::styled(
        format!(" {} · esc back · ↑↓ scroll ", outside(&title, 60)),
        ui.theme.title(true),
    ));
    let inner = block.inner(area);
    frame.render_widget(Clear, area);
    frame.render_widget(block, area);
    let para = Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .scroll((d.scroll, 0));
    frame.render_widget(para, inner);
}

fn content(view: &CockpitView, d: &DetailRef, ui: &UiState) -> (String, Vec<Line<'static>>) {
    let none = || ("nothing selected".to_string(), vec![]);
    match d.region {
        Region::Gates => {
            let n = view.gates.len();
            if let Some(g) = view.gates.get(d.index) {
                return (format!("Gate {}", g.id), gate(view, g, ui));
            }
            match view.signoffs.get(d.index.wrapping_sub(n)) {
                Some(s) => {
                    let state = match s.signed_at {
                        Some(t) => format!("signed at {}", t.hms()),
                        None => "awaiting".to_string(),
                    };
                    let lines = vec![
                        kv("role", &inert(&s.role)),
                        kv("owner", &inert(&s.owner)),
                        kv("phase", &inert(&s.phase)),
                        kv("state", &state),
                    ];
                    let mut lines = lines;
                    lines.extend(mentions(view, &s.role, ui));
                    (format!("Sign-off {}", s.role), lines)
                }
                None => none(),
            }
        }
        Region::Thresholds => match view.thresholds.get(d.index) {
            Some(t) => (format!("Threshold {}", t.id), threshold(view, t, ui)),
            None => none(),
        },
        Region::Steps => match ui.visible_steps(view).get(d.index) {
            Some(s) => {
                let (sym, word) = label::step(s.status);
                let mut lines = vec![
                    kv("title", &inert(&s.title)),
                    kv("owner", &inert(&s.owner)),
                    kv("state", &format!("{sym} {word}")),
                    kv("expected", &label::dur_short(s.expected)),
                ];
                if let Some(e) = s.elapsed {
                    let over = if s.overrun { " (over its plan)" } else { "" };
                    lines.push(kv("elapsed", &format!("{}{over}", label::dur_short(e))));
                }
                lines.extend(mentions(view, &s.id, ui));
                (format!("Step {}", s.id), lines)
            }
            None => none(),
        },
        Region::Endpoints => match view.endpoints.get(d.index) {
            Some(r) => {
                let mut lines = Vec::new();
                for (name, side) in [("source", &r.source), ("target", &r.target)] {
                    if let Some(s) = side {
                        lines.extend(endpoint_side(name, s, ui));
                    }
                }
                (format!("Endpoint {}", r.system), lines)
            }
            None => match view
                .datasets
                .get(d.index.wrapping_sub(view.endpoints.len()))
            {
                Some(ds) => {
                    let mut lines = reconciliation(view, ds, ui);
                    lines.extend(
                        ds.metrics
                            .iter()
                            .map(|(k, v)| kv(k, &notation::with_unit(*v, notation::unit_of(k)))),
                    );
                    if let Some(e) = &ds.last_error {
                        lines.push(kv("last failure", &inert(e)));
                    }
                    lines.push(Line::from(""));
                    lines.push(Line::from(styled(
                        "e writes the exact differing keys to a private file beside the log (commander)",
                        ui.theme.tone(Tone::Muted),
                    )));
                    lines.extend(mentions(view, &ds.dataset, ui));
                    (format!("Reconciliation {}", ds.dataset), lines)
                }
                None => none(),
            },
        },
        Region::Issues => match view.issues.get(d.index) {
            Some(i) => {
                let lines = vec![
                    kv("severity", &inert(&i.severity)),
                    kv("title", &inert(&i.title)),
                    kv("owner", &inert(&i.owner)),
                    kv(
                        "opened",
                        &format!(
                            "{} ({} ago)",
                            i.opened_at.hms(),
                            label::dur_short(view.now - i.opened_at)
                        ),
                    ),
                    Line::from(""),
                    Line::from(styled(
                        "c closes it (with a rationale)",
                        ui.theme.tone(Tone::Muted),
                    )),
                ];
                (format!("Issue {}", i.id), lines)
            }
            None => none(),
        },
        Region::Recommendations => match view.recommendations.get(d.index) {
            Some(r) => {
                let scope = r.scope.as_deref().map(inert).unwrap_or_default();
                let lines = vec![
                    kv("recommends", &format!("{} {scope}", r.severity.word())),
                    kv("raised by", &inert(&r.threshold)),
                    kv("since", &r.raised_at.hms()),
                    kv("message", &inert(&r.message)),
                ];
                (format!("Recommendation {}", r.threshold), lines)
            }
            None => none(),
        },
        Region::Log => match view.log_tail.get(d.index) {
            Some(l) => {
                let lines = vec![
                    kv("seq", &l.seq.to_string()),
                    kv("time", &l.ts.to_rfc3339()),
                    kv("kind", l.kind.as_str()),
                    kv("by", &inert(&l.actor)),
                    kv("record", &inert(&l.summary)),
                ];
                (format!("Log record #{}", l.seq), lines)
            }
            None => none(),
        },
    }
}

/// `  label  value`: a labelled line.
/// A dataset's reconciliation: its last result with its age, then every
/// differing row or study (pseudonymised) by kind, then the metrics.
fn reconciliation(
    view: &CockpitView,
    ds: &crate::tui::view::DatasetView,
    ui: &UiState,
) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    lines.push(match ds.running {
        Some((for_, segments, rows)) => Line::from(vec![
            styled(format!("{:<14}", "state:"), Default::default()),
            styled(
                format!(
                    "running for {}: {segments} segments, {} rows hashed so far",
                    label::dur_short(for_),
                    notation::with_unit(Some(rows as f64), "")
                ),
                ui.theme.tone(Tone::Progress),
            ),
        ]),
        None => kv("state", "idle"),
    });
    match ds.last_result_at {
        Some(t) => lines.push(kv(
            "last result",
            &format!("{} ({} ago)", t.hms(), label::dur_short(view.now - t)),
        )),
        None => lines.push(kv("last result", "none yet")),
    }
    let (text, tone) = match (ds.matched, &ds.summary) {
        (Some(true), _) => ("match".to_string(), Tone::Good),
        (_, Some(s)) => (inert(s), Tone::Bad),
        (Some(false), None) => ("differs".to_string(), Tone::Bad),
        (None, None) => ("unknown".to_string(), Tone::Unknown),
    };
    lines.push(Line::from(vec![
        styled(format!("{:<14}", "result:"), Default::default()),
        styled(text, ui.theme.tone(tone)),
    ]));
    if !ds.differences.is_empty() {
        lines.push(Line::from(""));
        lines.push(heading("differences (pseudonymised)", ui));
        for (kind, what) in &ds.differences {
            let tone = match kind.as_str() {
                "more" => Tone::Muted,
                _ => Tone::Bad,
            };
            let word = match kind.as_str() {
                "missing" => "missing on target",
                "extra" => "extra on target",
                "changed" => "changed",
                "range" => "key range",
                "more" => "",
                _ => "",
            };
            lines.push(Line::from(vec![
                plain("  ".to_string()),
                styled(format!("{:<18}", word), ui.theme.tone(tone)),
                styled(inert(what), ui.theme.tone(tone)),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines
}

fn kv(k: &str, v: &str) -> Line<'static> {
    Line::from(vec![
        styled(format!("{:<14}", format!("{k}:")), Default::default()),
        plain(v.to_string()),
    ])
}

fn heading(s: &str, ui: &UiState) -> Line<'static> {
    Line::from(styled(s.to_string(), ui.theme.title(false)))
}

fn gate(view: &CockpitView, g: &GateView, ui: &UiState) -> Vec<Line<'static>> {
    let (sym, word) = label::gate(g.state);
    let advisory = if g.advisory {
        " (advisory: never blocks go)"
    } else {
        ""
    };
    let mut lines = vec![
        kv("title", &inert(&g.title)),
        Line::from(vec![
            styled(format!("{:<14}", "state:"), Default::default()),
            styled(format!("{sym} {word}"), ui.theme.tone(gate_tone(g.state))),
            plain(format!(" · {:?} gate{advisory}", g.kind).to_lowercase()),
        ]),
    ];
    if let Some((held, of)) = g.held_for {
        lines.push(kv(
            "for",
            &format!(
                "true for {} of the {} it must hold",
                label::dur_short(held),
                label::dur_short(of)
            ),
        ));
    }
    if let Some(w) = &g.waiver {
        lines.push(kv(
            "waived",
            &format!(
                "by {} until {}: {}",
                inert(&w.owner),
                w.expires.hms(),
                inert(&w.reason)
            ),
        ));
    }
    lines.extend(comparisons(&g.comparisons, Meaning::Needs, ui));
    lines.extend(mentions(view, &g.id, ui));
    lines
}

fn threshold(view: &CockpitView, t: &ThresholdView, ui: &UiState) -> Vec<Line<'static>> {
    let (sym, word) = label::threshold(t.state);
    let scope = t.scope.as_deref().map(inert).unwrap_or_default();
    let advisory = if t.advisory {
        " (advisory: never recommends)"
    } else {
        ""
    };
    let mut lines = vec![
        kv("title", &inert(&t.title)),
        Line::from(vec![
            styled(format!("{:<14}", "state:"), Default::default()),
            styled(
                format!("{sym} {word}"),
                ui.theme.tone(threshold_tone(t.state)),
            ),
            plain(format!(
                " · a breach recommends {} {scope}{advisory}",
                t.severity.word()
            )),
        ]),
    ];
    if let Some((run, of)) = t.breach_for {
        lines.push(kv(
            "for",
            &format!(
                "breach condition true for {} of {}",
                label::dur_short(run),
                label::dur_short(of)
            ),
        ));
    }
    if t.inputs_unknown {
        lines.push(kv(
            "inputs",
            "unknown: the state is kept until a false evaluation",
        ));
    }
    let cs: &[ComparisonView] = if t.comparisons.is_empty() {
        std::slice::from_ref(&t.comparison)
    } else {
        &t.comparisons
    };
    lines.extend(comparisons(cs, Meaning::Breach, ui));
    lines.extend(mentions(view, &t.id, ui));
    lines
}

/// Every comparison: as written, as a sentence, its inputs and recent values.
fn comparisons(cs: &[ComparisonView], meaning: Meaning, ui: &UiState) -> Vec<Line<'static>> {
    let mut lines = vec![Line::from(""), heading("comparisons", ui)];
    if cs.is_empty() {
        lines.push(Line::from(styled(
            "  not evaluated yet",
            ui.theme.tone(Tone::Muted),
        )));
    }
    for c in cs {
        lines.push(Line::from(plain(format!(
            "  {} {} {}",
            inert(&c.left),
            c.op,
            label::value(c.limit)
        ))));
        lines.push(Line::from(plain(format!(
            "    {}",
            notation::sentence(c, meaning, false)
        ))));
        if let Some(i) = &c.inputs {
            let age = i
                .age
                .map(|a| format!(", latest {} old", label::dur_short(a)))
                .unwrap_or_else(|| ", no sample yet".into());
            let within = if i.window.is_empty() {
                String::new()
            } else {
                format!(" in the last {}", i.window)
            };
            lines.push(Line::from(styled(
                format!("    inputs: {} samples{within}{age}", i.samples),
                ui.theme.tone(Tone::Muted),
            )));
        }
        if !c.history.is_empty() {
            let unit = notation::left_side(&c.left).unit;
            let lo = c.history.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = c.history.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let scaled: Vec<u64> = c
                .history
                .iter()
                .map(|v| ((v - lo).max(0.0) * 1000.0) as u64)
                .collect();
            lines.push(Line::from(vec![
                styled("    recent: ", ui.theme.tone(Tone::Muted)),
                plain(sparkline(&scaled, 40)),
                styled(
                    format!(
                        " {} .. {}",
                        notation::with_unit(Some(lo), unit),
                        notation::with_unit(Some(hi), unit)
                    ),
                    ui.theme.tone(Tone::Muted),
                ),
            ]));
        }
    }
    lines
}

/// The log records in the tail that name `id` (decisions, waivers, transitions).
fn mentions(view: &CockpitView, id: &str, ui: &UiState) -> Vec<Line<'static>> {
    let hits: Vec<Line<'static>> = view
        .log_tail
        .iter()
        .filter(|l| !id.is_empty() && l.summary.contains(id))
        .map(|l| {
            Line::from(vec![
                styled(
                    format!(
                        "  {} #{} {} {} ",
                        l.ts.hms(),
                        l.seq,
                        l.kind.as_str(),
                        inert(&l.actor)
                    ),
                    ui.theme.tone(Tone::Muted),
                ),
                plain(inert(&l.summary)),
            ])
        })
        .collect();
    let mut lines = vec![Line::from(""), heading("in the recent log", ui)];
    if hits.is_empty() {
        lines.push(Line::from(styled(
            "  no recent record names it",
            ui.theme.tone(Tone::Muted),
        )));
    }
    lines.extend(hits);
    lines
}

fn endpoint_side(name: &str, s: &EndpointSide, ui: &UiState) -> Vec<Line<'static>> {
    let state = match (s.up, s.stale) {
        (_, true) => "? stale (latest sample older than stale_after)",
        (Some(true), _) => "● up",
        (Some(false), _) => "○ down",
        (None, _) => "? unknown",
    };
    let mut lines = vec![heading(name, ui), kv("  state", state)];
    if let Some(ms) = s.latency_ms {
        lines.push(kv("  latency", &notation::with_unit(Some(ms), "ms")));
    }
    if let Some(d) = s.cert_days_left {
        lines.push(kv("  certificate", &format!("{d} days left")));
    }
    if !s.latency_history.is_empty() {
        lines.push(kv("  recent", &sparkline(&s.latency_history, 40)));
    }
    if let Some(e) = &s.last_error {
        lines.push(Line::from(vec![
            styled(format!("{:<14}", "  last failure:"), Default::default()),
            styled(inert(e), ui.theme.tone(Tone::Bad)),
        ]));
    }
    if !s.attempts.is_empty() {
        lines.push(kv("  attempts", "newest last"));
        for a in &s.attempts {
            let (sym, tone) = if a.ok {
                ("✔ ok", Tone::Good)
            } else {
                ("✘ failed", Tone::Bad)
            };
            lines.push(Line::from(vec![
                plain(format!("    {} {:<8} ", a.at.hms(), outside(&a.probe, 10))),
                styled(sym, ui.theme.tone(tone)),
                plain(
                    a.reason
                        .as_deref()
                        .map(|r| format!(": {}", inert(r)))
                        .unwrap_or_default(),
                ),
                styled(
                    label::http_phases(&a.phases)
                        .map(|p| format!(" · {p}"))
                        .unwrap_or_default(),
                    ui.theme.tone(Tone::Muted),
                ),
            ]));
        }
    }
    lines.push(Line::from(""));
    lines
}
