//! The one conversion between a mapping as a form edits it and the inbound
//! crate's mapping, which the app's mapping screen and the CLI's
//! `mapping set` both use.

use scoretable_inbound::{FieldMapping, ValueTransform};
use scoretable_store::IdentifierKind;
use scoretable_usecase::mappings::{
    form_from_mapping, mapping_from_form, parse_identifier_kind, parse_value_transform, MappingForm,
};
use scoretable_usecase::ErrorClass;

fn form() -> MappingForm {
    MappingForm {
        identifier_field: " Participant ID ".into(),
        identifier_kind: "feed_participant_id".into(),
        team_field: Some("Team".into()),
        teammate_field: Some(" ".into()),
        value_field: Some("Result".into()),
        value_transform: "seconds".into(),
        status_field: Some(String::new()),
        splits: vec![
            ("Swim".into(), " T1 ".into()),
            (" ".into(), "T2".into()),
            ("Bike".into(), "T2".into()),
        ],
    }
}

#[test]
fn a_form_becomes_a_mapping_and_back() {
    let mapping: FieldMapping = mapping_from_form(&form()).unwrap();
    assert_eq!(mapping.identifier.field, "Participant ID");
    assert_eq!(mapping.identifier.kind, IdentifierKind::FeedParticipantId);
    let team = mapping.team.as_ref().unwrap();
    assert_eq!(
        (team.field.as_str(), team.kind),
        ("Team", IdentifierKind::TeamName)
    );
    assert!(mapping.teammate.is_none(), "a blank field is no field");
    assert!(mapping.status.is_none());
    let value = mapping.value.as_ref().unwrap();
    assert_eq!(
        (value.field.as_str(), value.transform),
        ("Result", ValueTransform::Seconds)
    );
    let splits: Vec<(&str, &str)> = mapping
        .splits
        .iter()
        .map(|split| (split.field.as_str(), split.timing_point.as_str()))
        .collect();
    assert_eq!(splits, [("Swim", "T1"), ("Bike", "T2")]);

    let shown = form_from_mapping(&mapping);
    assert_eq!(
        shown,
        MappingForm {
            identifier_field: "Participant ID".into(),
            identifier_kind: "feed_participant_id".into(),
            team_field: Some("Team".into()),
            teammate_field: None,
            value_field: Some("Result".into()),
            value_transform: "seconds".into(),
            status_field: None,
            splits: vec![("Swim".into(), "T1".into()), ("Bike".into(), "T2".into())],
        }
    );
    // Shown and read again, it is the same mapping.
    assert_eq!(mapping_from_form(&shown).unwrap(), mapping);
}

#[test]
fn bad_words_and_a_missing_identifier_are_refused_naming_the_field() {
    let blank = MappingForm {
        identifier_field: "  ".into(),
        ..form()
    };
    let error = mapping_from_form(&blank).unwrap_err();
    assert_eq!(error.class, ErrorClass::Invalid, "{error:?}");
    assert!(
        error.message.contains("identifies the entrant"),
        "{error:?}"
    );
    assert_eq!(error.field.as_deref(), Some("participant field"));

    let kind = MappingForm {
        identifier_kind: "shoe size".into(),
        ..form()
    };
    let error = mapping_from_form(&kind).unwrap_err();
    assert!(error.message.contains("\"shoe size\""), "{error:?}");
    assert_eq!(error.field.as_deref(), Some("identifier kind"));
    assert!(
        error.message.contains("bib"),
        "lists the known kinds: {error:?}"
    );

    let transform = MappingForm {
        value_transform: "minutes".into(),
        ..form()
    };
    let error = mapping_from_form(&transform).unwrap_err();
    assert!(
        error.message.contains("as_is, seconds or milliseconds"),
        "{error:?}"
    );
    assert_eq!(error.field.as_deref(), Some("value transform"));
    assert_eq!(
        parse_identifier_kind(" chip ").unwrap(),
        IdentifierKind::Chip
    );
    assert_eq!(
        parse_value_transform("ms").unwrap(),
        ValueTransform::Milliseconds
    );
}
