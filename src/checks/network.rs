//! Network exposure: who can reach the function through its resource
//! policy, its URL and its VPC placement.

use std::collections::BTreeSet;

use super::policy::{self, Channel};
use super::{CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, Verdict, require};

const POLICY_DOC: &str =
    "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html";
const URL_AUTH_DOC: &str = "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html";

pub(super) const RULES: &[Rule] = &[
    Rule {
        id: "NET-001",
        topic: Topic::NetworkExposure,
        severity: Severity::Critical,
        title: "Resource policy lets anyone call the Invoke API",
        peer_ids: &[
            "SecurityHub Lambda.1",
            "Prowler awslambda_function_not_publicly_accessible",
            "Checkov CKV_AWS_301",
        ],
        fix: Fix {
            text: "Remove the statement with `aws lambda remove-permission --statement-id SID`, or add a condition that pins aws:SourceArn or aws:SourceAccount to fixed values.",
            doc_url: POLICY_DOC,
        },
        check: public_invoke,
    },
    Rule {
        id: "NET-002",
        topic: Topic::NetworkExposure,
        severity: Severity::High,
        title: "Function URL is open to anyone",
        peer_ids: &[
            "Prowler awslambda_function_url_public",
            "Checkov CKV_AWS_258",
        ],
        fix: Fix {
            text: "Set the URL's AuthType to AWS_IAM and grant lambda:InvokeFunctionUrl to named principals, or put the function behind an API that authenticates callers.",
            doc_url: URL_AUTH_DOC,
        },
        check: public_url,
    },
    Rule {
        id: "NET-003",
        topic: Topic::NetworkExposure,
        severity: Severity::High,
        title: "Service principal may invoke without a source condition",
        peer_ids: &["SecurityHub Lambda.1", "Checkov CKV_AWS_364"],
        fix: Fix {
            text: "Add aws:SourceArn and aws:SourceAccount conditions with fixed values to the permission, so only your own resource of that service can invoke the function.",
            doc_url: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        },
        check: unscoped_service_principal,
    },
    Rule {
        id: "NET-004",
        topic: Topic::NetworkExposure,
        severity: Severity::Medium,
        title: "S3 permission without aws:SourceAccount",
        peer_ids: &["SecurityHub Lambda.1"],
        fix: Fix {
            text: "Add an aws:SourceAccount condition with your account id, because a bucket ARN names no account and a deleted bucket's name can be taken by another account.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/with-s3.html",
        },
        check: s3_without_source_account,
    },
    Rule {
        id: "NET-005",
        topic: Topic::NetworkExposure,
        severity: Severity::Medium,
        title: "Another account outside the trusted list may invoke",
        peer_ids: &[],
        fix: Fix {
            text: "Remove the permission of the foreign account, or add the account to `trusted_accounts` in the checks configuration if the access is intended.",
            doc_url: POLICY_DOC,
        },
        check: foreign_accounts,
    },
    Rule {
        id: "NET-006",
        topic: Topic::NetworkExposure,
        severity: Severity::Medium,
        title: "Function URL CORS allows any origin",
        peer_ids: &[
            "Prowler awslambda_function_url_cors_policy",
            "Checkov CKV2_AWS_75",
        ],
        fix: Fix {
            text: "List the exact origins that may call the URL from a browser in the URL's Cors.AllowOrigins.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html",
        },
        check: open_cors,
    },
    Rule {
        id: "NET-007",
        topic: Topic::NetworkExposure,
        severity: Severity::Low,
        title: "Function is not attached to a VPC",
        peer_ids: &[
            "SecurityHub Lambda.3",
            "Prowler awslambda_function_inside_vpc",
            "Checkov CKV_AWS_117",
        ],
        fix: Fix {
            text: "Attach the function to private subnets of your VPC with VpcConfig.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html",
        },
        check: outside_vpc,
    },
    Rule {
        id: "NET-008",
        topic: Topic::NetworkExposure,
        severity: Severity::Medium,
        title: "VPC subnets are all in one availability zone",
        peer_ids: &[
            "SecurityHub Lambda.5",
            "Prowler awslambda_function_vpc_multi_az",
            "TrustedAdvisor L4dfs2Q4C6",
        ],
        fix: Fix {
            text: "Add subnets in at least one more availability zone to the function's VpcConfig, so an outage of one zone does not stop the function.",
            doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/security-resilience.html",
        },
        check: single_zone,
    },
];

fn public_invoke(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(analysis) = policy::analyze_input(input)? else {
        return Ok(Verdict::pass("the function has no resource policy"));
    };
    let api = analysis
        .exposures()
        .into_iter()
        .find(|exposure| exposure.channel == Channel::InvokeApi);
    Ok(match api {
        Some(exposure) => Verdict::fail(
            "anyone may call the Invoke API: a wildcard principal has no restricting condition",
        )
        .with("statement_ids", exposure.sids.join(", ")),
        None => Verdict::pass("no statement grants the Invoke API to everyone")
            .with("statements_denied", analysis.denied.len()),
    })
}

fn public_url(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(url) = require(&input.resources.url, "function URL configuration")? else {
        return Ok(Verdict::not_applicable("the function has no URL"));
    };
    let auth_none = url.auth_type.eq_ignore_ascii_case("NONE");
    // A function without a policy admits nobody through its URL. A policy
    // that could not be read leaves a signed URL unknown, never a pass, but
    // AuthType NONE is the exposure this rule reports either way.
    let (analysis, grants) = match policy::analyze_input(input) {
        Ok(Some(analysis)) => {
            let grants: Vec<policy::Grant> = analysis
                .public_grants()
                .filter(|grant| grant.channel == Channel::FunctionUrl)
                .cloned()
                .collect();
            (Some(analysis), grants)
        }
        Ok(None) => (None, Vec::new()),
        Err(_) if auth_none => {
            return Ok(Verdict::fail(
                "anyone on the internet can call the function URL without credentials",
            )
            .with("url", &url.url)
            .with("auth_type", &url.auth_type)
            .with("resource_policy", "not read"));
        }
        Err(unknown) => return Err(unknown),
    };

    let mut verdict = match (grants.is_empty(), auth_none) {
        // AuthType NONE is the exposure even before a statement admits
        // everyone: one add-permission call away, and the console adds that
        // statement itself.
        (true, true) => Verdict::fail(
            "the URL has AuthType NONE: no statement admits everyone yet, so calls get 403, but one permission makes it public",
        ),
        (false, true) => Verdict::fail(
            "anyone on the internet can call the function URL without credentials",
        ),
        (false, false) => Verdict::fail(
            "the URL requires signed requests, but a wildcard principal lets any AWS account call it",
        ),
        (true, false) => Verdict::pass("the URL requires signed requests from named principals"),
    }
    .with("url", &url.url)
    .with("auth_type", &url.auth_type);

    let Some(analysis) = &analysis else {
        return Ok(verdict);
    };
    if !grants.is_empty() {
        let sids: Vec<String> = grants.iter().map(policy::Grant::sid_label).collect();
        verdict = verdict.with("statement_ids", sids.join(", "));
    }
    // URLs created from October 2025 on need an InvokeFunction permission
    // next to the InvokeFunctionUrl one. A lone URL statement still shows the
    // intent to be public, but calls get 403.
    let api_public = analysis
        .public_grants()
        .any(|grant| grant.channel == Channel::InvokeApi);
    let lone_url_statement = !grants.is_empty() && !grants.iter().any(|g| g.invoked_via_url);
    if auth_none && lone_url_statement && !api_public {
        verdict = verdict.with(
            "note",
            "no InvokeFunction statement conditioned on InvokedViaFunctionUrl; URLs created since October 2025 need one",
        );
    }
    Ok(verdict)
}

fn unscoped_service_principal(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(analysis) = policy::analyze_input(input)? else {
        return Ok(Verdict::pass("the function has no resource policy"));
    };
    let unscoped: BTreeSet<String> = analysis
        .unscoped_service_grants()
        .map(|grant| format!("{} ({})", grant.principal.label(), grant.sid_label()))
        .collect();
    Ok(if unscoped.is_empty() {
        Verdict::pass("every service principal is limited by a source condition")
    } else {
        Verdict::fail("a service principal may invoke on behalf of any resource of that service, in any account")
            .with("principals", unscoped.into_iter().collect::<Vec<_>>().join(", "))
    })
}

fn s3_without_source_account(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(analysis) = policy::analyze_input(input)? else {
        return Ok(Verdict::not_applicable(
            "the function has no resource policy",
        ));
    };
    let grants: Vec<_> = analysis.s3_grants_without_source_account().collect();
    if grants.is_empty() {
        let has_s3 = analysis.grants.iter().any(|grant| {
            grant.principal == policy::Principal::Service(policy::S3_SERVICE.to_string())
        });
        return Ok(if has_s3 {
            Verdict::pass("every S3 permission names the source account")
        } else {
            Verdict::not_applicable("no permission for Amazon S3")
        });
    }
    let mut verdict = Verdict::fail("S3 may invoke for a bucket of that name in any account");
    for grant in grants {
        verdict = verdict
            .with("statement_id", grant.sid_label())
            .with("condition_keys", grant.condition_keys.join(", "));
    }
    Ok(verdict)
}

fn foreign_accounts(input: &CheckInput, config: &ChecksConfig) -> Evaluation {
    let Some(analysis) = policy::analyze_input(input)? else {
        return Ok(Verdict::pass("the function has no resource policy"));
    };
    let Some(owner) = input.owner_account() else {
        return Err(Verdict::missing("account id of the function"));
    };
    let foreign: BTreeSet<String> = analysis
        .foreign_account_grants(owner, |account| config.is_trusted_account(account))
        .map(|(account, grant)| format!("{account} ({})", grant.sid_label()))
        .collect();
    Ok(if foreign.is_empty() {
        Verdict::pass("only the owner account and trusted accounts are granted")
            .with("owner_account", owner)
    } else {
        Verdict::fail("an account outside the trusted list may invoke the function")
            .with("owner_account", owner)
            .with(
                "foreign_accounts",
                foreign.into_iter().collect::<Vec<_>>().join(", "),
            )
    })
}

fn open_cors(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let Some(url) = require(&input.resources.url, "function URL configuration")? else {
        return Ok(Verdict::not_applicable("the function has no URL"));
    };
    let origins = url.cors_allow_origins.join(", ");
    Ok(
        if url
            .cors_allow_origins
            .iter()
            .any(|origin| origin.trim() == "*")
        {
            Verdict::fail("any web page may call the URL from a browser")
                .with("cors_allow_origins", origins)
        } else {
            Verdict::pass("CORS names its origins").with("cors_allow_origins", origins)
        },
    )
}

fn outside_vpc(input: &CheckInput, config: &ChecksConfig) -> Evaluation {
    if !config.require_vpc {
        return Ok(Verdict::not_applicable(
            "the configuration does not require a VPC",
        ));
    }
    let vpc_id = input
        .function
        .vpc
        .as_ref()
        .and_then(|vpc| vpc.vpc_id.as_deref());
    Ok(match vpc_id.filter(|id| !id.is_empty()) {
        Some(id) => Verdict::pass("the function runs in a VPC").with("vpc_id", id),
        None => Verdict::fail("the function is not attached to a VPC").with("vpc_id", "none"),
    })
}

fn single_zone(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let subnets = match &input.function.vpc {
        Some(vpc) if !vpc.subnet_ids.is_empty() => &vpc.subnet_ids,
        _ => {
            return Ok(Verdict::not_applicable(
                "the function is not attached to a VPC",
            ));
        }
    };
    let zones_by_subnet = require(&input.account.subnet_zones, "availability zones of subnets")?;
    let mut zones = BTreeSet::new();
    for subnet in subnets {
        match zones_by_subnet.get(subnet) {
            Some(zone) => zones.insert(zone.as_str()),
            None => {
                return Err(Verdict::missing(&format!(
                    "availability zone of subnet {subnet}"
                )));
            }
        };
    }
    let zone_list = zones.iter().copied().collect::<Vec<_>>().join(", ");
    Ok(if zones.len() >= 2 {
        Verdict::pass("the subnets span several availability zones")
    } else {
        Verdict::fail("every subnet is in the same availability zone")
    }
    .with("subnet_ids", subnets.join(", "))
    .with("availability_zones", zone_list))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;
    use crate::model::{Collected, FunctionUrlConfig, VpcConfig};

    fn url(auth_type: &str, origins: &[&str]) -> FunctionUrlConfig {
        FunctionUrlConfig {
            url: "https://abc.lambda-url.eu-west-1.on.aws/".to_string(),
            function_arn: "arn:aws:lambda:eu-west-1:123456789012:function:orders".to_string(),
            auth_type: auth_type.to_string(),
            cors_allow_origins: origins.iter().map(|o| o.to_string()).collect(),
        }
    }

    #[test]
    fn cors_wildcard_table() {
        let cases: &[(&[&str], Status)] = &[
            (&["*"], Status::Fail),
            (&["https://example.com", " * "], Status::Fail),
            (&["https://example.com"], Status::Pass),
            (&[], Status::Pass),
        ];
        for (origins, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.resources.url = Collected::Loaded(Some(url("AWS_IAM", origins)));
            let verdict = RULES[5].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(&verdict.status, expected, "origins {origins:?}");
        }
    }

    #[test]
    fn no_url_is_not_applicable() {
        let mut fixture = Fixture::new();
        fixture.resources.url = Collected::Loaded(None);
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(verdict.status, Status::NotApplicable);
    }

    #[test]
    fn url_auth_none_without_policy_fails() {
        let mut fixture = Fixture::new();
        fixture.resources.url = Collected::Loaded(Some(url("NONE", &[])));
        fixture.resources.policy = Collected::Loaded(None);
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(verdict.status, Status::Fail);
        assert!(verdict.summary.contains("403"), "{}", verdict.summary);
    }

    #[test]
    fn url_auth_none_with_unread_policy_fails() {
        let mut fixture = Fixture::new();
        fixture.resources.url = Collected::Loaded(Some(url("NONE", &[])));
        fixture.resources.policy = Collected::NotCollected;
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert_eq!(verdict.status, Status::Fail);
    }

    #[test]
    fn url_iam_with_unread_policy_is_unknown() {
        let mut fixture = Fixture::new();
        fixture.resources.url = Collected::Loaded(Some(url("AWS_IAM", &[])));
        fixture.resources.policy = Collected::NotCollected;
        let verdict = RULES[1].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(
            matches!(verdict.status, Status::Unknown(_)),
            "{:?}",
            verdict.status
        );
    }

    #[test]
    fn vpc_required_table() {
        let in_vpc = Some(VpcConfig {
            vpc_id: Some("vpc-1".to_string()),
            subnet_ids: vec!["subnet-a".to_string()],
            security_group_ids: Vec::new(),
        });
        let empty_vpc = Some(VpcConfig {
            vpc_id: Some(String::new()),
            subnet_ids: Vec::new(),
            security_group_ids: Vec::new(),
        });
        let cases = [
            (None, true, Status::Fail),
            (empty_vpc, true, Status::Fail),
            (in_vpc.clone(), true, Status::Pass),
            (None, false, Status::NotApplicable),
        ];
        for (vpc, require_vpc, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.function.vpc = vpc.clone();
            let config = ChecksConfig {
                require_vpc,
                ..ChecksConfig::default()
            };
            let verdict = RULES[6].evaluate(&fixture.input(), &config);
            assert_eq!(
                verdict.status, expected,
                "vpc {vpc:?} required {require_vpc}"
            );
        }
    }

    #[test]
    fn subnet_zones_table() {
        let zones = BTreeMap::from([
            ("subnet-a".to_string(), "eu-west-1a".to_string()),
            ("subnet-b".to_string(), "eu-west-1a".to_string()),
            ("subnet-c".to_string(), "eu-west-1b".to_string()),
        ]);
        let cases: &[(&[&str], Status)] = &[
            (&["subnet-a", "subnet-b"], Status::Fail),
            (&["subnet-a", "subnet-c"], Status::Pass),
            (&["subnet-a"], Status::Fail),
        ];
        for (subnets, expected) in cases {
            let mut fixture = Fixture::new();
            fixture.function.vpc = Some(VpcConfig {
                vpc_id: Some("vpc-1".to_string()),
                subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
                security_group_ids: Vec::new(),
            });
            fixture.account.subnet_zones = Collected::Loaded(zones.clone());
            let verdict = RULES[7].evaluate(&fixture.input(), &ChecksConfig::default());
            assert_eq!(&verdict.status, expected, "subnets {subnets:?}");
        }
    }

    #[test]
    fn unmapped_subnet_is_unknown() {
        let mut fixture = Fixture::new();
        fixture.function.vpc = Some(VpcConfig {
            vpc_id: Some("vpc-1".to_string()),
            subnet_ids: vec!["subnet-z".to_string()],
            security_group_ids: Vec::new(),
        });
        fixture.account.subnet_zones = Collected::Loaded(BTreeMap::new());
        let verdict = RULES[7].evaluate(&fixture.input(), &ChecksConfig::default());
        assert!(verdict.is_unknown());
    }
}
