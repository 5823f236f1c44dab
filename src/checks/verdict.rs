//! The vocabulary of a checklist result: severity, topic, verdict status,
//! evidence and the reason behind an `Unknown`.

use serde::{Deserialize, Serialize};

use crate::aws::{AwsError, ErrorKind};
use crate::model::Collected;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Topic {
    Isolation,
    Vulnerabilities,
    Runtime,
    Cost,
    Deployment,
    Observability,
    NetworkExposure,
    Secrets,
    RequestValidation,
    Throttling,
    DownstreamProtection,
}

/// Why a rule could not decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum UnknownReason {
    /// The data layer has not collected the named data.
    DataMissing { what: String },
    /// The credentials lack the named IAM action.
    AccessDenied { action: String },
    /// The endpoint or region does not offer the call or the feature is off.
    Unsupported { action: String },
    /// The data exists but holds too few datapoints to judge.
    InsufficientData { what: String },
    /// A value this build does not recognise, such as a runtime newer than
    /// the embedded table.
    Unrecognized { value: String },
    /// Any other failure of the call or of parsing the data.
    Failed { detail: String },
}

impl UnknownReason {
    /// Converts a failed AWS call into the reason shown to the user.
    pub fn from_error(error: &AwsError) -> Self {
        match error.kind {
            ErrorKind::AccessDenied => UnknownReason::AccessDenied {
                action: error.action.clone(),
            },
            ErrorKind::Unsupported => UnknownReason::Unsupported {
                action: error.action.clone(),
            },
            _ => UnknownReason::Failed {
                detail: error.to_string(),
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Unknown(UnknownReason),
    NotApplicable,
}

/// One field value a verdict was based on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    pub name: String,
    pub value: String,
}

/// The outcome of one rule on one function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub status: Status,
    /// One sentence that says what was found.
    pub summary: String,
    pub evidence: Vec<Evidence>,
    /// A severity that replaces the rule's default for this result, such as
    /// the highest severity among Inspector findings.
    pub severity: Option<Severity>,
}

impl Verdict {
    fn with_status(status: Status, summary: impl Into<String>) -> Self {
        Self {
            status,
            summary: summary.into(),
            evidence: Vec::new(),
            severity: None,
        }
    }

    pub fn pass(summary: impl Into<String>) -> Self {
        Self::with_status(Status::Pass, summary)
    }

    pub fn fail(summary: impl Into<String>) -> Self {
        Self::with_status(Status::Fail, summary)
    }

    pub fn warn(summary: impl Into<String>) -> Self {
        Self::with_status(Status::Warn, summary)
    }

    pub fn not_applicable(summary: impl Into<String>) -> Self {
        Self::with_status(Status::NotApplicable, summary)
    }

    pub fn unknown(reason: UnknownReason, summary: impl Into<String>) -> Self {
        Self::with_status(Status::Unknown(reason), summary)
    }

    /// An `Unknown` for data the data layer has not collected.
    pub fn missing(what: &str) -> Self {
        Self::unknown(
            UnknownReason::DataMissing {
                what: what.to_string(),
            },
            format!("{what} not collected"),
        )
    }

    /// An `Unknown` for too little data, such as an empty metric series.
    pub fn insufficient(what: &str) -> Self {
        Self::unknown(
            UnknownReason::InsufficientData {
                what: what.to_string(),
            },
            format!("no data: {what}"),
        )
    }

    pub fn with(mut self, name: impl Into<String>, value: impl ToString) -> Self {
        self.evidence.push(Evidence {
            name: name.into(),
            value: value.to_string(),
        });
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = Some(severity);
        self
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.status, Status::Unknown(_))
    }
}

/// Borrows the loaded value, or returns the `Unknown` verdict that says why
/// there is none.
pub fn require<'a, T>(collected: &'a Collected<T>, what: &str) -> Result<&'a T, Verdict> {
    match collected {
        Collected::Loaded(value) => Ok(value),
        Collected::NotCollected => Err(Verdict::missing(what)),
        Collected::Failed(error) => Err(Verdict::unknown(
            UnknownReason::from_error(error),
            format!("{what} could not be read: {error}"),
        )),
    }
}

/// The evaluation of one rule, so rule bodies can use `?` on [`require`].
pub type Evaluation = Result<Verdict, Verdict>;
