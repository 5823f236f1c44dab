//! The Logs tab of the function screen.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::Paragraph;

use crate::model::FunctionEntry;
use crate::ui::app::App;

pub fn render(frame: &mut Frame, area: Rect, app: &App, entry: &FunctionEntry) {
    let _ = (app, entry);
    frame.render_widget(Paragraph::new("Logs: in progress."), area);
}
