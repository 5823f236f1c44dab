//! Rendering: pure functions from `App` to a frame, one file per panel.

mod budgets;
mod checklist;
mod cost;
mod deploy;
mod detail;
mod failures;
mod findings;
mod fleet;
mod footer;
mod header;
mod help;
mod hunt;
mod logs;
mod metrics;
mod resume_prompt;
mod rollback_wizard;
mod traces;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};

use super::app::{App, View};

/// Height of the header panel in lines.
const HEADER_HEIGHT: u16 = 4;

pub fn render(frame: &mut Frame, app: &App) {
    let [header_area, body_area, footer_area] = Layout::vertical([
        Constraint::Length(HEADER_HEIGHT),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());

    header::render(frame, header_area, app);
    match &app.view {
        View::Fleet => fleet::render(frame, body_area, app),
        View::Detail(key) => detail::render(frame, body_area, app, key),
        View::Failures => failures::render(frame, body_area, app),
        View::Budgets => budgets::render(frame, body_area, app),
        View::Hunt => hunt::render(frame, body_area, app),
    }
    footer::render(frame, footer_area, app);
    // The verification outlives the closed wizard, and a rollback set
    // aside for another function's wizard stays in the footer too.
    let mut watching: Vec<String> = Vec::new();
    if let Some(wizard) = &app.rollback.wizard {
        if app.rollback.hidden {
            watching.push(rollback_wizard::status_line(wizard));
        } else {
            rollback_wizard::render(frame, body_area, app, wizard);
        }
    }
    if let Some(wizard) = &app.rollback.watching {
        watching.push(rollback_wizard::status_line(wizard));
    }
    if !watching.is_empty() {
        let line = ratatui::text::Line::from(watching.join("  ·  "));
        frame.render_widget(ratatui::widgets::Clear, footer_area);
        frame.render_widget(ratatui::widgets::Paragraph::new(line), footer_area);
    }
    if let Some(prompt) = &app.deploy.prompt {
        resume_prompt::render(frame, frame.area(), app, prompt);
    }
    if app.show_help {
        help::render(frame, frame.area(), app);
    }
}
