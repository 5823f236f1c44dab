//! Traffic-shift strategies, named as CodeDeploy names its predefined Lambda
//! deployment configurations, and the step plan each one expands to.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::weights::Weight;

/// Prefix of CodeDeploy's predefined configuration names. Accepted on input,
/// so a name copied from a SAM template or the CodeDeploy console parses.
const CODEDEPLOY_PREFIX: &str = "CodeDeployDefault.Lambda";

/// Traffic-shift strategy from the stable version to the new one.
///
/// Serialized as its name (`Canary10Percent5Minutes`, `linear:25:3`), so a
/// persisted rollout reads the same way the operator typed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Strategy {
    /// `percent` of the traffic for `interval_minutes`, then all of it.
    Canary { percent: u8, interval_minutes: u32 },
    /// `percent` more of the traffic every `interval_minutes` until all of
    /// it has moved.
    Linear { percent: u8, interval_minutes: u32 },
    /// All traffic at once, with no bake.
    AllAtOnce,
}

/// The predefined CodeDeploy Lambda configurations, by name.
const PREDEFINED: &[(&str, Strategy)] = &[
    ("Canary10Percent5Minutes", Strategy::canary(10, 5)),
    ("Canary10Percent10Minutes", Strategy::canary(10, 10)),
    ("Canary10Percent15Minutes", Strategy::canary(10, 15)),
    ("Canary10Percent30Minutes", Strategy::canary(10, 30)),
    ("Linear10PercentEvery1Minute", Strategy::linear(10, 1)),
    ("Linear10PercentEvery2Minutes", Strategy::linear(10, 2)),
    ("Linear10PercentEvery3Minutes", Strategy::linear(10, 3)),
    ("Linear10PercentEvery10Minutes", Strategy::linear(10, 10)),
    ("AllAtOnce", Strategy::AllAtOnce),
];

/// One step of a plan: route `weight` of the alias's traffic to the new
/// version, then watch it for `bake` before the next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// Share of the traffic on the new version. The last step of every plan
    /// is [`Weight::FULL`], which promotes the new version.
    pub weight: Weight,
    /// How long the guard watches this step before the next one. Zero on the
    /// last step: once the new version takes all traffic, there is no stable
    /// version left to compare against.
    pub bake: Duration,
}

impl Step {
    pub fn is_promotion(&self) -> bool {
        self.weight == Weight::FULL
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StrategyError {
    #[error(
        "unknown strategy {0:?}: use a CodeDeploy name such as Canary10Percent5Minutes, \
         Linear10PercentEvery1Minute or AllAtOnce, or canary:PERCENT:MINUTES or \
         linear:PERCENT:MINUTES"
    )]
    Unknown(String),
    #[error("invalid strategy {input:?}: expected {kind}:PERCENT:MINUTES, such as {kind}:10:5")]
    Malformed { input: String, kind: &'static str },
    #[error(
        "invalid percent {value:?} in strategy {input:?}: use a whole number from 1 to 99 \
         (100 would move all traffic at once; use AllAtOnce for that)"
    )]
    InvalidPercent { input: String, value: String },
    #[error("invalid minutes {value:?} in strategy {input:?}: use a whole number of at least 1")]
    InvalidMinutes { input: String, value: String },
}

impl Strategy {
    pub const fn canary(percent: u8, interval_minutes: u32) -> Self {
        Strategy::Canary {
            percent,
            interval_minutes,
        }
    }

    pub const fn linear(percent: u8, interval_minutes: u32) -> Self {
        Strategy::Linear {
            percent,
            interval_minutes,
        }
    }

    /// Expands the strategy into steps. Every plan ends with one step at
    /// 100 %, so a linear percentage that does not divide 100 (such as 30)
    /// still promotes: 30, 60, 90, then 100.
    pub fn plan(&self) -> Vec<Step> {
        let promote = Step {
            weight: Weight::FULL,
            bake: Duration::ZERO,
        };
        match *self {
            Strategy::AllAtOnce => vec![promote],
            Strategy::Canary {
                percent,
                interval_minutes,
            } => vec![
                Step {
                    weight: Weight::from_percent(percent),
                    bake: minutes(interval_minutes),
                },
                promote,
            ],
            Strategy::Linear {
                percent,
                interval_minutes,
            } => {
                let mut steps: Vec<Step> = (1..)
                    .map(|n: u32| u32::from(percent) * n)
                    .take_while(|total| *total < 100)
                    .map(|total| Step {
                        weight: Weight::from_percent(total as u8),
                        bake: minutes(interval_minutes),
                    })
                    .collect();
                steps.push(promote);
                steps
            }
        }
    }

    /// Returns the CodeDeploy name when the strategy is a predefined one.
    pub fn codedeploy_name(&self) -> Option<&'static str> {
        PREDEFINED
            .iter()
            .find(|(_, strategy)| strategy == self)
            .map(|(name, _)| *name)
    }
}

fn minutes(count: u32) -> Duration {
    Duration::from_secs(u64::from(count) * 60)
}

impl fmt::Display for Strategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(name) = self.codedeploy_name() {
            return f.write_str(name);
        }
        match self {
            Strategy::Canary {
                percent,
                interval_minutes,
            } => write!(f, "canary:{percent}:{interval_minutes}"),
            Strategy::Linear {
                percent,
                interval_minutes,
            } => write!(f, "linear:{percent}:{interval_minutes}"),
            Strategy::AllAtOnce => f.write_str("AllAtOnce"),
        }
    }
}

impl FromStr for Strategy {
    type Err = StrategyError;

    /// Parses a predefined CodeDeploy name, with or without its
    /// `CodeDeployDefault.Lambda` prefix and in any letter case, or a custom
    /// `canary:PERCENT:MINUTES` or `linear:PERCENT:MINUTES`.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let trimmed = input.trim();
        let name = strip_prefix_ignore_case(trimmed, CODEDEPLOY_PREFIX).unwrap_or(trimmed);
        if let Some((_, strategy)) = PREDEFINED
            .iter()
            .find(|(known, _)| known.eq_ignore_ascii_case(name))
        {
            return Ok(*strategy);
        }

        let mut parts = trimmed.split(':');
        let kind = parts.next().unwrap_or_default().to_ascii_lowercase();
        let kind: &'static str = match kind.as_str() {
            "canary" => "canary",
            "linear" => "linear",
            _ => return Err(StrategyError::Unknown(input.to_string())),
        };
        let (Some(percent), Some(interval), None) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(StrategyError::Malformed {
                input: input.to_string(),
                kind,
            });
        };

        let percent = match percent.trim().parse::<u8>() {
            Ok(value) if (1..100).contains(&value) => value,
            _ => {
                return Err(StrategyError::InvalidPercent {
                    input: input.to_string(),
                    value: percent.to_string(),
                });
            }
        };
        let interval_minutes = match interval.trim().parse::<u32>() {
            Ok(value) if value >= 1 => value,
            _ => {
                return Err(StrategyError::InvalidMinutes {
                    input: input.to_string(),
                    value: interval.to_string(),
                });
            }
        };

        Ok(match kind {
            "canary" => Strategy::canary(percent, interval_minutes),
            _ => Strategy::linear(percent, interval_minutes),
        })
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &text[prefix.len()..])
}

impl TryFrom<String> for Strategy {
    type Error = StrategyError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Strategy> for String {
    fn from(strategy: Strategy) -> Self {
        strategy.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_display() {
        for (name, strategy) in PREDEFINED {
            assert_eq!(name.parse::<Strategy>().as_ref(), Ok(strategy), "{name}");
            assert_eq!(strategy.to_string(), *name);
        }
    }

    #[test]
    fn prefix_and_case_accepted() {
        let parsed = "CodeDeployDefault.LambdaCanary10Percent5Minutes".parse::<Strategy>();
        assert_eq!(parsed, Ok(Strategy::canary(10, 5)));
        assert_eq!(
            "allatonce".parse::<Strategy>(),
            Ok(Strategy::AllAtOnce),
            "names match in any letter case"
        );
    }

    #[test]
    fn custom_equal_to_predefined_displays_name() {
        let parsed = "canary:10:5".parse::<Strategy>();
        assert_eq!(parsed, Ok(Strategy::canary(10, 5)));
        assert_eq!(
            Strategy::canary(10, 5).to_string(),
            "Canary10Percent5Minutes"
        );
        assert_eq!(Strategy::linear(25, 4).to_string(), "linear:25:4");
    }
}
