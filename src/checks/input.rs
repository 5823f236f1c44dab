//! Everything one evaluation of the checklist reads about one function.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{UnknownReason, Verdict};
use crate::aws::AwsError;
use crate::model::{AccountResources, Alias, Function, FunctionResources};

/// The tag whose value lists rule ids, separated by commas, whose results are
/// shown as suppressed on this function.
pub const SUPPRESS_TAG: &str = "anshin:suppress";

/// The tag that marks a function as calling a downstream that cannot scale
/// with Lambda, when its value is `non-scalable`.
pub const DOWNSTREAM_TAG: &str = "anshin:downstream";

/// The input of every rule. `None` in an `Option` field means the data has
/// not been loaded, which rules report as `Unknown`.
#[derive(Debug, Clone, Copy)]
pub struct CheckInput<'a> {
    pub function: &'a Function,
    pub aliases: Option<&'a [Alias]>,
    /// The error that left `aliases` at `None`, when reading them failed.
    pub aliases_error: Option<&'a AwsError>,
    pub tags: Option<&'a BTreeMap<String, String>>,
    /// Environment variable values by name. They come separately because
    /// the model stores names only, so that snapshots never hold secrets.
    pub environment: Option<&'a BTreeMap<String, String>>,
    pub resources: &'a FunctionResources,
    pub account: &'a AccountResources,
    /// The account that owns the function; `None` when the caller identity is
    /// not known yet.
    pub account_id: Option<&'a str>,
    pub now: DateTime<Utc>,
}

impl<'a> CheckInput<'a> {
    /// Returns the aliases, or the `Unknown` verdict that explains why they are missing,
    /// naming the IAM action when the call was denied.
    pub fn require_aliases(&self) -> Result<&'a [Alias], Verdict> {
        match (self.aliases, self.aliases_error) {
            (Some(aliases), _) => Ok(aliases),
            (None, Some(error)) => Err(Verdict::unknown(
                UnknownReason::from_error(error),
                format!("aliases could not be read: {error}"),
            )),
            (None, None) => Err(Verdict::missing("aliases")),
        }
    }

    /// An input with only the function configuration loaded.
    pub fn new(
        function: &'a Function,
        resources: &'a FunctionResources,
        account: &'a AccountResources,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            function,
            aliases: None,
            aliases_error: None,
            tags: None,
            environment: None,
            resources,
            account,
            account_id: None,
            now,
        }
    }

    /// The account id of the function: the caller identity when known,
    /// otherwise the fifth field of the function ARN.
    pub fn owner_account(&self) -> Option<&'a str> {
        self.account_id
            .or_else(|| self.function.arn.split(':').nth(4))
            .filter(|account| !account.is_empty())
    }

    /// Rule ids listed in the function's suppression tag.
    pub fn suppressed_rules(&self) -> Vec<&'a str> {
        self.tags
            .and_then(|tags| tags.get(SUPPRESS_TAG))
            .map(|value| {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|id| !id.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    }
}
