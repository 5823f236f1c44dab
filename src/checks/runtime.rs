//! Runtime support: deprecated runtimes stop receiving security patches,
//! and after the block-update date the function can no longer be changed.

use chrono::NaiveDate;

use super::runtime_table::{RuntimeKind, RuntimeTable, runtime_table};
use super::{
    CheckInput, ChecksConfig, Evaluation, Fix, Rule, Severity, Topic, UnknownReason, Verdict,
};
use crate::model::PackageType;

/// How far ahead an upcoming end of support is reported, as Trusted Advisor
/// does.
const WARN_DAYS: i64 = 180;

pub(super) const RULES: &[Rule] = &[Rule {
    id: "RT-001",
    topic: Topic::Runtime,
    severity: Severity::High,
    title: "Runtime is deprecated or close to end of support",
    peer_ids: &[
        "SecurityHub Lambda.2",
        "Prowler awslambda_function_using_supported_runtimes",
        "Checkov CKV_AWS_363",
        "TrustedAdvisor L4dfs2Q4C5",
        "cfn-lint E2531",
    ],
    fix: Fix {
        text: "Move the function to a supported runtime of the same language, test it, and publish a new version.",
        doc_url: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
    },
    check: deprecated_runtime,
}];

/// A date with a "scheduled" label when it lies after the day the table was
/// taken, because AWS may have moved it since.
fn dated(table: &RuntimeTable, date: NaiveDate) -> String {
    if date > table.taken_on {
        format!("{date} (scheduled as of {})", table.taken_on)
    } else {
        date.to_string()
    }
}

fn deprecated_runtime(input: &CheckInput, _: &ChecksConfig) -> Evaluation {
    let function = input.function;
    if function.package_type == PackageType::Image {
        return Ok(
            Verdict::not_applicable("container image functions bring their own runtime")
                .with("package_type", "Image"),
        );
    }
    let Some(runtime) = function.runtime.as_deref() else {
        return Err(Verdict::missing("runtime of the function"));
    };
    let table = runtime_table().map_err(|error| {
        Verdict::unknown(
            UnknownReason::Failed {
                detail: error.to_string(),
            },
            "runtime table could not be read",
        )
    })?;
    let Some(dates) = table.get(runtime) else {
        return Ok(Verdict::unknown(
            UnknownReason::Unrecognized {
                value: runtime.to_string(),
            },
            format!(
                "runtime {runtime} is not in the runtime table taken on {}",
                table.taken_on
            ),
        )
        .with("runtime", runtime)
        .with_severity(Severity::Info));
    };

    let today = input.now.date_naive();
    let mut verdict = if dates.block_update.is_some_and(|day| day <= today) {
        Verdict::fail(format!(
            "runtime {runtime} is deprecated and AWS rejects updates to the function"
        ))
        .with_severity(Severity::Critical)
    } else if dates.end_of_support <= today && dates.block_create.is_some_and(|day| day <= today) {
        Verdict::fail(format!(
            "runtime {runtime} is deprecated and AWS rejects new functions with it"
        ))
    } else if dates.end_of_support <= today {
        Verdict::fail(format!(
            "runtime {runtime} is deprecated and receives no security patches"
        ))
    } else if (dates.end_of_support - today).num_days() <= WARN_DAYS {
        Verdict::warn(format!(
            "runtime {runtime} reaches end of support in {} days",
            (dates.end_of_support - today).num_days()
        ))
        .with_severity(Severity::Low)
    } else {
        Verdict::pass(format!("runtime {runtime} is supported"))
    };

    verdict = verdict
        .with("runtime", runtime)
        .with("end_of_support", dated(table, dates.end_of_support));
    if let Some(day) = dates.block_create {
        verdict = verdict.with("block_create", dated(table, day));
    }
    if let Some(day) = dates.block_update {
        verdict = verdict.with("block_update", dated(table, day));
    }
    if dates.kind == RuntimeKind::OsOnly {
        verdict = verdict.with(
            "runtime_kind",
            "OS-only runtime: the dates are those of the operating system, and the language version is yours to track",
        );
    }
    Ok(verdict.with(
        "runtime_table",
        format!("{}, taken on {}", table.source, table.taken_on),
    ))
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::checks::Status;
    use crate::checks::test_support::Fixture;

    fn evaluate(runtime: Option<&str>, package: PackageType, day: (i32, u32, u32)) -> Verdict {
        let mut fixture = Fixture::new();
        fixture.function.runtime = runtime.map(str::to_string);
        fixture.function.package_type = package;
        let mut input = fixture.input();
        input.now = Utc
            .with_ymd_and_hms(day.0, day.1, day.2, 0, 0, 0)
            .single()
            .unwrap_or_default();
        RULES[0].evaluate(&input, &ChecksConfig::default())
    }

    #[test]
    fn status_by_date_table() {
        let cases = [
            // Day of end of support counts as deprecated.
            ("nodejs18.x", (2025, 9, 1), Status::Fail, None),
            (
                "nodejs18.x",
                (2025, 8, 31),
                Status::Warn,
                Some(Severity::Low),
            ),
            // 180 days before end of support warns, 181 days before passes.
            (
                "nodejs18.x",
                (2025, 3, 5),
                Status::Warn,
                Some(Severity::Low),
            ),
            ("nodejs18.x", (2025, 3, 4), Status::Pass, None),
            (
                "nodejs18.x",
                (2027, 3, 3),
                Status::Fail,
                Some(Severity::Critical),
            ),
            ("python3.7", (2026, 12, 4), Status::Fail, None),
            (
                "python3.7",
                (2027, 3, 3),
                Status::Fail,
                Some(Severity::Critical),
            ),
            (
                "python2.7",
                (2026, 12, 4),
                Status::Fail,
                Some(Severity::Critical),
            ),
            ("dotnet7", (2026, 12, 4), Status::Fail, None),
            ("ruby3.3", (2026, 12, 4), Status::Warn, Some(Severity::Low)),
            ("python3.13", (2026, 12, 4), Status::Pass, None),
            ("provided.al2023", (2026, 12, 4), Status::Pass, None),
            ("provided.al2", (2026, 12, 4), Status::Fail, None),
        ];
        for (runtime, day, status, severity) in cases {
            let verdict = evaluate(Some(runtime), PackageType::Zip, day);
            assert_eq!(verdict.status, status, "{runtime} on {day:?}");
            assert_eq!(verdict.severity, severity, "{runtime} on {day:?}");
        }
    }

    #[test]
    fn unknown_runtime_is_info_unknown() {
        let verdict = evaluate(Some("python9.99"), PackageType::Zip, (2026, 12, 4));
        assert!(verdict.is_unknown());
        assert_eq!(verdict.severity, Some(Severity::Info));
    }

    #[test]
    fn image_is_not_applicable() {
        let verdict = evaluate(None, PackageType::Image, (2026, 12, 4));
        assert_eq!(verdict.status, Status::NotApplicable);
        let verdict = evaluate(Some("python3.7"), PackageType::Image, (2026, 12, 4));
        assert_eq!(verdict.status, Status::NotApplicable);
    }

    #[test]
    fn zip_without_runtime_is_unknown() {
        let verdict = evaluate(None, PackageType::Zip, (2026, 12, 4));
        assert!(verdict.is_unknown());
    }

    #[test]
    fn later_dates_are_labelled_scheduled() {
        let verdict = evaluate(Some("nodejs22.x"), PackageType::Zip, (2026, 12, 4));
        let eos = verdict.evidence.iter().find(|e| e.name == "end_of_support");
        assert!(eos.is_some_and(|e| e.value.contains("scheduled")));
    }
}
