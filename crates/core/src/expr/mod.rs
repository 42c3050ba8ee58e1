//! The expression language of gates and thresholds: lexer, parser, AST, evaluation.

pub mod ast;
pub mod eval;
pub mod lexer;
pub mod parser;

pub use ast::{ArithOp, CmpOp, Expr, MetricRef, TwoSampleFn, Ty, WindowFn, BASELINE_STATS};
pub use eval::{eval, eval_cached, ComparisonView, Evaluation, Tri, Value, WindowCache};
pub use lexer::ExprError;
pub use parser::{parse, parse_condition};
