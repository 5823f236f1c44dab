//! Entry point: command line, error and log set-up, and dispatch.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::Parser;
use color_eyre::Result;
use color_eyre::eyre::{WrapErr, bail};

use anshin::aws::{self, AwsContext};
use anshin::checks::Severity;
use anshin::cli::{Cli, Command, ReportFormat};
use anshin::commands::{self, WriteContext, rollback::RollbackArgs, shift::ShiftArgs};
use anshin::config::{self, Config};
use anshin::model::Fleet;
use anshin::report::{self, Report};
use anshin::rollout::runner::{self, Runner, RunnerContext};
use anshin::ui::app::{App, Mode};
use anshin::ui::deploy::Writer;
use anshin::ui::theme::Theme;
use anshin::{logging, plain, poll, snapshot, ui};

fn main() -> ExitCode {
    // color-eyre's hooks report panics; expected errors (a missing file, no
    // region, an invalid config) get one plain message without a backtrace.
    if let Err(error) = color_eyre::install() {
        eprintln!("warning: cannot install the error report hook: {error}");
    }
    match run() {
        Ok(code) => code,
        Err(report) => {
            let message = report.to_string();
            let mut stderr = std::io::stderr().lock();
            // A closed stderr must not turn an error into a panic.
            let _ = writeln!(stderr, "error: {message}");
            // Most of our errors already name their cause; print the rest.
            for cause in report.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    let _ = writeln!(stderr, "  caused by: {cause}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    let config = Config::load(cli.config.as_deref())?;
    let state_dir = config::state_dir();
    let (_log_guard, log_path) = logging::init(&state_dir)
        .wrap_err_with(|| format!("cannot open the log file in {}", state_dir.display()))?;
    tracing::info!(version = env!("CARGO_PKG_VERSION"), log = %log_path.display(), "anshin starting");

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .wrap_err("cannot start the async runtime")?;
    let result = runtime.block_on(dispatch(cli, config));
    if let Err(error) = &result {
        tracing::error!(error = %error, "anshin failed");
    }
    tracing::info!("anshin stopped");
    result
}

async fn dispatch(cli: Cli, config: Config) -> Result<ExitCode> {
    let theme_name = cli
        .theme
        .clone()
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    let theme = Theme::load(&theme_name)?;

    match &cli.command {
        Some(Command::Open { file }) => {
            if let Some(code) = reject_poll_flags(&cli, "`anshin open`") {
                return Ok(code);
            }
            let fleet = snapshot::read(file)?;
            if !std::io::stdout().is_terminal() {
                return print_plain_from(&fleet, Some(file.as_path()));
            }
            let app = App::new(
                fleet,
                Mode::Offline { path: file.clone() },
                theme,
                Utc::now(),
            );
            ui::run(app, None).await?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Report {
            format,
            fail_on,
            baseline,
            output,
            snapshot: from_snapshot,
        }) => {
            if from_snapshot.is_some()
                && let Some(code) = reject_poll_flags(&cli, "`anshin report --snapshot`")
            {
                return Ok(code);
            }
            if let Some(path) = output {
                check_output_dir(path)?;
            }
            // Read before the ~30 s poll, so a wrong path fails at once.
            let baseline = baseline
                .as_deref()
                .map(|path| {
                    report::read_baseline(path).map(|report| (report, path.display().to_string()))
                })
                .transpose()?;
            let fleet = match from_snapshot {
                Some(path) => snapshot::read(path)?,
                None => {
                    let context = connect(&cli, &config).await?;
                    snapshot::collect_with_checks(
                        &context,
                        config.poll_config(),
                        config.checks.clone(),
                        progress_to_stderr,
                    )
                    .await
                }
            };

            // A region without its function list would read as "nothing to
            // fix there", and against a baseline as "everything resolved".
            // A snapshot file can lack one too, when it was written by hand
            // or by another tool.
            let failed = snapshot::failed_regions(&fleet);
            match (failed.is_empty(), from_snapshot) {
                (true, _) => {}
                (false, Some(path)) => bail!(
                    "no report written: {} has no function list for {}",
                    path.display(),
                    failed.join(", ")
                ),
                (false, None) => bail!(
                    "no report written: the function list failed in {}",
                    failed.join(", ")
                ),
            }
            write_report(
                &fleet,
                *format,
                *fail_on,
                baseline.as_ref(),
                output.as_deref(),
            )
        }
        Some(Command::Shift {
            function,
            alias,
            to,
            strategy,
            yes,
            read_only,
            resume,
        }) => {
            let aws_context = connect(&cli, &config).await?;
            let context = write_context(&aws_context, &config, *read_only)?;
            let args = ShiftArgs {
                function: function.clone(),
                alias: alias.clone(),
                to: to.clone(),
                strategy: *strategy,
                yes: *yes,
                resume: *resume,
            };
            Ok(ExitCode::from(
                commands::shift::shift(&context, &args).await?,
            ))
        }
        Some(Command::Rollback {
            function,
            alias,
            to,
            yes,
            read_only,
        }) => {
            let aws_context = connect(&cli, &config).await?;
            let context = write_context(&aws_context, &config, *read_only)?;
            let args = RollbackArgs {
                function: function.clone(),
                alias: alias.clone(),
                to: to.clone(),
                yes: *yes,
            };
            Ok(ExitCode::from(
                commands::rollback::rollback(&context, &args).await?,
            ))
        }
        Some(Command::Snapshot { output }) => {
            // Polling a large fleet takes a while; a typo in the directory
            // should fail before that, not after.
            check_output_dir(output)?;
            let context = connect(&cli, &config).await?;
            let fleet = snapshot::collect(&context, config.poll_config(), progress_to_stderr).await;
            // A snapshot without the function list of a region would read
            // as "no functions there" in a post-mortem, so write none.
            let failed = snapshot::failed_regions(&fleet);
            if !failed.is_empty() {
                bail!(
                    "no snapshot written: the function list failed in {}",
                    failed.join(", ")
                );
            }
            snapshot::write(&fleet, output)?;
            if output.as_os_str() != "-" {
                eprintln!(
                    "wrote {} functions to {}",
                    fleet.function_count(),
                    output.display()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let context = connect(&cli, &config).await?;
            if !std::io::stdout().is_terminal() {
                // No terminal to draw on: read once and print a plain table.
                let fleet = snapshot::collect(&context, config.poll_config(), |_| {}).await;
                return print_plain(&fleet);
            }
            let mut fleet = Fleet::new(
                context.profile.clone(),
                context.region_names(),
                context.endpoint_url.clone(),
            );
            fleet.checks_config = config.checks.clone();
            let handle = poll::spawn(&context, config.poll_config(), poll::PollMode::Continuous);
            let mut app = App::new(fleet, Mode::Live, theme, Utc::now());
            let runner = cockpit_runner(&context, &config, cli.read_only, &mut app);
            ui::run_with_runner(app, Some(handle), runner).await?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Sets up the Deploy tab: the write settings, the unfinished rollouts of
/// the state directory, and the runner, which needs a single region because
/// the state files do not name one.
fn cockpit_runner(
    context: &AwsContext,
    config: &Config,
    read_only_flag: bool,
    app: &mut App,
) -> Option<Runner> {
    let settings = &config.rollout;
    let read_only = read_only_flag || settings.is_read_only(context.profile.as_deref());
    app.deploy.read_only = read_only;
    app.deploy.default_thresholds = settings.rollout_config(Duration::ZERO).thresholds;
    let state_dir = config::state_dir();
    app.deploy
        .set_unfinished(runner::unfinished_rollouts(&state_dir));
    app.rollback.state_dir = Some(state_dir.clone());
    app.rollback.verify_minutes = Some(settings.verify_minutes);
    let [clients] = context.regions.as_slice() else {
        app.deploy.writer = Writer::Disabled(ui::messages::deploy::MULTI_REGION.to_string());
        return None;
    };
    app.deploy.writer = Writer::Available;
    Some(Runner::new(RunnerContext {
        clients: clients.clone(),
        profile: context.profile.clone(),
        settings: settings.clone(),
        state_dir,
        read_only,
    }))
}

/// Exit status of a usage error, as clap uses for its own.
const USAGE_EXIT_STATUS: u8 = 2;

/// Rejects `--region` and `--lambda-rps` for a command that reads a
/// snapshot file instead of AWS, since they would be silently ignored.
/// The flags that also come from the environment (`--profile`,
/// `--endpoint-url`) are left alone, because a shell set up for AWS
/// passes them to every command. Returns the exit status when rejected.
fn reject_poll_flags(cli: &Cli, command: &str) -> Option<ExitCode> {
    let flag = if !cli.aws.regions.is_empty() {
        "--region"
    } else if cli.aws.lambda_rps.is_some() {
        "--lambda-rps"
    } else {
        return None;
    };
    eprintln!(
        "error: {flag} has no effect on {command}, which reads only the snapshot file; \
         remove {flag}, or poll AWS with `anshin snapshot` first"
    );
    Some(ExitCode::from(USAGE_EXIT_STATUS))
}

/// Exit status of `anshin report --fail-on` when a failure reaches the
/// threshold. It is 1, as for an error, because a CI gate must stop on
/// either; standard error says which one happened. Usage errors exit 2.
const FAIL_ON_EXIT_STATUS: u8 = 1;

/// Fails when the directory that `path` would be written into does not
/// exist. `-` (standard output) and a bare file name always pass.
fn check_output_dir(path: &Path) -> Result<()> {
    if path.as_os_str() == "-" {
        return Ok(());
    }
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() && !parent.is_dir() => {
            bail!(
                "cannot write {}: {} is not a directory",
                path.display(),
                parent.display()
            )
        }
        _ => Ok(()),
    }
}

fn write_report(
    fleet: &Fleet,
    format: ReportFormat,
    fail_on: Option<Severity>,
    baseline: Option<&(Report, String)>,
    output: Option<&Path>,
) -> Result<ExitCode> {
    let mut report = Report::from_fleet(fleet);
    if let Some((previous, name)) = baseline {
        report.compare_with(previous, name);
    }
    let text = match format {
        ReportFormat::Markdown => report::markdown::render(&report),
        ReportFormat::Json => {
            report::json::render(&report).wrap_err("cannot encode the report as JSON")?
        }
    };
    match output {
        Some(path) => std::fs::write(path, &text)
            .wrap_err_with(|| format!("cannot write the report to {}", path.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .wrap_err("cannot write the report to standard output")?;
        }
    }

    let Some(threshold) = fail_on else {
        return Ok(ExitCode::SUCCESS);
    };
    let failing = report.failures_at_or_above(threshold);
    if failing == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "{failing} failures at severity {} or above",
        report::severity_name(threshold)
    );
    Ok(ExitCode::from(FAIL_ON_EXIT_STATUS))
}

/// Prints the plain table, and fails when a region's function list could not
/// be read, so a cron job notices. A reader that closed the pipe early (as
/// `| head` does) is not an error.
fn print_plain(fleet: &Fleet) -> Result<ExitCode> {
    print_plain_from(fleet, None)
}

/// Prints the plain table as [`print_plain`] does. With `snapshot`, a missing
/// function list is reported as a gap in that file, not as a failed call.
fn print_plain_from(fleet: &Fleet, snapshot: Option<&Path>) -> Result<ExitCode> {
    let written = plain::write_fleet(
        fleet,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    match written {
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => {
            return Ok(ExitCode::SUCCESS);
        }
        other => other?,
    }
    let failed = snapshot::failed_regions(fleet);
    match (failed.is_empty(), snapshot) {
        (true, _) => {}
        (false, Some(path)) => bail!(
            "{} has no function list for {}",
            path.display(),
            failed.join(", ")
        ),
        (false, None) => bail!("the function list failed in {}", failed.join(", ")),
    }
    Ok(ExitCode::SUCCESS)
}

fn progress_to_stderr(event: &poll::DataEvent) {
    if let Some(line) = snapshot::describe_progress(event) {
        let _ = writeln!(std::io::stderr(), "{line}");
    }
}

/// Builds the context of a write command. Writes go to one region, so
/// several `--region` values are rejected.
fn write_context<'a>(
    aws_context: &'a AwsContext,
    config: &'a Config,
    read_only: bool,
) -> Result<WriteContext<'a>> {
    let [clients] = aws_context.regions.as_slice() else {
        bail!("shift and rollback write to one region; pass a single --region");
    };
    Ok(WriteContext {
        clients,
        profile: aws_context.profile.clone(),
        settings: &config.rollout,
        state_dir: config::state_dir(),
        read_only_flag: read_only,
    })
}

async fn connect(cli: &Cli, config: &Config) -> Result<AwsContext> {
    let mut options = config.aws_options();
    options.profile = cli.aws.profile.clone();
    options.regions = cli
        .aws
        .regions
        .iter()
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty())
        .collect();
    options.endpoint_url = cli.aws.endpoint_url.clone();
    if let Some(rps) = cli.aws.lambda_rps {
        options.lambda_requests_per_second = rps;
    }
    Ok(aws::load(&options).await?)
}
