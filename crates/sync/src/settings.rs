//! The settings a platform's targets take, described by its adapter
//! ([`crate::SyncAdapter::settings`]), so a shell can offer every option the
//! adapter reads and validates without listing platforms itself: the app's
//! add-target form is built from these descriptions, and the values it
//! collects become the target's config through [`config_from_settings`]
//! (the same config the CLI's `--set KEY=VALUE` / `--config JSON` build).
//! The adapter still checks the result when the target is added.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// What kind of value a setting holds, and so how a form asks for it and
/// how its value is stored in the target's config.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettingKind {
    /// Free text, stored as a string.
    Text,
    /// A whole number, stored as a JSON number.
    Number,
    /// On or off, stored as `true` / `false`.
    Flag,
    /// One of [`SettingInfo::choices`], stored as its value.
    Choice,
    /// A text per workout the target receives, stored as an object keyed by
    /// the workout's id (`{"12": "100"}`).
    PerWorkout,
    /// A text per timing point, keyed by the timing point's id.
    PerTimingPoint,
    /// A text per division, keyed by the division's id.
    PerDivision,
    /// For each of [`SettingInfo::keys`] (Scoretable status codes), one of
    /// [`SettingInfo::choices`] (the platform's codes), stored as an object.
    StatusCodes,
    /// Pairs of a platform-side key typed by the official and one of
    /// [`SettingInfo::choices`], stored as an object.
    Pairs,
}

/// A value a form may choose, with the words shown for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingChoice {
    pub value: String,
    pub label: String,
}

impl SettingChoice {
    pub fn new(value: &str, label: &str) -> SettingChoice {
        SettingChoice {
            value: value.to_string(),
            label: label.to_string(),
        }
    }
}

/// One setting (config key) of a platform's targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingInfo {
    /// The config key (`match_by`, `status_codes`, ...).
    pub key: String,
    /// The setting as a form labels it.
    pub label: String,
    /// What it does, in a sentence.
    pub help: String,
    pub kind: SettingKind,
    /// Whether the target is refused without it (for per-workout settings:
    /// for every workout the target receives).
    pub required: bool,
    /// What applies when it is left out, as the form shows it.
    pub default: Option<String>,
    /// The values of a choice, status-code map or pairs.
    pub choices: Vec<SettingChoice>,
    /// A status-code map's keys (Scoretable's codes), each with the
    /// platform code it gets by default in `label`.
    pub keys: Vec<SettingChoice>,
}

impl SettingInfo {
    fn new(key: &str, label: &str, help: &str, kind: SettingKind) -> SettingInfo {
        SettingInfo {
            key: key.to_string(),
            label: label.to_string(),
            help: help.to_string(),
            kind,
            required: false,
            default: None,
            choices: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// A free-text setting.
    pub fn text(key: &str, label: &str, help: &str) -> SettingInfo {
        SettingInfo::new(key, label, help, SettingKind::Text)
    }

    /// A whole-number setting.
    pub fn number(key: &str, label: &str, help: &str) -> SettingInfo {
        SettingInfo::new(key, label, help, SettingKind::Number)
    }

    /// An on/off setting.
    pub fn flag(key: &str, label: &str, help: &str) -> SettingInfo {
        SettingInfo::new(key, label, help, SettingKind::Flag)
    }

    /// One of `choices` (`(value, label)`); the first is the default.
    pub fn choice(key: &str, label: &str, help: &str, choices: &[(&str, &str)]) -> SettingInfo {
        let mut info = SettingInfo::new(key, label, help, SettingKind::Choice);
        info.choices = choices
            .iter()
            .map(|(value, label)| SettingChoice::new(value, label))
            .collect();
        info.default = info.choices.first().map(|choice| choice.value.clone());
        info
    }

    /// A value per workout, timing point or division (`kind`).
    pub fn per(kind: SettingKind, key: &str, label: &str, help: &str) -> SettingInfo {
        SettingInfo::new(key, label, help, kind)
    }

    /// For each `(status, default code)`, one of `codes`.
    pub fn status_codes(
        key: &str,
        label: &str,
        help: &str,
        statuses: &[(&str, &str)],
        codes: &[&str],
    ) -> SettingInfo {
        let mut info = SettingInfo::new(key, label, help, SettingKind::StatusCodes);
        info.keys = statuses
            .iter()
            .map(|(status, code)| SettingChoice::new(status, code))
            .collect();
        info.choices = codes
            .iter()
            .map(|code| SettingChoice::new(code, code))
            .collect();
        info
    }

    /// Pairs of a typed key and one of `choices`.
    pub fn pairs(key: &str, label: &str, help: &str, choices: &[(&str, &str)]) -> SettingInfo {
        let mut info = SettingInfo::new(key, label, help, SettingKind::Pairs);
        info.choices = choices
            .iter()
            .map(|(value, label)| SettingChoice::new(value, label))
            .collect();
        info
    }

    /// The same setting, required.
    pub fn required(mut self) -> SettingInfo {
        self.required = true;
        self
    }

    /// The same setting with `default` shown as what applies when left out.
    pub fn default_value(mut self, default: &str) -> SettingInfo {
        self.default = Some(default.to_string());
        self
    }
}

/// One setting's value as a form collected it: `value` for a text, number,
/// flag or choice; `entries` (key, value) for the per-workout, per-timing
/// point, per-division, status-code and pair settings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SettingValue {
    pub key: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub entries: Vec<(String, String)>,
}

/// A target's config from a form's values, by the settings that describe
/// them: numbers become JSON numbers, flags booleans, maps objects; a blank
/// value (or entry) is left out so its default applies. A key the platform
/// does not describe, a number that is not one or a flag other than
/// true/false is refused with a message naming the setting.
pub fn config_from_settings(
    settings: &[SettingInfo],
    values: &[SettingValue],
) -> std::result::Result<Value, String> {
    let mut config = Map::new();
    for value in values {
        let key = value.key.trim();
        let Some(info) = settings.iter().find(|info| info.key == key) else {
            return Err(format!(
                "{key:?} is not a setting of this platform (it takes {})",
                settings
                    .iter()
                    .map(|info| info.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let text = value.value.trim();
        let stored = match info.kind {
            SettingKind::Text | SettingKind::Choice if text.is_empty() => None,
            SettingKind::Text => Some(Value::String(text.to_string())),
            SettingKind::Choice => {
                if !info.choices.iter().any(|choice| choice.value == text) {
                    return Err(format!(
                        "{}: {text:?} is not one of {}",
                        info.label,
                        choice_list(&info.choices)
                    ));
                }
                Some(Value::String(text.to_string()))
            }
            SettingKind::Number if text.is_empty() => None,
            SettingKind::Number => {
                Some(Value::from(text.parse::<i64>().map_err(|_| {
                    format!("{}: {text:?} is not a whole number", info.label)
                })?))
            }
            SettingKind::Flag => match text {
                "" => None,
                "true" => Some(Value::Bool(true)),
                "false" => Some(Value::Bool(false)),
                _ => return Err(format!("{}: {text:?} is not true or false", info.label)),
            },
            SettingKind::PerWorkout
            | SettingKind::PerTimingPoint
            | SettingKind::PerDivision
            | SettingKind::StatusCodes
            | SettingKind::Pairs => {
                let mut object = Map::new();
                for (entry_key, entry_value) in &value.entries {
                    let (entry_key, entry_value) = (entry_key.trim(), entry_value.trim());
                    if entry_key.is_empty() || entry_value.is_empty() {
                        continue;
                    }
                    if matches!(info.kind, SettingKind::StatusCodes)
                        && !info.keys.iter().any(|status| status.value == entry_key)
                    {
                        return Err(format!(
                            "{}: {entry_key} is not one of {}",
                            info.label,
                            choice_list(&info.keys)
                        ));
                    }
                    if matches!(info.kind, SettingKind::StatusCodes | SettingKind::Pairs)
                        && !info
                            .choices
                            .iter()
                            .any(|choice| choice.value == entry_value)
                    {
                        return Err(format!(
                            "{}: {entry_key} = {entry_value:?} is not one of {}",
                            info.label,
                            choice_list(&info.choices)
                        ));
                    }
                    object.insert(
                        entry_key.to_string(),
                        Value::String(entry_value.to_string()),
                    );
                }
                (!object.is_empty()).then_some(Value::Object(object))
            }
        };
        if let Some(stored) = stored {
            config.insert(info.key.clone(), stored);
        }
    }
    Ok(Value::Object(config))
}

fn choice_list(choices: &[SettingChoice]) -> String {
    choices
        .iter()
        .map(|choice| choice.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> Vec<SettingInfo> {
        vec![
            SettingInfo::text("race_id", "Race id", "").required(),
            SettingInfo::choice(
                "match_by",
                "Match by",
                "",
                &[("registration_id", "Registration id"), ("bib", "Bib")],
            ),
            SettingInfo::number("round", "Round", ""),
            SettingInfo::flag("sandbox", "Sandbox", ""),
            SettingInfo::per(SettingKind::PerWorkout, "event_codes", "Event code", ""),
            SettingInfo::status_codes(
                "status_codes",
                "Codes",
                "",
                &[("LAP", "DNF"), ("WD", "DNS")],
                &["DQ", "DNF", "DNS", "NM"],
            ),
        ]
    }

    fn value(key: &str, text: &str) -> SettingValue {
        SettingValue {
            key: key.into(),
            value: text.into(),
            entries: Vec::new(),
        }
    }

    fn entries(key: &str, pairs: &[(&str, &str)]) -> SettingValue {
        SettingValue {
            key: key.into(),
            value: String::new(),
            entries: pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
        }
    }

    #[test]
    fn values_become_the_config_the_adapter_reads() {
        let config = config_from_settings(
            &settings(),
            &[
                value("race_id", " 1234 "),
                value("match_by", "bib"),
                value("round", "2"),
                value("sandbox", "false"),
                entries("event_codes", &[("7", "100"), ("8", "")]),
                entries("status_codes", &[("LAP", "DNS")]),
            ],
        )
        .unwrap();
        assert_eq!(
            config,
            json!({"race_id": "1234", "match_by": "bib", "round": 2, "sandbox": false,
                   "event_codes": {"7": "100"}, "status_codes": {"LAP": "DNS"}})
        );
    }

    #[test]
    fn blank_values_are_left_out_so_defaults_apply() {
        let config = config_from_settings(
            &settings(),
            &[
                value("match_by", ""),
                value("sandbox", ""),
                entries("event_codes", &[("7", " ")]),
            ],
        )
        .unwrap();
        assert_eq!(config, json!({}));
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_naming_the_setting() {
        let refuse =
            |values: &[SettingValue]| config_from_settings(&settings(), values).unwrap_err();
        assert!(refuse(&[value("api_secret", "x")]).contains("\"api_secret\" is not a setting"));
        assert!(
            refuse(&[value("round", "two")]).starts_with("Round: \"two\" is not a whole number")
        );
        assert!(refuse(&[value("sandbox", "yes")]).starts_with("Sandbox:"));
        assert!(refuse(&[value("match_by", "name")]).contains("registration_id, bib"));
        assert!(refuse(&[entries("status_codes", &[("DSQ", "DQ")])])
            .contains("DSQ is not one of LAP, WD"));
        assert!(refuse(&[entries("status_codes", &[("LAP", "X")])])
            .contains("not one of DQ, DNF, DNS, NM"));
    }
}
