//! The tabs of the function screen, in the order the tab line shows them.
//! The number keys 1 to 8 open them directly, so a tab is never more than
//! one key press away.

/// One tab of the function screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum DetailTab {
    #[default]
    Overview,
    Checklist,
    Metrics,
    Traces,
    Logs,
    Cost,
    Findings,
    Deploy,
}

impl DetailTab {
    pub const ALL: [DetailTab; 8] = [
        DetailTab::Overview,
        DetailTab::Checklist,
        DetailTab::Metrics,
        DetailTab::Traces,
        DetailTab::Logs,
        DetailTab::Cost,
        DetailTab::Findings,
        DetailTab::Deploy,
    ];

    /// Returns the tab's name on the tab line.
    pub fn label(self) -> &'static str {
        match self {
            DetailTab::Overview => "Overview",
            DetailTab::Checklist => "Checklist",
            DetailTab::Metrics => "Metrics",
            DetailTab::Traces => "Traces",
            DetailTab::Logs => "Logs",
            DetailTab::Cost => "Cost",
            DetailTab::Findings => "Findings",
            DetailTab::Deploy => "Deploy",
        }
    }

    /// Returns the tab's 0-based position. Its number key is one more.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|tab| *tab == self).unwrap_or(0)
    }

    /// Returns the tab that number key `n` (1-based) opens.
    pub fn from_number(n: u8) -> Option<DetailTab> {
        Self::ALL.get(usize::from(n).checked_sub(1)?).copied()
    }

    pub fn next(self) -> DetailTab {
        Self::ALL[(self.index() + 1) % Self::ALL.len()]
    }

    pub fn previous(self) -> DetailTab {
        Self::ALL[(self.index() + Self::ALL.len() - 1) % Self::ALL.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_keys_map_to_tabs_in_order() {
        assert_eq!(DetailTab::from_number(1), Some(DetailTab::Overview));
        assert_eq!(DetailTab::from_number(4), Some(DetailTab::Traces));
        assert_eq!(DetailTab::from_number(8), Some(DetailTab::Deploy));
        assert_eq!(DetailTab::from_number(0), None);
        assert_eq!(DetailTab::from_number(9), None);
    }

    #[test]
    fn next_and_previous_wrap_around() {
        assert_eq!(DetailTab::Deploy.next(), DetailTab::Overview);
        assert_eq!(DetailTab::Overview.previous(), DetailTab::Deploy);
        for tab in DetailTab::ALL {
            assert_eq!(tab.next().previous(), tab);
        }
    }
}
