//! Entry point: command line, error and log set-up, and dispatch.

use std::io::IsTerminal;
use std::process::ExitCode;

use chrono::Utc;
use clap::Parser;
use color_eyre::Result;
use color_eyre::eyre::{WrapErr, bail};

use anshin::aws::{self, AwsContext};
use anshin::cli::{Cli, Command};
use anshin::config::{self, Config};
use anshin::model::Fleet;
use anshin::ui::app::{App, Mode};
use anshin::ui::theme::Theme;
use anshin::{logging, plain, poll, snapshot, ui};

fn main() -> ExitCode {
    // color-eyre's hooks report panics; expected errors (a missing file, no
    // region, an invalid config) get one plain message without a backtrace.
    if let Err(error) = color_eyre::install() {
        eprintln!("warning: cannot install the error report hook: {error}");
    }
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(report) => {
            let message = report.to_string();
            eprintln!("error: {message}");
            // Most of our errors already name their cause; print the rest.
            for cause in report.chain().skip(1) {
                let cause = cause.to_string();
                if !message.contains(&cause) {
                    eprintln!("  caused by: {cause}");
                }
            }
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
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

async fn dispatch(cli: Cli, config: Config) -> Result<()> {
    let theme_name = cli
        .theme
        .clone()
        .or_else(|| config.theme.clone())
        .unwrap_or_else(|| "dark".to_string());
    let theme = Theme::load(&theme_name)?;

    match &cli.command {
        Some(Command::Open { file }) => {
            let fleet = snapshot::read(file)?;
            if !std::io::stdout().is_terminal() {
                plain::write_fleet(&fleet, &mut std::io::stdout().lock())?;
                return Ok(());
            }
            let app = App::new(
                fleet,
                Mode::Offline { path: file.clone() },
                theme,
                Utc::now(),
            );
            ui::run(app, None).await
        }
        Some(Command::Snapshot { output }) => {
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
            Ok(())
        }
        None => {
            let context = connect(&cli, &config).await?;
            if !std::io::stdout().is_terminal() {
                // No terminal to draw on: read once and print a plain table.
                let fleet = snapshot::collect(&context, config.poll_config(), |_| {}).await;
                plain::write_fleet(&fleet, &mut std::io::stdout().lock())?;
                return Ok(());
            }
            let fleet = Fleet::new(
                context.profile.clone(),
                context.region_names(),
                context.endpoint_url.clone(),
            );
            let handle = poll::spawn(&context, config.poll_config(), poll::PollMode::Continuous);
            let app = App::new(fleet, Mode::Live, theme, Utc::now());
            ui::run(app, Some(handle)).await
        }
    }
}

fn progress_to_stderr(event: &poll::DataEvent) {
    if let Some(line) = snapshot::describe_progress(event) {
        eprintln!("{line}");
    }
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
    options.endpoint_url = cli.aws.endpoint_url.clone().filter(|url| !url.is_empty());
    if let Some(rps) = cli.aws.lambda_rps {
        options.lambda_requests_per_second = rps;
    }
    Ok(aws::load(&options).await?)
}
