use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How a function's code is packaged. Image functions carry no runtime and no
/// handler, so every view and rule has to treat them on their own terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PackageType {
    Zip,
    Image,
    /// A value this build does not know, kept verbatim.
    Other(String),
}

/// The configuration of one function as ListFunctions returns it for
/// `$LATEST`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Function {
    pub region: String,
    pub name: String,
    pub arn: String,
    /// The runtime identifier exactly as AWS sent it. Runtime names are an
    /// open set (`python3.14` may be newer than this build), so it stays a
    /// string; `None` for container images.
    pub runtime: Option<String>,
    pub package_type: PackageType,
    pub handler: Option<String>,
    pub memory_mb: Option<i32>,
    pub timeout_s: Option<i32>,
    pub architectures: Vec<String>,
    pub code_size_bytes: i64,
    pub description: Option<String>,
    pub role: Option<String>,
    /// `LastModified` parsed from AWS's `2024-08-07T13:20:10.000+0000` form.
    pub last_modified: Option<DateTime<Utc>>,
    pub state: Option<String>,
    pub last_update_status: Option<String>,
    pub tracing_mode: Option<String>,
    pub revision_id: Option<String>,
    pub vpc: Option<VpcConfig>,
    /// Names of the environment variables. Snapshots keep only these: the
    /// values may hold secrets, and snapshots are files people pass around.
    pub environment_keys: Vec<String>,
    pub layers: Vec<String>,
    pub dead_letter_target: Option<String>,
    pub kms_key_arn: Option<String>,
    pub log_group: Option<String>,
    pub log_format: Option<String>,
    pub ephemeral_storage_mb: Option<i32>,
    /// Values of the environment variables, read for the secrets rule. They
    /// stay in memory: serde skips them, so snapshots hold only the names,
    /// and `None` means they were not read (such as in an opened snapshot).
    #[serde(skip)]
    pub environment: Option<EnvironmentValues>,
}

/// Environment variable values by name. `Debug` prints the names only, so a
/// logged `Function` never carries a secret.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct EnvironmentValues(pub BTreeMap<String, String>);

impl fmt::Debug for EnvironmentValues {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Function {
    pub fn is_image(&self) -> bool {
        self.package_type == PackageType::Image
    }

    /// The runtime as people read it: the identifier, or "container image".
    pub fn runtime_label(&self) -> String {
        match (&self.runtime, &self.package_type) {
            (Some(runtime), _) => runtime.clone(),
            (None, PackageType::Image) => "container image".to_string(),
            (None, PackageType::Other(kind)) => kind.clone(),
            (None, PackageType::Zip) => "unknown".to_string(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpcConfig {
    pub vpc_id: Option<String>,
    pub subnet_ids: Vec<String>,
    pub security_group_ids: Vec<String>,
}

/// One extra version in an alias's weighted routing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoutingWeight {
    pub version: String,
    /// Share of traffic between 0.0 and 1.0.
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub function_version: String,
    /// Additional versions and their weights; the primary version receives
    /// the remainder.
    pub routing: Vec<RoutingWeight>,
    pub revision_id: Option<String>,
    pub description: Option<String>,
}

impl Alias {
    /// Every version that receives traffic, with its share, primary first.
    pub fn traffic_split(&self) -> Vec<(String, f64)> {
        let extra: f64 = self.routing.iter().map(|r| r.weight).sum();
        let mut split = vec![(self.function_version.clone(), (1.0 - extra).max(0.0))];
        split.extend(self.routing.iter().map(|r| (r.version.clone(), r.weight)));
        split
    }

    pub fn is_weighted(&self) -> bool {
        !self.routing.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub version: String,
    pub description: Option<String>,
    pub runtime: Option<String>,
    pub memory_mb: Option<i32>,
    pub code_sha256: Option<String>,
    pub last_modified: Option<DateTime<Utc>>,
    pub revision_id: Option<String>,
    pub role: Option<String>,
    pub dead_letter_target: Option<String>,
}

/// The identity the credentials resolve to, shown in the header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallerIdentity {
    pub account: Option<String>,
    pub arn: Option<String>,
    pub user_id: Option<String>,
}

/// Tags as returned by ListTags.
pub type Tags = BTreeMap<String, String>;
