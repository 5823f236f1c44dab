//! Colour themes, loaded from TOML files. The two shipped themes are built
//! in, so the binary works without the `themes/` folder beside it.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::Color;
use serde::Deserialize;

const DARK: &str = include_str!("../../themes/dark.toml");
const LIGHT: &str = include_str!("../../themes/light.toml");

#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("unknown theme {0:?}: use dark, light, or a path to a .toml file")]
    Unknown(String),
    #[error("cannot read theme {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid theme {name}: {source}")]
    Parse {
        name: String,
        source: toml::de::Error,
    },
    #[error("invalid colour {value:?} for {field} in theme {name}")]
    Color {
        name: String,
        field: &'static str,
        value: String,
    },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    colors: ColorNames,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ColorNames {
    text: String,
    background: String,
    muted: String,
    accent: String,
    border: String,
    title: String,
    selected_text: String,
    selected_background: String,
    ok: String,
    warning: String,
    error: String,
    local_endpoint: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub name: String,
    pub text: Color,
    pub background: Color,
    pub muted: Color,
    pub accent: Color,
    pub border: Color,
    pub title: Color,
    pub selected_text: Color,
    pub selected_background: Color,
    pub ok: Color,
    pub warning: Color,
    pub error: Color,
    pub local_endpoint: Color,
}

impl Default for Theme {
    fn default() -> Self {
        // The built-in dark theme is tested to parse, so this cannot fail in
        // a released build.
        Self::parse(DARK).unwrap_or_else(|_| Self::fallback())
    }
}

impl Theme {
    fn fallback() -> Self {
        Self {
            name: "fallback".to_string(),
            text: Color::Reset,
            background: Color::Reset,
            muted: Color::DarkGray,
            accent: Color::Cyan,
            border: Color::DarkGray,
            title: Color::Cyan,
            selected_text: Color::Black,
            selected_background: Color::Cyan,
            ok: Color::Green,
            warning: Color::Yellow,
            error: Color::Red,
            local_endpoint: Color::Magenta,
        }
    }

    /// Loads a built-in theme by name, or a TOML file by path.
    pub fn load(name_or_path: &str) -> Result<Self, ThemeError> {
        match name_or_path {
            "dark" => Self::parse(DARK),
            "light" => Self::parse(LIGHT),
            other if other.ends_with(".toml") || Path::new(other).exists() => {
                let text = std::fs::read_to_string(other).map_err(|source| ThemeError::Read {
                    path: PathBuf::from(other),
                    source,
                })?;
                Self::parse_named(&text, other)
            }
            other => Err(ThemeError::Unknown(other.to_string())),
        }
    }

    pub fn parse(text: &str) -> Result<Self, ThemeError> {
        Self::parse_named(text, "(built-in)")
    }

    /// Parses a theme. The error names `origin` (a path or a name), so a
    /// typo in a custom theme points at its file.
    pub fn parse_named(text: &str, origin: &str) -> Result<Self, ThemeError> {
        let file: ThemeFile = toml::from_str(text).map_err(|source| ThemeError::Parse {
            name: origin.to_string(),
            source,
        })?;
        let name = file.name.clone();
        let color = |field: &'static str, value: &str| {
            Color::from_str(value).map_err(|_| ThemeError::Color {
                name: name.clone(),
                field,
                value: value.to_string(),
            })
        };
        let c = &file.colors;
        Ok(Self {
            text: color("text", &c.text)?,
            background: color("background", &c.background)?,
            muted: color("muted", &c.muted)?,
            accent: color("accent", &c.accent)?,
            border: color("border", &c.border)?,
            title: color("title", &c.title)?,
            selected_text: color("selected_text", &c.selected_text)?,
            selected_background: color("selected_background", &c.selected_background)?,
            ok: color("ok", &c.ok)?,
            warning: color("warning", &c.warning)?,
            error: color("error", &c.error)?,
            local_endpoint: color("local_endpoint", &c.local_endpoint)?,
            name: file.name,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse() {
        assert_eq!(
            Theme::load("dark").map(|t| t.name).ok(),
            Some("dark".to_string())
        );
        assert_eq!(
            Theme::load("light").map(|t| t.name).ok(),
            Some("light".to_string())
        );
    }

    #[test]
    fn unknown_theme_is_an_error() {
        assert!(matches!(Theme::load("neon"), Err(ThemeError::Unknown(_))));
    }

    #[test]
    fn broken_theme_file_named_in_error() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let path = dir.path().join("mine.toml");
        std::fs::write(&path, "name = \"mine\"\n[colors\n").expect("write theme");
        let error = Theme::load(&path.display().to_string()).expect_err("invalid TOML");
        assert!(
            error.to_string().contains("mine.toml"),
            "the error should name the file: {error}"
        );
    }

    #[test]
    fn bad_colour_names_field() {
        let text = DARK.replace("lightcyan", "not-a-colour");
        let error = Theme::parse(&text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(error.contains("not-a-colour"), "{error}");
    }
}
