//! The IAM policy in docs/ must list exactly the actions the code calls.

use std::collections::BTreeSet;
use std::path::Path;

const SERVICES: [&str; 4] = ["lambda:", "cloudwatch:", "logs:", "sts:"];

/// Collects every string literal of the form `"service:Action"` under `dir`.
fn actions_in(dir: &Path, found: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("source dir is readable") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            actions_in(&path, found);
            continue;
        }
        if path.extension().is_none_or(|ext| ext != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("source is readable");
        for literal in text.split('"').skip(1).step_by(2) {
            let is_action = SERVICES.iter().any(|service| {
                literal.strip_prefix(service).is_some_and(|action| {
                    action.chars().next().is_some_and(char::is_uppercase)
                        && action.chars().all(char::is_alphanumeric)
                })
            });
            if is_action {
                found.insert(literal.to_string());
            }
        }
    }
}

#[test]
fn readonly_policy_matches_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut in_code = BTreeSet::new();
    // Only the data layer calls AWS; rule code elsewhere may name actions
    // that appear in resource policies.
    actions_in(&root.join("src/aws"), &mut in_code);

    let policy: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("docs/iam/readonly.json")).expect("policy is readable"),
    )
    .expect("policy is JSON");
    let in_policy: BTreeSet<String> = policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|statement| statement["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|action| action.as_str().map(str::to_string))
        .collect();

    assert!(!in_code.is_empty());
    assert_eq!(in_code, in_policy);
}
