//! Command-line definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "anshin",
    version,
    about = "A terminal cockpit for operating AWS Lambda fleets safely",
    long_about = "A terminal cockpit for operating AWS Lambda fleets safely.\n\n\
        Without a subcommand, anshin opens the live fleet view. Credentials come \
        from the AWS default chain: environment, profiles (including SSO), and \
        container or instance roles."
)]
pub struct Cli {
    #[command(flatten)]
    pub aws: AwsArgs,

    /// Config file (TOML). Default: the platform config directory, such as
    /// ~/.config/anshin/config.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Colour theme: a name from themes/ (dark, light) or a path to a TOML file.
    #[arg(long, global = true, value_name = "NAME")]
    pub theme: Option<String>,

    /// Open the cockpit without writes: the Deploy tab and the rollback
    /// wizard show what they would do, and the executor rejects every
    /// UpdateAlias. `shift` and `rollback` take their own --read-only.
    #[arg(long)]
    pub read_only: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args)]
pub struct AwsArgs {
    /// Named profile from ~/.aws/config (SSO profiles included).
    #[arg(long, global = true, env = "AWS_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// Region to read; repeat or separate with commas for several.
    /// Default: the profile's or the environment's region.
    #[arg(
        long = "region",
        global = true,
        value_delimiter = ',',
        value_name = "REGION"
    )]
    pub regions: Vec<String>,

    /// Send every AWS request to this endpoint instead of AWS, such as a
    /// local emulator.
    #[arg(long, global = true, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Client-side limit for Lambda control-plane requests per second and
    /// region (AWS allows 15, shared with every other tool on the account).
    #[arg(long, global = true, value_name = "N")]
    pub lambda_rps: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Poll the fleet once and write its state as JSON.
    Snapshot {
        /// File to write; `-` writes to standard output.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Poll the fleet once and report checklist failures and warnings,
    /// grouped by severity and function. Progress goes to standard error.
    Report {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
        format: ReportFormat,
        /// Exit with status 1 when a failure (not a warning) at this severity
        /// or above exists: info, low, medium, high or critical.
        #[arg(long, value_name = "SEVERITY", value_parser = crate::report::parse_severity)]
        fail_on: Option<crate::checks::Severity>,
        /// An earlier `--format json` report; the report then lists the
        /// findings that are new and those that are resolved since it.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// File to write. Default: standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// Report from a file written by `anshin snapshot` instead of
        /// polling. Nothing is sent to AWS.
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
    },
    /// Shift an alias's traffic to a new version step by step. Alarms on the
    /// function and the new version's error rate are checked between steps,
    /// and the alias is rolled back when they fail. Progress goes to
    /// standard error, a JSON result to standard output.
    #[command(after_help = crate::commands::EXIT_STATUS_HELP)]
    Shift {
        /// Function name.
        #[arg(value_name = "FUNCTION")]
        function: String,
        /// Alias to shift.
        #[arg(long, default_value = "live", value_name = "NAME")]
        alias: String,
        /// Published version to shift the traffic to.
        #[arg(long, value_name = "VERSION", required_unless_present = "resume")]
        to: Option<String>,
        /// A CodeDeploy configuration name such as Canary10Percent5Minutes,
        /// Linear10PercentEvery1Minute or AllAtOnce, or canary:PERCENT:MINUTES
        /// or linear:PERCENT:MINUTES.
        #[arg(
            long,
            default_value = "Canary10Percent5Minutes",
            value_name = "STRATEGY"
        )]
        strategy: crate::rollout::Strategy,
        /// Confirm without asking. Needed when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
        /// Send no write: every UpdateAlias is rejected before it is sent.
        #[arg(long)]
        read_only: bool,
        /// Continue the unfinished rollout of this alias from its state file.
        #[arg(long, conflicts_with_all = ["to"])]
        resume: bool,
    },
    /// Send all of an alias's traffic to one version with one conditional
    /// UpdateAlias. The default version is the alias's primary version when
    /// it splits traffic, else the version the last anshin write replaced.
    #[command(after_help = crate::commands::EXIT_STATUS_HELP)]
    Rollback {
        /// Function name.
        #[arg(value_name = "FUNCTION")]
        function: String,
        /// Alias to roll back.
        #[arg(long, default_value = "live", value_name = "NAME")]
        alias: String,
        /// Version to send all traffic to.
        #[arg(long, value_name = "VERSION")]
        to: Option<String>,
        /// Confirm without asking. Needed when standard input is not a terminal.
        #[arg(long)]
        yes: bool,
        /// Send no write: the UpdateAlias is rejected before it is sent.
        #[arg(long)]
        read_only: bool,
    },
    /// Browse a snapshot file offline. Nothing is sent to AWS.
    Open {
        /// A file written by `anshin snapshot`.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Json,
}
