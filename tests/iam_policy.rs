//! The IAM policies in docs/iam/ must list exactly the actions the code
//! calls: readonly.json the cockpit's reads, operator.json what `shift` and
//! `rollback` add.

use std::collections::BTreeSet;
use std::path::Path;

const SERVICES: [&str; 13] = [
    "budgets:",
    "ce:",
    "compute-optimizer:",
    "lambda:",
    "cloudwatch:",
    "logs:",
    "sts:",
    "inspector2:",
    "ec2:",
    "sqs:",
    "apigateway:",
    "codedeploy:",
    "xray:",
];

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

fn policy_actions(root: &Path, file: &str) -> BTreeSet<String> {
    let path = root.join("docs/iam").join(file);
    let policy: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("policy is readable"))
            .expect("policy is JSON");
    policy["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|statement| statement["Action"].as_array().cloned().unwrap_or_default())
        .filter_map(|action| action.as_str().map(str::to_string))
        .collect()
}

/// Verbs of IAM actions that change state.
const WRITE_VERBS: [&str; 10] = [
    "Update", "Create", "Delete", "Put", "Publish", "Invoke", "Tag", "Untag", "Add", "Remove",
];

fn is_write(action: &str) -> bool {
    let name = action.split(':').nth(1).unwrap_or_default();
    WRITE_VERBS.iter().any(|verb| name.starts_with(verb))
}

#[test]
fn policies_match_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut in_code = BTreeSet::new();
    // Only the data layer calls AWS; rule code elsewhere may name actions
    // that appear in resource policies.
    actions_in(&root.join("src/aws"), &mut in_code);
    let readonly = policy_actions(root, "readonly.json");
    let operator = policy_actions(root, "operator.json");

    assert!(!in_code.is_empty());
    let both: BTreeSet<String> = readonly.union(&operator).cloned().collect();
    assert_eq!(in_code, both, "readonly.json and operator.json together");
    let overlap: Vec<&String> = readonly.intersection(&operator).collect();
    assert!(overlap.is_empty(), "listed in both policies: {overlap:?}");
}

#[test]
fn readonly_policy_has_no_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readonly = policy_actions(root, "readonly.json");
    let writes: Vec<&String> = readonly.iter().filter(|a| is_write(a)).collect();
    assert!(
        writes.is_empty(),
        "write actions in readonly.json: {writes:?}"
    );

    let operator = policy_actions(root, "operator.json");
    assert!(operator.contains("lambda:UpdateAlias"));
}
