//! The simulator's HTTP answers, each computed from the scenario state at the
//! current scenario time.

use crate::sim::qido;
use crate::sim::scenario::{Knob, Knobs, Scenario};
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What every handler shares: the scenario, its clock, and a draw counter.
pub struct SimState {
    pub scenario: Scenario,
    pub started: Instant,
    pub speed: f64,
    draws: AtomicU64,
}

impl SimState {
    /// A fresh simulator state whose scenario time starts now.
    pub fn new(scenario: Scenario, speed: f64) -> SimState {
        SimState {
            scenario,
            started: Instant::now(),
            speed: if speed > 0.0 { speed } else { 1.0 },
            draws: AtomicU64::new(0),
        }
    }

    /// Scenario time now (wall time since start, times speed).
    pub fn scenario_time(&self) -> crate::core::time::Dur {
        crate::core::time::Dur((self.started.elapsed().as_secs_f64() * 1000.0 * self.speed) as i64)
    }

    fn knobs(&self, subject: &str) -> Option<Knobs> {
        self.scenario.state_at(self.scenario_time()).remove(subject)
    }

    /// A reproducible draw in [0, 1) (splitmix64 over seed and a counter).
    fn draw(&self) -> f64 {
        let n = self.draws.fetch_add(1, Ordering::Relaxed);
        let mut z = self
            .scenario
            .seed
            .wrapping_add(n.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) as f64 / (u64::MAX as f64 + 1.0)
    }
}

type Shared = Arc<SimState>;

/// The router: health, latency, checksum per side and system, and /metrics.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/{side}/{system}/health", get(health))
        .route("/{side}/{system}/latency", get(latency))
        .route("/{side}/checksum/{dataset}", get(checksum))
        .route("/{side}/dicom-web/{dataset}/studies", get(qido_studies))
        .route(
            "/{side}/dicom-web/{dataset}/studies/{study}/series",
            get(qido_series),
        )
        .route(
            "/{side}/dicom-web/{dataset}/studies/{study}/series/{series}/instances",
            get(qido_instances),
        )
        .route("/{side}/{system}/metrics", get(system_metrics))
        .route("/metrics", get(metrics))
        .with_state(state)
}

fn num(k: &Knobs, name: &str) -> f64 {
    k.get(name).and_then(Knob::num).unwrap_or(0.0)
}
fn flag(k: &Knobs, name: &str) -> bool {
    matches!(k.get(name), Some(Knob::Flag(true)))
}
fn text<'a>(k: &'a Knobs, name: &str) -> &'a str {
    match k.get(name) {
        Some(Knob::Text(t)) => t,
        _ => "",
    }
}

fn json(status: StatusCode, v: serde_json::Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        v.to_string(),
    )
        .into_response()
}

async fn sleep_ms(ms: f64) {
    if ms > 0.0 {
        tokio::time::sleep(Duration::from_micros((ms * 1000.0) as u64)).await;
    }
}

/// Outage, hang or an injected error for this system, if the scenario says so now.
async fn trouble(st: &SimState, k: &Knobs) -> Option<Response> {
    if flag(k, "hang") {
        // unreachable-but-listening: the client's timeout must end it
        tokio::time::sleep(Duration::from_secs(3600)).await;
    }
    if flag(k, "outage") {
        return Some(json(
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "down"}),
        ));
    }
    if st.draw() < num(k, "error_rate") {
        return Some(json(
            StatusCode::INTERNAL_SERVER_ERROR,
            serde_json::json!({"error": "injected error"}),
        ));
    }
    None
}

/// The knobs of `side.system` when that system answers normally now; else
/// the response it gives instead (404, outage, injected error; a hang waits).
async fn answering(st: &SimState, side: &str, system: &str) -> Result<Knobs, Response> {
    let Some(k) = st.knobs(&format!("{side}.{system}")) else {
        return Err(not_found("system"));
    };
    match trouble(st, &k).await {
        Some(r) => Err(r),
        None => Ok(k),
    }
}

fn not_found(what: &str) -> Response {
    (StatusCode::NOT_FOUND, format!("no such {what}\n")).into_response()
}

async fn health(
    State(st): State<Shared>,
    Path((side, system)): Path<(String, String)>,
) -> Response {
    let k = match answering(&st, &side, &system).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    sleep_ms(num(&k, "health_ms")).await;
    let h = text(&k, "health");
    let code = if h == "down" {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    };
    json(code, serde_json::json!({"status": h}))
}

async fn latency(
    State(st): State<Shared>,
    Path((side, system)): Path<(String, String)>,
) -> Response {
    let k = match answering(&st, &side, &system).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let jitter = num(&k, "jitter_ms") * (st.draw() * 2.0 - 1.0);
    sleep_ms((num(&k, "latency_ms") + jitter).max(0.0)).await;
    let filler = "x".repeat((num(&k, "body_kb").clamp(0.0, 4096.0) * 1024.0) as usize);
    let mut body = serde_json::json!({
        "study": format!("1.2.840.10008.{system}.{}", st.draws.load(Ordering::Relaxed)),
        "replication": {"lag_seconds": num(&k, "replication_lag_s")},
        "bytes": filler,
    });
    // the fields a rehearsed config reads from this body, at its own pointers
    if let Some(fields) = st
        .scenario
        .universe()
        .json_fields
        .get(&format!("{side}.{system}"))
    {
        for (field, pointer) in fields {
            set_pointer(&mut body, pointer, field_value(&k, field));
        }
    }
    json(StatusCode::OK, body)
}

/// A config field's value: the scenario's knob of that name, else 1.
fn field_value(k: &Knobs, field: &str) -> f64 {
    k.get(field).and_then(Knob::num).unwrap_or(1.0)
}

/// Sets the value at a JSON pointer, creating objects on the way (array
/// indexes are treated as object keys: the probe only reads the value).
fn set_pointer(root: &mut serde_json::Value, pointer: &str, v: f64) {
    let mut cur = root;
    let parts: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|p| p.replace("~1", "/").replace("~0", "~"))
        .collect();
    let Some((last, path)) = parts.split_last() else {
        return;
    };
    for p in path {
        if !cur.get(p).is_some_and(serde_json::Value::is_object) {
            if let Some(obj) = cur.as_object_mut() {
                obj.insert(p.clone(), serde_json::json!({}));
            }
        }
        match cur.get_mut(p) {
            Some(next) => cur = next,
            None => return,
        }
    }
    if let Some(obj) = cur.as_object_mut() {
        obj.insert(last.clone(), serde_json::json!(v));
    }
}

/// `/{side}/{system}/metrics`: one series per Prometheus selector a rehearsed
/// config reads from that system, carrying the selector's `=` labels (a `!=`
/// matcher is met by leaving its label out).
async fn system_metrics(
    State(st): State<Shared>,
    Path((side, system)): Path<(String, String)>,
) -> Response {
    let k = match answering(&st, &side, &system).await {
        Ok(k) => k,
        Err(r) => return r,
    };
    let mut out = String::new();
    if let Some(fields) = st
        .scenario
        .universe()
        .prom_fields
        .get(&format!("{side}.{system}"))
    {
        for (field, selector) in fields {
            let Ok(sel) = crate::probe::prom::Selector::parse(selector) else {
                continue;
            };
            let labels: Vec<String> = sel
                .matchers
                .iter()
                .filter(|(_, eq, _)| *eq)
                .map(|(l, _, v)| {
                    format!("{l}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
                })
                .collect();
            let labels = if labels.is_empty() {
                String::new()
            } else {
                format!("{{{}}}", labels.join(","))
            };
            out.push_str(&format!(
                "{}{labels} {}\n",
                sel.name,
                field_value(&k, field)
            ));
        }
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
        .into_response()
}

fn hex_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

async fn checksum(
    State(st): State<Shared>,
    Path((side, dataset)): Path<(String, String)>,
) -> Response {
    let state = st.scenario.state_at(st.scenario_time());
    let (Some(d), true) = (
        state.get(&format!("dataset.{dataset}")),
        side == "source" || side == "target",
    ) else {
        return not_found("dataset");
    };
    // a dataset lives on the system its name starts with (pacs-pilot → pacs)
    let system = dataset.split('-').next().unwrap_or("");
    if let Some(k) = state.get(&format!("{side}.{system}")) {
        if let Some(r) = trouble(&st, k).await {
            return r;
        }
    }
    let mut count = num(d, "count").max(0.0) as i64;
    let drift = if side == "target" {
        count += num(d, "target_count_delta") as i64;
        text(d, "drift_bucket")
    } else {
        ""
    };
    let mut buckets = BTreeMap::new();
    for i in 0..(num(d, "buckets").clamp(0.0, 120.0) as u32) {
        let name = format!("{}-{:02}", 2024 + i / 12, i % 12 + 1);
        let tag = if name == drift { "drifted" } else { "v1" };
        buckets.insert(name.clone(), hex_of(&[&dataset, &name, tag]));
    }
    let all: Vec<&str> = buckets.values().map(String::as_str).collect();
    let count_text = count.max(0).to_string();
    let digest = hex_of(&[&[dataset.as_str(), count_text.as_str()], all.as_slice()].concat());
    json(
        StatusCode::OK,
        serde_json::json!({
            "dataset": dataset, "count": count.max(0), "digest": digest, "buckets": buckets,
            "as_of": crate::probe::system_clock()().to_rfc3339(),
        }),
    )
}

/// The QIDO-RS archive of `dataset` on `side` now, or the answer given
/// instead (no such dataset; the outage, hang or error of the system the
/// dataset belongs to, as for checksums).
async fn archive(st: &SimState, side: &str, dataset: &str) -> Result<qido::Archive, Response> {
    let state = st.scenario.state_at(st.scenario_time());
    let (Some(d), true) = (
        state.get(&format!("dataset.{dataset}")),
        side == "source" || side == "target",
    ) else {
        return Err(not_found("dataset"));
    };
    let system = dataset.split('-').next().unwrap_or("");
    if let Some(k) = state.get(&format!("{side}.{system}")) {
        if let Some(r) = trouble(st, k).await {
            return Err(r);
        }
    }
    Ok(qido::Archive::of(dataset, d, side))
}

fn dicom_json(v: serde_json::Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/dicom+json")],
        v.to_string(),
    )
        .into_response()
}

async fn qido_studies(
    State(st): State<Shared>,
    Path((side, dataset)): Path<(String, String)>,
    Query(params): Query<Vec<(String, String)>>,
) -> Response {
    let a = match archive(&st, &side, &dataset).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match a.list_studies(&params) {
        Ok(v) => dicom_json(v),
        Err(why) => (StatusCode::BAD_REQUEST, format!("{why}\n")).into_response(),
    }
}

async fn qido_series(
    State(st): State<Shared>,
    Path((side, dataset, study)): Path<(String, String, String)>,
) -> Response {
    match archive(&st, &side, &dataset).await {
        // a study the archive lacks: no match, as QIDO says it
        Ok(a) => dicom_json(
            a.list_series(&study)
                .unwrap_or_else(|| serde_json::json!([])),
        ),
        Err(r) => r,
    }
}

async fn qido_instances(
    State(st): State<Shared>,
    Path((side, dataset, study, series)): Path<(String, String, String, String)>,
) -> Response {
    match archive(&st, &side, &dataset).await {
        Ok(a) => dicom_json(
            a.list_instances(&study, &series)
                .unwrap_or_else(|| serde_json::json!([])),
        ),
        Err(r) => r,
    }
}

async fn metrics(State(st): State<Shared>) -> Response {
    let t = st.scenario_time();
    let state = st.scenario.state_at(t);
    let mut out = String::from(
        "# HELP replication_lag_seconds Replication lag of the target behind the source.\n\
         # TYPE replication_lag_seconds gauge\n",
    );
    for sys in &st.scenario.universe().systems {
        if let Some(k) = state.get(&format!("target.{sys}")) {
            out.push_str(&format!(
                "replication_lag_seconds{{system=\"{sys}\"}} {}\n",
                num(k, "replication_lag_s")
            ));
        }
    }
    out.push_str("# HELP interface_queue_delay_seconds Delay of the interface engine queue.\n# TYPE interface_queue_delay_seconds gauge\n");
    for (subject, k) in &state {
        if let Some(name) = subject.strip_prefix("interface.") {
            out.push_str(&format!(
                "interface_queue_delay_seconds{{interface=\"{name}\"}} {}\n",
                num(k, "queue_delay_s")
            ));
        }
    }
    out.push_str(&format!(
        "# TYPE sim_scenario_seconds gauge\nsim_scenario_seconds {}\n",
        t.as_secs_f64()
    ));
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        out,
    )
        .into_response()
}
