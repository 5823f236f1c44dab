//! Formatting of numbers, durations and text for narrow table cells.

use chrono::{DateTime, Utc};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Shown in a cell without data. No data is never drawn as zero.
pub const NO_DATA: &str = "–";

pub fn count(value: Option<f64>) -> String {
    let Some(value) = value else {
        return NO_DATA.to_string();
    };
    if value >= 1_000_000.0 {
        format!("{:.1}M", value / 1_000_000.0)
    } else if value >= 10_000.0 {
        format!("{:.0}k", value / 1_000.0)
    } else if value >= 1_000.0 {
        format!("{:.1}k", value / 1_000.0)
    } else {
        format!("{value:.0}")
    }
}

/// A ratio between 0 and 1 as a percentage.
pub fn percent(ratio: Option<f64>) -> String {
    match ratio {
        None => NO_DATA.to_string(),
        Some(0.0) => "0%".to_string(),
        Some(r) if r < 0.001 => "<0.1%".to_string(),
        Some(r) if r < 0.1 => format!("{:.1}%", r * 100.0),
        Some(r) => format!("{:.0}%", r * 100.0),
    }
}

pub fn millis(value: Option<f64>) -> String {
    match value {
        None => NO_DATA.to_string(),
        Some(ms) if ms < 1_000.0 => format!("{ms:.0}ms"),
        Some(ms) if ms < 60_000.0 => format!("{:.1}s", ms / 1_000.0),
        Some(ms) => format!("{:.1}m", ms / 60_000.0),
    }
}

pub fn seconds(value: i32) -> String {
    if value % 60 == 0 && value >= 60 {
        format!("{}m", value / 60)
    } else {
        format!("{value}s")
    }
}

/// "12s", "5m", "3h", "4d", relative to `now`.
pub fn age(then: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - then).num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs}s"),
        60..=3_599 => format!("{}m", secs / 60),
        3_600..=86_399 => format!("{}h", secs / 3_600),
        _ => format!("{}d", secs / 86_400),
    }
}

/// Cuts `text` to at most `width` terminal columns, measuring wide
/// characters by their display width, and marks the cut with "…".
pub fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for ch in text.chars() {
        let w = ch.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(ch);
        used += w;
    }
    out.push('…');
    out
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// A text sparkline of the last `width` buckets. A bucket without data is a
/// space, so a gap stays visible.
pub fn sparkline(buckets: &[Option<f64>], width: usize) -> String {
    let start = buckets.len().saturating_sub(width);
    let shown = &buckets[start..];
    let max = shown.iter().flatten().copied().fold(0.0_f64, f64::max);
    shown
        .iter()
        .map(|bucket| match bucket {
            None => ' ',
            Some(_) if max <= 0.0 => BARS[0],
            Some(value) => {
                let level = ((value / max) * (BARS.len() - 1) as f64).round() as usize;
                BARS[level.min(BARS.len() - 1)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_data_is_not_zero() {
        assert_eq!(count(None), NO_DATA);
        assert_eq!(percent(None), NO_DATA);
        assert_eq!(millis(None), NO_DATA);
        assert_eq!(count(Some(0.0)), "0");
    }

    #[test]
    fn fit_measures_wide_characters() {
        assert_eq!(fit("注文サービス", 6), "注文…");
        assert_eq!(fit("orders-api", 20), "orders-api");
        assert_eq!(fit("orders-api", 5), "orde…");
    }

    #[test]
    fn sparkline_keeps_gaps() {
        let line = sparkline(&[Some(1.0), None, Some(4.0)], 3);
        assert_eq!(line.chars().nth(1), Some(' '));
        assert_eq!(line.chars().nth(2), Some('█'));
    }

    #[test]
    fn percent_formats() {
        assert_eq!(percent(Some(0.081)), "8.1%");
        assert_eq!(percent(Some(0.0003)), "<0.1%");
        assert_eq!(percent(Some(0.5)), "50%");
    }
}
