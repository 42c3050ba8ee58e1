//! The simulator (placeholder until built).
