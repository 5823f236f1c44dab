//! Guarded traffic shifts of Lambda aliases: strategies and their step
//! plans, alias routing validation, guard verdicts from CloudWatch data,
//! pre-flight checks and the persisted state machine.
//!
//! Everything here but `executor` is pure: no AWS calls and no clock. The
//! executor reads AWS, passes the time and the observations in, and performs
//! the returned decisions.

pub mod executor;
pub mod guard;
pub mod machine;
pub mod preflight;
pub mod runner;
pub mod state;
pub mod strategy;
pub mod target;
pub mod transition;
pub mod weights;

pub use guard::{
    AlarmScope, AnalysisWindow, DurationSeries, Evaluation, InconclusiveReason, MIN_METRICS_LAG,
    Observations, Thresholds, UnhealthyReason, Verdict, VersionStats, analysis_window, evaluate,
    metrics_lag, window_final_at,
};
pub use machine::{Decision, Outcome, WaitReason, decide};
pub use state::{
    Conflict, Phase, PlanError, ROLLOUT_FORMAT_VERSION, RollbackReason, Rollout, RolloutConfig,
    StateError, Write, WriteFailure,
};
pub use strategy::{Step, Strategy, StrategyError};
pub use transition::{Event, TransitionError};
pub use weights::{AliasRouting, RoutingError, VersionWeight, Weight, is_published_version};
