//! Alias routing: traffic shares kept as exact basis points, validation of
//! `UpdateAlias` routing before any API call, and the request that reaches a
//! plan step, promotes, or rolls back.
//!
//! Lambda's rules, from AliasRoutingConfiguration in the Lambda API
//! reference: an alias routes to its `FunctionVersion` plus at most one entry
//! of `AdditionalVersionWeights`. The entry's key must match `[0-9]+`, so it
//! is never `$LATEST`. Its value is the ADDITIONAL version's share, between
//! 0.0 and 1.0, and the primary version receives the rest.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::Alias;

/// Basis points in a whole (100 %).
const FULL_BASIS_POINTS: u16 = 10_000;

/// A share of an alias's traffic in basis points (0.01 percentage points).
///
/// Shares are integers so that 1 − 0.95 is exactly 5 % and 0.95 prints as
/// "95%", never "94.99999%". Lambda takes a double; [`Weight::as_fraction`]
/// converts with one correctly rounded division, which yields the double
/// nearest the decimal (0.95 for 9,500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Weight(u16);

impl Weight {
    pub const ZERO: Weight = Weight(0);
    pub const FULL: Weight = Weight(FULL_BASIS_POINTS);

    /// Converts a whole percentage. Values above 100 saturate at 100 %.
    pub const fn from_percent(percent: u8) -> Self {
        let percent = if percent > 100 { 100 } else { percent };
        Weight(percent as u16 * 100)
    }

    pub fn from_basis_points(basis_points: u16) -> Result<Self, RoutingError> {
        if basis_points > FULL_BASIS_POINTS {
            return Err(RoutingError::BasisPointsOutOfRange(basis_points));
        }
        Ok(Weight(basis_points))
    }

    /// Converts a Lambda weight (0.0 to 1.0) to the nearest basis point.
    /// Finer differences than 0.01 percentage points are rounded away.
    pub fn from_fraction(fraction: f64) -> Result<Self, RoutingError> {
        if !fraction.is_finite() || !(0.0..=1.0).contains(&fraction) {
            return Err(RoutingError::FractionOutOfRange(fraction));
        }
        // In range, so the product lies in 0.0..=10_000.0 and fits a u16.
        Ok(Weight(
            (fraction * f64::from(FULL_BASIS_POINTS)).round() as u16
        ))
    }

    pub fn basis_points(self) -> u16 {
        self.0
    }

    /// Returns the share as Lambda's `AdditionalVersionWeights` value.
    pub fn as_fraction(self) -> f64 {
        f64::from(self.0) / f64::from(FULL_BASIS_POINTS)
    }

    /// The rest of the traffic: what the primary version receives.
    pub fn complement(self) -> Weight {
        Weight(FULL_BASIS_POINTS - self.0)
    }
}

impl fmt::Display for Weight {
    /// Prints a percentage with at most two decimals and no trailing zeros:
    /// "95%", "12.5%", "0.01%".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        let hundredths = self.0 % 100;
        if hundredths == 0 {
            write!(f, "{whole}%")
        } else if hundredths.is_multiple_of(10) {
            write!(f, "{whole}.{}%", hundredths / 10)
        } else {
            write!(f, "{whole}.{hundredths:02}%")
        }
    }
}

impl TryFrom<u16> for Weight {
    type Error = RoutingError;

    fn try_from(value: u16) -> Result<Self, Self::Error> {
        Weight::from_basis_points(value)
    }
}

impl From<Weight> for u16 {
    fn from(weight: Weight) -> Self {
        weight.0
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoutingError {
    #[error(
        "invalid routing: {count} additional versions ({versions}); an alias routes to its \
         FunctionVersion plus at most one additional version"
    )]
    TooManyAdditionalVersions { count: usize, versions: String },
    #[error(
        "invalid weight {weight} for version {version}: AdditionalVersionWeights values must \
         be at least 0.0 and below 1.0; to move all traffic, set FunctionVersion to {version} \
         with no routing"
    )]
    WeightOutOfRange { version: String, weight: f64 },
    #[error("invalid weight {0}: a traffic share is a fraction from 0.0 to 1.0")]
    FractionOutOfRange(f64),
    #[error("invalid weight of {0} basis points: a traffic share is at most 10000")]
    BasisPointsOutOfRange(u16),
    #[error(
        "invalid additional version {0:?}: weighted routing needs a published version number \
         (digits only, never $LATEST); publish the code first"
    )]
    AdditionalVersionNotPublished(String),
    #[error(
        "invalid primary version {0:?}: an alias with weighted routing must point to a \
         published version number, not $LATEST or another alias"
    )]
    PrimaryVersionNotPublished(String),
    #[error(
        "invalid routing: additional version {0} is also the alias's FunctionVersion; route \
         to a different version or remove the routing"
    )]
    AdditionalSameAsPrimary(String),
}

/// True for a published version number as Lambda writes it: digits only.
/// `$LATEST`, alias names and empty strings are not published versions.
pub fn is_published_version(version: &str) -> bool {
    !version.is_empty() && version.bytes().all(|byte| byte.is_ascii_digit())
}

/// An additional version and its share of the alias's traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionWeight {
    pub version: String,
    pub weight: Weight,
}

/// The routing part of an `UpdateAlias` request, validated: `FunctionVersion`
/// and at most one additional version with its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasRouting {
    /// `FunctionVersion`: the primary version, which receives the traffic
    /// that the additional version does not.
    pub function_version: String,
    /// The single entry of `AdditionalVersionWeights`, if any. `None` sends
    /// an empty routing configuration, which clears any earlier split.
    pub additional: Option<VersionWeight>,
}

impl AliasRouting {
    /// All traffic to one version, with no routing.
    pub fn single(version: impl Into<String>) -> Self {
        AliasRouting {
            function_version: version.into(),
            additional: None,
        }
    }

    /// The routing for one plan step: the stable version stays primary and
    /// the new version gets `new_weight` as the additional version, as
    /// CodeDeploy shifts Lambda traffic. At 100 % the new version becomes
    /// primary with no routing (promotion); at 0 % the stable version takes
    /// all traffic (rollback).
    pub fn for_step(stable: &str, new: &str, new_weight: Weight) -> Result<Self, RoutingError> {
        if new_weight == Weight::FULL {
            return Ok(AliasRouting::single(new));
        }
        if new_weight == Weight::ZERO {
            return Ok(AliasRouting::single(stable));
        }
        let routing = AliasRouting {
            function_version: stable.to_string(),
            additional: Some(VersionWeight {
                version: new.to_string(),
                weight: new_weight,
            }),
        };
        routing.validate()?;
        Ok(routing)
    }

    /// Validates a request's `FunctionVersion` and `AdditionalVersionWeights`
    /// as Lambda would, so that a bad request is rejected before any call.
    pub fn from_request(
        function_version: &str,
        additional_version_weights: &BTreeMap<String, f64>,
    ) -> Result<Self, RoutingError> {
        if additional_version_weights.len() > 1 {
            let versions = additional_version_weights
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            return Err(RoutingError::TooManyAdditionalVersions {
                count: additional_version_weights.len(),
                versions,
            });
        }
        let additional = match additional_version_weights.iter().next() {
            None => None,
            Some((version, &fraction)) => {
                // Lambda documents 1.0 as the maximum, but a weight of 1.0
                // leaves the primary version nothing. anshin expresses that as
                // a promotion, so it never sends such a weight.
                if !fraction.is_finite() || !(0.0..1.0).contains(&fraction) {
                    return Err(RoutingError::WeightOutOfRange {
                        version: version.clone(),
                        weight: fraction,
                    });
                }
                Some(VersionWeight {
                    version: version.clone(),
                    weight: Weight::from_fraction(fraction)?,
                })
            }
        };
        let routing = AliasRouting {
            function_version: function_version.to_string(),
            additional,
        };
        routing.validate()?;
        Ok(routing)
    }

    /// Reads the current routing of an alias returned by GetAlias.
    pub fn from_alias(alias: &Alias) -> Result<Self, RoutingError> {
        let weights: BTreeMap<String, f64> = alias
            .routing
            .iter()
            .map(|routing| (routing.version.clone(), routing.weight))
            .collect();
        AliasRouting::from_request(&alias.function_version, &weights)
    }

    fn validate(&self) -> Result<(), RoutingError> {
        let Some(additional) = &self.additional else {
            return Ok(());
        };
        if !is_published_version(&additional.version) {
            return Err(RoutingError::AdditionalVersionNotPublished(
                additional.version.clone(),
            ));
        }
        if !is_published_version(&self.function_version) {
            return Err(RoutingError::PrimaryVersionNotPublished(
                self.function_version.clone(),
            ));
        }
        if additional.version == self.function_version {
            return Err(RoutingError::AdditionalSameAsPrimary(
                additional.version.clone(),
            ));
        }
        if additional.weight == Weight::FULL {
            return Err(RoutingError::WeightOutOfRange {
                version: additional.version.clone(),
                weight: additional.weight.as_fraction(),
            });
        }
        Ok(())
    }

    /// `AdditionalVersionWeights` as the SDK takes it; empty clears routing.
    pub fn additional_version_weights(&self) -> BTreeMap<String, f64> {
        self.additional
            .iter()
            .map(|entry| (entry.version.clone(), entry.weight.as_fraction()))
            .collect()
    }

    /// Every version that receives traffic with its share, primary first.
    /// The map weight belongs to the additional version, so the primary gets
    /// the complement.
    pub fn traffic_split(&self) -> Vec<(String, Weight)> {
        match &self.additional {
            None => vec![(self.function_version.clone(), Weight::FULL)],
            Some(additional) => vec![
                (
                    self.function_version.clone(),
                    additional.weight.complement(),
                ),
                (additional.version.clone(), additional.weight),
            ],
        }
    }

    /// Returns the share that `version` receives, zero when the alias does
    /// not route to it.
    pub fn share_of(&self, version: &str) -> Weight {
        self.traffic_split()
            .into_iter()
            .find(|(candidate, _)| candidate == version)
            .map_or(Weight::ZERO, |(_, weight)| weight)
    }
}

impl fmt::Display for AliasRouting {
    /// "version 2 = 5%, version 1 = 95%" style, primary first.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self
            .traffic_split()
            .into_iter()
            .map(|(version, weight)| format!("version {version} = {weight}"))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_display_is_exact() {
        let cases = [
            (0.95, "95%"),
            (0.05, "5%"),
            (0.1, "10%"),
            (0.125, "12.5%"),
            (0.0001, "0.01%"),
            (0.3333, "33.33%"),
        ];
        for (fraction, expected) in cases {
            let weight = Weight::from_fraction(fraction).expect("valid fraction");
            assert_eq!(weight.to_string(), expected, "{fraction}");
        }
    }

    #[test]
    fn complement_of_95_is_exactly_5() {
        let weight = Weight::from_fraction(0.95).expect("valid fraction");
        assert_eq!(weight.complement().to_string(), "5%");
        assert_eq!(weight.complement().basis_points(), 500);
    }

    #[test]
    fn fraction_round_trips_to_decimal_double() {
        for percent in 1..=99u8 {
            let weight = Weight::from_percent(percent);
            let expected = format!("0.{percent:02}").parse::<f64>().expect("decimal");
            assert_eq!(weight.as_fraction(), expected, "{percent}%");
        }
    }

    #[test]
    fn fraction_rejects_non_finite() {
        assert!(Weight::from_fraction(f64::NAN).is_err());
        assert!(Weight::from_fraction(f64::INFINITY).is_err());
        assert!(Weight::from_fraction(-0.1).is_err());
    }

    #[test]
    fn published_version_is_digits_only() {
        assert!(is_published_version("12"));
        assert!(!is_published_version("$LATEST"));
        assert!(!is_published_version(""));
        assert!(!is_published_version("live"));
    }

    #[test]
    fn serde_rejects_weight_above_full() {
        let parsed: Result<Weight, _> = serde_json::from_str("10001");
        assert!(parsed.is_err());
    }
}
