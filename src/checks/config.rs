//! User settings of the checklist, read from the `[checks]` table of the
//! config file. Every field has a default, so an empty table is valid.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;

use super::Severity;

#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChecksConfig {
    /// Rule ids that are not evaluated at all.
    pub disabled: BTreeSet<String>,
    /// A severity per rule id that replaces the rule's own.
    pub severity_overrides: BTreeMap<String, Severity>,
    /// Account ids besides the function's own that may be granted invoke
    /// permission or publish layers the function uses.
    pub trusted_accounts: BTreeSet<String>,
    /// When true, a function outside a VPC fails NET-007; when false the rule
    /// is not applicable.
    pub require_vpc: bool,
    /// Names of functions that call a downstream that cannot scale with
    /// Lambda, such as a relational database. A function tagged
    /// `anshin:downstream=non-scalable` counts as well.
    pub non_scalable_downstream: BTreeSet<String>,
}

impl ChecksConfig {
    pub fn is_trusted_account(&self, account: &str) -> bool {
        self.trusted_accounts.contains(account)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_uses_defaults() {
        let config: ChecksConfig = toml::from_str("").expect("empty config parses");
        assert_eq!(config, ChecksConfig::default());
        assert!(!config.require_vpc);
    }

    #[test]
    fn fields_parse_from_toml() {
        let config: ChecksConfig = toml::from_str(
            r#"
            disabled = ["OBS-004"]
            trusted_accounts = ["111122223333"]
            require_vpc = true
            non_scalable_downstream = ["orders-writer"]
            [severity_overrides]
            "NET-006" = "high"
            "#,
        )
        .expect("config parses");
        assert!(config.disabled.contains("OBS-004"));
        assert!(config.is_trusted_account("111122223333"));
        assert!(config.require_vpc);
        assert!(config.non_scalable_downstream.contains("orders-writer"));
        assert_eq!(
            config.severity_overrides.get("NET-006"),
            Some(&Severity::High)
        );
    }

    #[test]
    fn unknown_field_is_rejected() {
        let parsed: Result<ChecksConfig, _> = toml::from_str("require_vcp = true");
        assert!(parsed.is_err());
    }
}
