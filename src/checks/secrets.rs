//! Secrets in environment variables. Anyone allowed to read the function
//! configuration (GetFunctionConfiguration) reads them in clear text, so
//! credentials belong in Secrets Manager or Parameter Store.
//!
//! Evidence never shows a value unmasked: see [`mask_secret`].

use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict};

/// Name parts that suggest the value is a credential.
const SECRET_NAME_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "AUTH_KEY",
    "CREDENTIAL",
    "CREDENTIALS",
];

/// Last name parts that show the value points to a secret instead of holding
/// it, such as `DB_SECRET_NAME` or `API_TOKEN_ARN`.
const REFERENCE_NAME_SUFFIXES: &[&str] =
    &["NAME", "ARN", "ID", "PATH", "PARAM", "PARAMETER", "REF"];

/// Shannon entropy, in bits per character, from which a value under a
/// secret-like name counts as a credential rather than a word or a flag.
/// A random 16-character alphanumeric string scores about 3.5 to 4.
const MIN_ENTROPY: f64 = 3.0;
const MIN_SECRET_LENGTH: usize = 8;

/// Prefixes of AWS access key ids: AKIA for long-term keys and ASIA for
/// temporary ones.
const ACCESS_KEY_PREFIXES: &[&str] = &["AKIA", "ASIA"];

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "SEC-001",
        topic: Topic::Secrets,
        severity: Severity::Critical,
        title: "Environment variable holds a secret",
        peer_ids: &[
            "Prowler awslambda_function_no_secrets_in_variables",
            "Checkov CKV_AWS_45",
        ],
        fix: Fix {
            text: "Move the value to AWS Secrets Manager or SSM Parameter Store, read it at start-up, and rotate the exposed credential.",
            doc_url: "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        },
        check: secret_values,
    },
    Rule {
        id: "SEC-002",
        topic: Topic::Secrets,
        severity: Severity::Low,
        title: "Environment variables are not encrypted with a customer managed key",
        peer_ids: &[
            "Prowler awslambda_function_env_vars_not_encrypted_with_cmk",
            "Checkov CKV_AWS_173",
        ],
        fix: Fix {
            text: "Set KMSKeyArn to a customer managed KMS key, so that reading the values needs kms:Decrypt on a key you control.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html",
        },
        check: customer_managed_key,
    },
];

/// Masks a value for evidence. AWS access key ids keep their first and last
/// four characters (`AKIA…MPLE`), because the key id alone grants nothing.
/// Other values show at most their first four characters and their length.
pub fn mask_secret(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let is_key_id = chars.len() == 20 && ACCESS_KEY_PREFIXES.iter().any(|p| value.starts_with(p));
    if is_key_id {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[16..].iter().collect();
        return format!("{head}…{tail}");
    }
    if chars.len() < 12 {
        return format!("({} chars)", chars.len());
    }
    let head: String = chars[..4].iter().collect();
    format!("{head}… ({} chars)", chars.len())
}

/// The first AWS access key id in `value`: a known prefix and 16 upper-case
/// letters or digits, not inside a longer word.
fn find_access_key(value: &str) -> Option<&str> {
    let bytes = value.as_bytes();
    for start in 0..bytes.len() {
        let Some(rest) = value.get(start..) else {
            continue;
        };
        if !ACCESS_KEY_PREFIXES.iter().any(|p| rest.starts_with(p)) {
            continue;
        }
        let boundary_before = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        let body = &bytes[start..];
        let key_like = body.len() >= 20
            && body[4..20]
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let boundary_after = body.get(20).is_none_or(|b| !b.is_ascii_alphanumeric());
        if boundary_before && key_like && boundary_after {
            return value.get(start..start + 20);
        }
    }
    None
}

/// True for PEM private keys of any algorithm and PuTTY key files.
fn has_private_key(value: &str) -> bool {
    (value.contains("-----BEGIN") && value.contains("PRIVATE KEY"))
        || value.contains("PuTTY-User-Key-File")
}

fn is_base64url(segment: &str) -> bool {
    segment
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'=')
}

/// The first JSON Web Token in `value`: three base64url segments separated
/// by dots, where the header and payload are JSON objects (`eyJ` encodes
/// `{"`).
fn find_jwt(value: &str) -> Option<&str> {
    value
        .split(|c: char| c.is_whitespace() || c == '"' || c == '\'')
        .find(|word| {
            let parts: Vec<&str> = word.split('.').collect();
            parts.len() == 3
                && parts[0].starts_with("eyJ")
                && parts[1].starts_with("eyJ")
                && parts[0].len() >= 10
                && parts[1].len() >= 10
                && parts.iter().all(|part| is_base64url(part))
        })
}

/// True for values that point to a secret: ARNs, CloudFormation dynamic
/// references and SSM parameter paths.
fn is_reference(value: &str) -> bool {
    let value = value.trim();
    value.starts_with("arn:")
        || value.starts_with("{{resolve:")
        || (value.starts_with('/') && !value.contains(char::is_whitespace) && value.len() > 1)
}

fn has_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let last = upper.rsplit(['_', '-']).next().unwrap_or_default();
    if REFERENCE_NAME_SUFFIXES.contains(&last) {
        return false;
    }
    SECRET_NAME_WORDS.iter().any(|word| upper.contains(word))
}

/// Shannon entropy in bits per character.
fn entropy(value: &str) -> f64 {
    let chars: Vec<char> = value.chars().collect();
    if chars.is_empty() {
        return 0.0;
    }
    let mut counts = std::collections::BTreeMap::new();
    for c in &chars {
        *counts.entry(*c).or_insert(0usize) += 1;
    }
    let total = chars.len() as f64;
    counts
        .values()
        .map(|count| {
            let p = *count as f64 / total;
            -p * p.log2()
        })
        .sum()
}

/// A suspected secret in one variable.
enum Finding {
    /// A value that is a credential whatever its name.
    Credential(String),
    /// A secret-like name with a random-looking value.
    Likely(String),
}

fn inspect(name: &str, value: &str) -> Option<Finding> {
    if let Some(key) = find_access_key(value) {
        return Some(Finding::Credential(format!(
            "AWS access key id {}",
            mask_secret(key)
        )));
    }
    if has_private_key(value) {
        return Some(Finding::Credential(format!(
            "private key block ({} chars)",
            value.chars().count()
        )));
    }
    if let Some(token) = find_jwt(value) {
        return Some(Finding::Credential(format!(
            "JSON Web Token {}",
            mask_secret(token)
        )));
    }
    if is_reference(value) || !has_secret_name(name) {
        return None;
    }
    let value = value.trim();
    let bits = entropy(value);
    if value.chars().count() >= MIN_SECRET_LENGTH && bits >= MIN_ENTROPY {
        return Some(Finding::Likely(format!(
            "{}, entropy {bits:.1} bits per char",
            mask_secret(value)
        )));
    }
    None
}

fn secret_values(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    if input.function.environment_keys.is_empty() {
        return Ok(Verdict::not_applicable(
            "the function has no environment variables",
        ));
    }
    let Some(environment) = input.environment else {
        return Err(Verdict::missing("environment variable values"));
    };

    let mut credentials = Vec::new();
    let mut likely = Vec::new();
    for (name, value) in environment {
        match inspect(name, value) {
            Some(Finding::Credential(what)) => credentials.push((name, what)),
            Some(Finding::Likely(what)) => likely.push((name, what)),
            None => {}
        }
    }

    let mut verdict = match (credentials.is_empty(), likely.is_empty()) {
        (true, true) => {
            return Ok(Verdict::pass("no value looks like a credential")
                .with("variables_checked", environment.len()));
        }
        (false, _) => Verdict::fail("an environment variable holds a credential"),
        (true, false) => {
            Verdict::fail("a variable with a secret-like name holds a random-looking value")
                .with_severity(Severity::High)
        }
    };
    for (name, what) in credentials.into_iter().chain(likely) {
        verdict = verdict.with(name.clone(), what);
    }
    Ok(verdict)
}

fn customer_managed_key(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    if input.function.environment_keys.is_empty() {
        return Ok(Verdict::not_applicable(
            "the function has no environment variables",
        ));
    }
    Ok(match &input.function.kms_key_arn {
        Some(arn) if !arn.is_empty() => {
            Verdict::pass("a customer managed key encrypts the variables").with("kms_key_arn", arn)
        }
        _ => Verdict::fail("the variables are encrypted with the AWS managed key")
            .with("kms_key_arn", "none"),
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;

    const KEY_ID: &str = "AKIAIOSFODNN7EXAMPLE";

    fn evaluate(variables: &[(&str, &str)]) -> Verdict {
        let mut fixture = Fixture::new();
        fixture.function.environment_keys = variables.iter().map(|(k, _)| k.to_string()).collect();
        let environment: BTreeMap<String, String> = variables
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut input = fixture.input();
        input.environment = Some(&environment);
        RULES[0].evaluate(&input, &ChecksConfig::default())
    }

    #[test]
    fn credential_values_table() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        let cases = [
            ("AWS_ACCESS_KEY_ID", KEY_ID),
            ("UPSTREAM", "id=ASIAY34FZKBOKMUTVV7A;"),
            (
                "CERT",
                "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            ),
            (
                "SSH",
                "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----",
            ),
            ("AUTH_HEADER", &format!("Bearer {jwt}")),
        ];
        for (name, value) in cases {
            let verdict = evaluate(&[(name, value)]);
            assert_eq!(verdict.status, Status::Fail, "{name}");
            assert_eq!(verdict.severity, None, "{name} keeps the critical default");
        }
    }

    #[test]
    fn secret_names_with_random_values_are_high() {
        let cases = [
            ("DB_PASSWORD", "x7Gq!2pLr9#Vw"),
            ("STRIPE_API_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ("githubToken", "ghp_16C7e42F292c6912E7710c838347Ae178B4a"),
        ];
        for (name, value) in cases {
            let verdict = evaluate(&[(name, value)]);
            assert_eq!(verdict.status, Status::Fail, "{name}");
            assert_eq!(verdict.severity, Some(Severity::High), "{name}");
        }
    }

    #[test]
    fn harmless_values_pass() {
        let cases = [
            ("MYSQL_ALLOW_EMPTY_PASSWORD", "yes"),
            (
                "DB_PASSWORD",
                "{{resolve:secretsmanager:prod/db:SecretString:password}}",
            ),
            (
                "API_TOKEN",
                "arn:aws:secretsmanager:eu-west-1:123456789012:secret:api-AbCdEf",
            ),
            ("API_TOKEN", "/prod/orders/api-token"),
            ("RDS_SECRET_NAME", "prod/orders/Xy7qP2mNw8"),
            ("TOKEN_TTL", "3600"),
            ("TABLE_NAME", "orders-9f8e7d6c5b4a3f2e1d"),
            ("AWS_CA_BUNDLE", "/opt/ca.pem"),
            ("TEXT", "AKIAIOSFODNN7EXAMPLEX"),
        ];
        for (name, value) in cases {
            let verdict = evaluate(&[(name, value)]);
            assert_eq!(verdict.status, Status::Pass, "{name}={value}");
        }
    }

    #[test]
    fn evidence_never_shows_value() {
        let secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
        let verdict = evaluate(&[("STRIPE_API_KEY", secret), ("AWS_KEY", KEY_ID)]);
        for evidence in &verdict.evidence {
            assert!(!evidence.value.contains(secret), "{evidence:?}");
            assert!(!evidence.value.contains(KEY_ID), "{evidence:?}");
        }
        assert!(
            verdict
                .evidence
                .iter()
                .any(|e| e.value.contains("AKIA…MPLE"))
        );
    }

    #[test]
    fn mask_forms() {
        assert_eq!(mask_secret(KEY_ID), "AKIA…MPLE");
        assert_eq!(mask_secret("short"), "(5 chars)");
        assert_eq!(mask_secret("abcdefghijklmnop"), "abcd… (16 chars)");
    }

    #[test]
    fn values_missing_is_unknown() {
        let mut fixture = Fixture::new();
        fixture.function.environment_keys = vec!["DB_PASSWORD".to_string()];
        let verdict = RULES[0].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(verdict.is_unknown());
    }

    #[test]
    fn no_variables_is_not_applicable() {
        let fixture = Fixture::new();
        for rule in RULES {
            let verdict = rule.evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, Status::NotApplicable, "{}", rule.id);
        }
    }

    #[test]
    fn customer_key_table() {
        let cases = [
            (None, Status::Fail),
            (Some(String::new()), Status::Fail),
            (
                Some("arn:aws:kms:eu-west-1:123456789012:key/1".to_string()),
                Status::Pass,
            ),
        ];
        for (key, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.function.environment_keys = vec!["STAGE".to_string()];
            fixture.function.kms_key_arn = key.clone();
            let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(verdict.status, expected, "{key:?}");
        }
    }
}
