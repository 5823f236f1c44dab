//! The terminal front end: app state, keymap, theme and views.

pub mod action;
pub mod app;
pub mod checklist;
pub mod deploy;
pub mod drill;
pub mod format;
pub mod keymap;
pub mod messages;
pub mod rows;
pub mod tabs;
pub mod theme;
pub mod views;
pub mod wizard;

use std::time::Duration;

use chrono::Utc;
use color_eyre::Result;
use crossterm::event::EventStream;
use futures::StreamExt;
use ratatui::DefaultTerminal;

use crate::poll::PollHandle;
use crate::rollout::runner::{Runner, RunnerEvent};
use app::App;
use deploy::DeployCommand;

/// At most this many data events are applied between two frames, so a
/// burst from the data layer cannot starve key handling.
const MAX_EVENTS_PER_FRAME: usize = 64;

/// How often the clock in the header advances without other events.
const TICK: Duration = Duration::from_secs(1);

/// Takes over the terminal, runs the event loop until the user quits, and
/// restores the terminal on every exit path, panics included (the hook that
/// `ratatui::init` installs restores it before the panic report).
pub async fn run(app: App, poll: Option<PollHandle>) -> Result<()> {
    run_with_runner(app, poll, None).await
}

/// Runs like [`run`], with `runner` sending the alias writes of the Deploy
/// tab and the unfinished-rollout prompt.
pub async fn run_with_runner(
    app: App,
    poll: Option<PollHandle>,
    runner: Option<Runner>,
) -> Result<()> {
    let mut terminal = ratatui::init();
    let result = event_loop(&mut terminal, app, poll, runner).await;
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut DefaultTerminal,
    mut app: App,
    mut poll: Option<PollHandle>,
    mut runner: Option<Runner>,
) -> Result<()> {
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(TICK);
    let size = terminal.size()?;
    app.viewport = (size.width, size.height);
    #[cfg(unix)]
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;

    loop {
        terminal.draw(|frame| views::render(frame, &app))?;

        #[cfg(unix)]
        let terminated = terminate.recv();
        #[cfg(not(unix))]
        let terminated = std::future::pending::<Option<()>>();

        tokio::select! {
            event = keys.next() => match event {
                Some(Ok(event)) => app.handle_event(event),
                Some(Err(error)) => return Err(error.into()),
                None => app.should_quit = true,
            },
            Some(data) = next_data(&mut poll) => {
                app.apply(data);
                // Drain what else is queued, in a bounded batch, so one
                // frame shows a whole burst of per-function results.
                if let Some(handle) = poll.as_mut() {
                    for _ in 0..MAX_EVENTS_PER_FRAME {
                        match handle.events.try_recv() {
                            Ok(data) => app.apply(data),
                            Err(_) => break,
                        }
                    }
                }
            },
            Some(event) = next_rollout_event(&mut runner) => {
                app.apply_runner_event(event);
                if let Some(runner) = runner.as_mut() {
                    for _ in 0..MAX_EVENTS_PER_FRAME {
                        match runner.try_next_event() {
                            Some(event) => app.apply_runner_event(event),
                            None => break,
                        }
                    }
                }
            },
            _ = tick.tick() => app.tick(Utc::now()),
            _ = terminated => app.should_quit = true,
        }

        if let Some(handle) = poll.as_ref() {
            for request in app.take_requests() {
                // A full queue means a refresh is already pending.
                let _ = handle.requests.try_send(request);
            }
        }
        for command in app.take_deploy_commands() {
            match (runner.as_mut(), command) {
                (Some(runner), DeployCommand::Submit(request)) => runner.submit(request),
                (Some(runner), DeployCommand::Abort { key, reason }) => {
                    runner.abort(&key, &reason);
                }
                // The app queues no command without a runner; nothing to do.
                (None, _) => {}
            }
        }
        if let (Some(runner), Some(request)) = (runner.as_mut(), app.take_wizard_request()) {
            runner.submit(request);
        }
        if app.should_quit {
            break;
        }
    }
    if let Some(handle) = poll {
        handle.shutdown();
    }
    // A rollout stopped here keeps its persisted state; the next start
    // shows it in the unfinished-rollout prompt.
    if let Some(runner) = runner {
        runner.shutdown();
    }
    Ok(())
}

async fn next_rollout_event(runner: &mut Option<Runner>) -> Option<RunnerEvent> {
    match runner {
        Some(runner) => runner.next_event().await,
        None => std::future::pending().await,
    }
}

async fn next_data(poll: &mut Option<PollHandle>) -> Option<crate::poll::DataEvent> {
    match poll {
        Some(handle) => handle.events.recv().await,
        None => std::future::pending().await,
    }
}
