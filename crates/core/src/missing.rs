//! Why a metric query has no value: shared by the metric store and the
//! baseline logs (the store holds a baseline and answers from it), so
//! neither has to import the other for it.

/// Why a metric query has no value. The text names the metric, for the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Missing(pub String);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}
