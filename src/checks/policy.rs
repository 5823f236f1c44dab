//! Analysis of a function's resource-based policy: who may invoke it,
//! through which channel, and under which conditions.
//!
//! A grant to everyone counts as restricted only when a condition pins a
//! caller-identifying key (source ARN, source account, organization, event
//! source token and the like) to fixed values. Wildcards and policy
//! variables do not restrict, because `arn:aws:s3:::*` matches any bucket of
//! any account. Deny statements without conditions, or with negated
//! conditions on such keys, remove or restrict the grants they cover.
//!
//! Action names and condition keys are compared in lower case, as IAM does.
//! `Statement`, `Action`, `NotAction`, `Resource` and every principal list
//! may be a single string or a list.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{CheckInput, UnknownReason, Verdict, require};

/// Errors of reading a policy document.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy has no Statement element")]
    NoStatement,
    #[error("statement {index} is not a JSON object")]
    StatementNotObject { index: usize },
}

/// Condition keys that identify the caller or its source. A fixed value on
/// one of these narrows a grant to known callers.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principalorgid",
    "aws:principalorgpaths",
    "lambda:eventsourcetoken",
];

/// Condition operators that grant only when the key equals or matches one
/// of the values. `ForAllValues:` is left out on purpose: it also holds when
/// the key is absent from the request.
const POSITIVE_OPERATORS: &[&str] = &[
    "stringequals",
    "stringequalsignorecase",
    "stringlike",
    "arnequals",
    "arnlike",
];

/// Their negated forms, which restrict when used in a Deny statement.
const NEGATED_OPERATORS: &[&str] = &[
    "stringnotequals",
    "stringnotequalsignorecase",
    "stringnotlike",
    "arnnotequals",
    "arnnotlike",
];

const INVOKE_ACTION: &str = "lambda:invokefunction";
const INVOKE_URL_ACTION: &str = "lambda:invokefunctionurl";
/// The deprecated asynchronous invoke API, which reaches the same code.
const INVOKE_ASYNC_ACTION: &str = "lambda:invokeasync";
const URL_AUTH_TYPE_KEY: &str = "lambda:functionurlauthtype";
const VIA_URL_KEY: &str = "lambda:invokedviafunctionurl";

/// The service principal of Amazon S3, whose bucket ARNs carry no account.
pub const S3_SERVICE: &str = "s3.amazonaws.com";

/// The principal named by a statement.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Principal {
    /// Anyone: `*`, `{"AWS": "*"}`, an account wildcard or `NotPrincipal`.
    Public,
    /// An AWS account, from a bare id or an IAM ARN.
    Account(String),
    /// An AWS service, such as `s3.amazonaws.com` or
    /// `alexa-connectedhome.amazon.com`.
    Service(String),
    /// A federated or canonical-user principal, verbatim.
    Other(String),
}

impl Principal {
    pub fn label(&self) -> String {
        match self {
            Principal::Public => "*".to_string(),
            Principal::Account(account) => format!("account {account}"),
            Principal::Service(service) => service.clone(),
            Principal::Other(other) => other.clone(),
        }
    }
}

/// The path a caller takes to run the function.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Channel {
    /// The Invoke API, signed with AWS credentials or called by a service.
    InvokeApi,
    /// The function URL, including `InvokeFunction` grants conditioned on
    /// the call arriving through the URL.
    FunctionUrl,
}

/// One principal's permission on one channel, from one Allow statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub sid: Option<String>,
    pub principal: Principal,
    pub channel: Channel,
    /// Restricting condition keys with fixed values, in lower case. A key
    /// added by a Deny statement is prefixed with `deny `.
    pub restricted_by: Vec<String>,
    /// Every condition key of the statement, as written.
    pub condition_keys: Vec<String>,
    /// Fixed values of `aws:SourceArn`.
    pub source_arns: Vec<String>,
    /// The value of the `lambda:FunctionUrlAuthType` condition, when set.
    pub url_auth_type: Option<String>,
    /// True for an `InvokeFunction` grant conditioned on the call arriving
    /// through the function URL.
    pub invoked_via_url: bool,
    pub resources: Vec<String>,
}

impl Grant {
    pub fn is_restricted(&self) -> bool {
        !self.restricted_by.is_empty()
    }

    fn restricted_by_key(&self, key: &str) -> bool {
        self.restricted_by
            .iter()
            .any(|restricting| restricting.trim_start_matches("deny ") == key)
    }

    pub fn sid_label(&self) -> String {
        self.sid.clone().unwrap_or_else(|| "(no Sid)".to_string())
    }
}

/// A way anyone can run the function. All public grants on one channel form
/// one exposure, because removing only one of them does not close it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    pub channel: Channel,
    pub sids: Vec<String>,
}

/// The grants of a policy after Deny statements are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PolicyAnalysis {
    pub grants: Vec<Grant>,
    /// Grants that an unconditional Deny statement cancels.
    pub denied: Vec<Grant>,
}

impl PolicyAnalysis {
    /// Grants to everyone without a restricting condition.
    pub fn public_grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants
            .iter()
            .filter(|grant| grant.principal == Principal::Public && !grant.is_restricted())
    }

    /// Groups the public grants into exposures, at most one per channel.
    pub fn exposures(&self) -> Vec<Exposure> {
        [Channel::InvokeApi, Channel::FunctionUrl]
            .into_iter()
            .filter_map(|channel| {
                let sids: Vec<String> = self
                    .public_grants()
                    .filter(|grant| grant.channel == channel)
                    .map(Grant::sid_label)
                    .collect();
                (!sids.is_empty()).then_some(Exposure { channel, sids })
            })
            .collect()
    }

    pub fn is_public(&self) -> bool {
        self.public_grants().next().is_some()
    }

    /// Service principals that any resource of the service could use,
    /// because no condition names the source.
    pub fn unscoped_service_grants(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(|grant| {
            matches!(grant.principal, Principal::Service(_)) && !grant.is_restricted()
        })
    }

    /// S3 grants without a fixed `aws:SourceAccount`, with or without other
    /// conditions. A bucket ARN carries no account id, so after a bucket is
    /// deleted anyone can create one of the same name in another account and
    /// satisfy a SourceArn condition.
    pub fn s3_grants_without_source_account(&self) -> impl Iterator<Item = &Grant> {
        self.grants.iter().filter(|grant| {
            grant.principal == Principal::Service(S3_SERVICE.to_string())
                && !grant.restricted_by_key("aws:sourceaccount")
        })
    }

    /// Grants to accounts other than `owner` and the trusted ones.
    pub fn foreign_account_grants<'a>(
        &'a self,
        owner: &'a str,
        is_trusted: impl Fn(&str) -> bool + 'a,
    ) -> impl Iterator<Item = (&'a str, &'a Grant)> {
        self.grants
            .iter()
            .filter_map(move |grant| match &grant.principal {
                Principal::Account(account) if account != owner && !is_trusted(account) => {
                    Some((account.as_str(), grant))
                }
                _ => None,
            })
    }

    /// Distinct callers: principals, plus each fixed source ARN, since one
    /// service principal may stand for several sources.
    pub fn invokers(&self) -> BTreeSet<String> {
        let mut invokers = BTreeSet::new();
        for grant in &self.grants {
            if grant.source_arns.is_empty() {
                invokers.insert(grant.principal.label());
            }
            invokers.extend(grant.source_arns.iter().cloned());
        }
        invokers
    }
}

/// Reads a JSON value that may be one string or a list of strings.
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items.iter().filter_map(scalar_text).collect(),
        _ => Vec::new(),
    }
}

/// A condition value as text; IAM accepts `true` and `"true"` alike.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Bool(flag) => Some(flag.to_string()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Matches an IAM pattern with `*` and `?` wildcards against a lower-case
/// action name.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_ascii_lowercase().chars().collect();
    let text: Vec<char> = text.chars().collect();
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

/// Checks whether a statement's `Action` or `NotAction` allows `action`.
fn covers_action(statement: &serde_json::Map<String, Value>, action: &str) -> bool {
    if let Some(actions) = statement.get("Action") {
        return strings(Some(actions))
            .iter()
            .any(|pattern| wildcard_match(pattern, action));
    }
    if let Some(excluded) = statement.get("NotAction") {
        return !strings(Some(excluded))
            .iter()
            .any(|pattern| wildcard_match(pattern, action));
    }
    false
}

fn account_of(aws_principal: &str) -> Principal {
    if aws_principal == "*" {
        return Principal::Public;
    }
    if aws_principal.len() == 12 && aws_principal.bytes().all(|b| b.is_ascii_digit()) {
        return Principal::Account(aws_principal.to_string());
    }
    match aws_principal.split(':').nth(4) {
        Some("*") => Principal::Public,
        Some(account) if !account.is_empty() => Principal::Account(account.to_string()),
        _ => Principal::Other(aws_principal.to_string()),
    }
}

/// The principals of a statement. `NotPrincipal` in an Allow statement
/// grants everyone but the named principals, so it counts as public.
fn principals(statement: &serde_json::Map<String, Value>) -> Vec<Principal> {
    if statement.contains_key("NotPrincipal") {
        return vec![Principal::Public];
    }
    match statement.get("Principal") {
        Some(Value::String(text)) if text == "*" => vec![Principal::Public],
        Some(Value::String(text)) => vec![account_of(text)],
        Some(Value::Object(kinds)) => {
            let mut found = Vec::new();
            for (kind, value) in kinds {
                for name in strings(Some(value)) {
                    let principal = match kind.to_ascii_lowercase().as_str() {
                        "aws" => account_of(&name),
                        "service" => Principal::Service(name.to_ascii_lowercase()),
                        _ if name == "*" => Principal::Public,
                        _ => Principal::Other(format!("{kind}:{name}")),
                    };
                    found.push(principal);
                }
            }
            found
        }
        _ => Vec::new(),
    }
}

/// One condition entry, normalised.
struct ConditionEntry {
    operator: String,
    key: String,
    key_as_written: String,
    values: Vec<String>,
}

fn conditions(statement: &serde_json::Map<String, Value>) -> Vec<ConditionEntry> {
    let Some(Value::Object(operators)) = statement.get("Condition") else {
        return Vec::new();
    };
    let mut entries = Vec::new();
    for (operator, keys) in operators {
        let Value::Object(keys) = keys else { continue };
        for (key, value) in keys {
            let values = match value {
                Value::Array(items) => items.iter().filter_map(scalar_text).collect(),
                other => scalar_text(other).into_iter().collect(),
            };
            entries.push(ConditionEntry {
                operator: operator.to_ascii_lowercase(),
                key: key.to_ascii_lowercase(),
                key_as_written: key.clone(),
                values,
            });
        }
    }
    entries
}

fn is_fixed_value(value: &str) -> bool {
    if value.is_empty() || value.contains("${") {
        return false;
    }
    if !value.contains(['*', '?']) {
        return true;
    }
    is_scoped_arn_pattern(value)
}

/// True for an ARN pattern whose wildcards only narrow within one fixed
/// resource, such as API Gateway's `arn:aws:execute-api:REGION:ACCOUNT:API_ID/*/*/path`:
/// partition, service and account (where the ARN has one) are literal, and
/// so is the first segment of the resource. `arn:aws:s3:::*` or an ARN with
/// a wildcard account restricts nothing.
fn is_scoped_arn_pattern(value: &str) -> bool {
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, _region, account, resource] = fields[..] else {
        return false;
    };
    let literal = |text: &str| !text.is_empty() && !text.contains(['*', '?']);
    let first_segment = resource.split(['/', ':']).next().unwrap_or_default();
    // S3 bucket ARNs carry no account; their bucket name is the resource.
    let account_fixed = literal(account) || (account.is_empty() && service == "s3");
    arn == "arn"
        && literal(partition)
        && literal(service)
        && account_fixed
        && literal(first_segment)
}

/// True when the entry pins a restricting key to fixed values under one of
/// `operators`, optionally behind a `ForAnyValue:` prefix.
fn pins_restricting_key(entry: &ConditionEntry, operators: &[&str]) -> bool {
    let operator = entry
        .operator
        .strip_prefix("foranyvalue:")
        .unwrap_or(&entry.operator);
    operators.contains(&operator)
        && RESTRICTING_KEYS.contains(&entry.key.as_str())
        && !entry.values.is_empty()
        && entry.values.iter().all(|value| is_fixed_value(value))
}

fn is_via_url_condition(entry: &ConditionEntry) -> bool {
    entry.key == VIA_URL_KEY
        && matches!(entry.operator.as_str(), "bool" | "stringequals")
        && entry.values.iter().all(|v| v.eq_ignore_ascii_case("true"))
        && !entry.values.is_empty()
}

fn channels(statement: &serde_json::Map<String, Value>, via_url: bool) -> Vec<Channel> {
    let mut found = Vec::new();
    let api =
        covers_action(statement, INVOKE_ACTION) || covers_action(statement, INVOKE_ASYNC_ACTION);
    if covers_action(statement, INVOKE_URL_ACTION) || (api && via_url) {
        found.push(Channel::FunctionUrl);
    }
    if api && !via_url {
        found.push(Channel::InvokeApi);
    }
    found
}

fn grants_of(statement: &serde_json::Map<String, Value>) -> Vec<Grant> {
    let entries = conditions(statement);
    let via_url = entries.iter().any(is_via_url_condition);
    let restricted_by: Vec<String> = entries
        .iter()
        .filter(|entry| pins_restricting_key(entry, POSITIVE_OPERATORS))
        .map(|entry| entry.key.clone())
        .collect();
    let source_arns: Vec<String> = entries
        .iter()
        .filter(|entry| {
            entry.key == "aws:sourcearn" && pins_restricting_key(entry, POSITIVE_OPERATORS)
        })
        .flat_map(|entry| entry.values.iter().cloned())
        .collect();
    let url_auth_type = entries
        .iter()
        .find(|entry| entry.key == URL_AUTH_TYPE_KEY)
        .and_then(|entry| entry.values.first().cloned());
    let sid = statement
        .get("Sid")
        .and_then(Value::as_str)
        .map(str::to_string);
    let resources = strings(statement.get("Resource"));
    let condition_keys: Vec<String> = entries.iter().map(|e| e.key_as_written.clone()).collect();

    let mut grants = Vec::new();
    for channel in channels(statement, via_url) {
        for principal in principals(statement) {
            grants.push(Grant {
                sid: sid.clone(),
                principal,
                channel,
                restricted_by: restricted_by.clone(),
                condition_keys: condition_keys.clone(),
                source_arns: source_arns.clone(),
                url_auth_type: url_auth_type.clone(),
                invoked_via_url: via_url,
                resources: resources.clone(),
            });
        }
    }
    grants
}

/// The effect of one Deny statement on the grants it covers.
enum DenyEffect {
    /// No condition: the grants are cancelled.
    Cancel,
    /// Negated conditions on restricting keys: only the named callers remain.
    Restrict(Vec<String>),
    /// Any other condition, which this analysis does not evaluate.
    Ignored,
}

struct Deny {
    principals: Vec<Principal>,
    channels: Vec<Channel>,
    effect: DenyEffect,
}

fn deny_of(statement: &serde_json::Map<String, Value>) -> Deny {
    let entries = conditions(statement);
    let effect = if entries.is_empty() {
        DenyEffect::Cancel
    } else if entries
        .iter()
        .all(|entry| pins_restricting_key(entry, NEGATED_OPERATORS))
    {
        DenyEffect::Restrict(entries.iter().map(|e| format!("deny {}", e.key)).collect())
    } else {
        // NOTE: Deny statements with other conditions are not evaluated, so
        // a grant they would narrow is still reported.
        DenyEffect::Ignored
    };
    Deny {
        principals: principals(statement),
        channels: channels(statement, false),
        effect,
    }
}

impl Deny {
    fn covers(&self, grant: &Grant) -> bool {
        let channel = self.channels.contains(&grant.channel)
            || (grant.channel == Channel::FunctionUrl
                && self.channels.contains(&Channel::InvokeApi));
        channel
            && self
                .principals
                .iter()
                .any(|p| *p == Principal::Public || *p == grant.principal)
    }
}

/// Analyses a parsed policy document.
pub fn analyze(document: &Value) -> Result<PolicyAnalysis, PolicyError> {
    let statements: Vec<&Value> = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect(),
        Some(single @ Value::Object(_)) => vec![single],
        _ => return Err(PolicyError::NoStatement),
    };

    let mut grants = Vec::new();
    let mut denies = Vec::new();
    for (index, statement) in statements.into_iter().enumerate() {
        let Value::Object(statement) = statement else {
            return Err(PolicyError::StatementNotObject { index });
        };
        let effect = statement
            .get("Effect")
            .and_then(Value::as_str)
            .unwrap_or("");
        if effect.eq_ignore_ascii_case("deny") {
            denies.push(deny_of(statement));
        } else if effect.eq_ignore_ascii_case("allow") {
            grants.extend(grants_of(statement));
        }
    }

    let mut analysis = PolicyAnalysis::default();
    'grants: for mut grant in grants {
        for deny in &denies {
            if !deny.covers(&grant) {
                continue;
            }
            match &deny.effect {
                DenyEffect::Cancel => {
                    analysis.denied.push(grant);
                    continue 'grants;
                }
                DenyEffect::Restrict(keys) => grant.restricted_by.extend(keys.iter().cloned()),
                DenyEffect::Ignored => {}
            }
        }
        analysis.grants.push(grant);
    }
    Ok(analysis)
}

/// Analyses the resource policy of a rule's input. `Ok(None)` means the
/// function has no policy; a policy that cannot be read is `Unknown`.
pub(super) fn analyze_input(input: &CheckInput) -> Result<Option<PolicyAnalysis>, Verdict> {
    let Some(document) = require(&input.resources.policy, "resource policy")? else {
        return Ok(None);
    };
    analyze(&document.parsed).map(Some).map_err(|error| {
        Verdict::unknown(
            UnknownReason::Failed {
                detail: error.to_string(),
            },
            format!("resource policy could not be read: {error}"),
        )
    })
}

/// True when `resource` is a function ARN without qualifier or with
/// `$LATEST`, so a caller it grants runs unpublished code.
pub fn is_unqualified_function_arn(resource: &str) -> bool {
    let fields: Vec<&str> = resource.split(':').collect();
    fields.get(5) == Some(&"function") && (fields.len() == 7 || fields.get(7) == Some(&"$LATEST"))
}

#[cfg(test)]
mod fixed_value_tests {
    use super::is_fixed_value;

    #[test]
    fn scoped_arn_patterns_restrict() {
        let cases = [
            ("123456789012", true),
            (
                "arn:aws:execute-api:us-east-1:123456789012:abc123/*/*/orders/*",
                true,
            ),
            ("arn:aws:execute-api:us-east-1:123456789012:abc123/*", true),
            ("arn:aws:s3:::orders-uploads", true),
            ("arn:aws:execute-api:us-east-1:*:abc123/*", false),
            ("arn:aws:execute-api:us-east-1:123456789012:*", false),
            ("arn:aws:s3:::*", false),
            ("arn:aws:*", false),
            ("*", false),
            ("${aws:PrincipalAccount}", false),
            ("", false),
        ];
        for (value, expected) in cases {
            assert_eq!(is_fixed_value(value), expected, "{value}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_matches_actions() {
        assert!(wildcard_match("*", INVOKE_ACTION));
        assert!(wildcard_match("lambda:*", INVOKE_URL_ACTION));
        assert!(wildcard_match("Lambda:Invoke*", INVOKE_ACTION));
        assert!(wildcard_match("lambda:invoke?unction", INVOKE_ACTION));
        assert!(!wildcard_match("lambda:get*", INVOKE_ACTION));
        assert!(!wildcard_match("lambda:invokefunction", INVOKE_URL_ACTION));
    }

    #[test]
    fn unqualified_arn_detection() {
        let base = "arn:aws:lambda:eu-west-1:123456789012:function:orders";
        assert!(is_unqualified_function_arn(base));
        assert!(is_unqualified_function_arn(&format!("{base}:$LATEST")));
        assert!(!is_unqualified_function_arn(&format!("{base}:live")));
        assert!(!is_unqualified_function_arn(&format!("{base}:7")));
        assert!(!is_unqualified_function_arn("*"));
    }

    #[test]
    fn account_principal_forms() {
        assert_eq!(account_of("*"), Principal::Public);
        assert_eq!(account_of("arn:aws:iam::*:root"), Principal::Public);
        assert_eq!(
            account_of("111122223333"),
            Principal::Account("111122223333".to_string())
        );
        assert_eq!(
            account_of("arn:aws:iam::111122223333:role/caller"),
            Principal::Account("111122223333".to_string())
        );
    }

    #[test]
    fn missing_statement_is_error() {
        let document = serde_json::json!({"Version": "2012-10-17"});
        assert_eq!(analyze(&document), Err(PolicyError::NoStatement));
        let document = serde_json::json!({"Statement": ["text"]});
        assert_eq!(
            analyze(&document),
            Err(PolicyError::StatementNotObject { index: 0 })
        );
    }
}
