//! Compact byte encodings of ranking values, for records written to
//! scratch files and read back by the same build (an export's sorted runs
//! and spilled boards): LEB128 varints, zigzag for signed values, and a
//! score or status as a small tag. Not a stored or exchanged format: a
//! record is decoded only by the program that wrote it.

use crate::model::{Score, Status};

/// Appends `value` as a LEB128 varint.
pub fn put_varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push(value as u8 | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// Reads a LEB128 varint at `*at`, moving past it; `None` past the end or
/// for more than ten bytes.
pub fn get_varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0_u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f).checked_shl(shift)?;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

/// A signed value as an unsigned one, small magnitudes small (zigzag).
pub fn zigzag(value: i64) -> u64 {
    ((value << 1) ^ (value >> 63)) as u64
}

/// The signed value of [`zigzag`].
pub fn unzigzag(value: u64) -> i64 {
    ((value >> 1) as i64) ^ -((value & 1) as i64)
}

/// Appends a score: its kind's tag (0 for none), then its value (and a
/// rounds-and-reps score's reps), zigzag varints.
pub fn put_score(out: &mut Vec<u8>, score: Option<Score>) {
    let (tag, first, second) = match score {
        None => (0, 0, 0),
        Some(Score::Time { ms }) => (1, ms, 0),
        Some(Score::Capped { reps }) => (2, reps, 0),
        Some(Score::RoundsReps { rounds, reps }) => (3, rounds, reps),
        Some(Score::Reps { reps }) => (4, reps, 0),
        Some(Score::Load { grams }) => (5, grams, 0),
        Some(Score::Distance { mm }) => (6, mm, 0),
        Some(Score::Points { milli }) => (7, milli, 0),
    };
    put_varint(out, tag);
    if tag != 0 {
        put_varint(out, zigzag(first));
    }
    if tag == 3 {
        put_varint(out, zigzag(second));
    }
}

/// The score of [`put_score`] at `*at`, moving past it; `None` when the
/// bytes do not decode to one.
pub fn get_score(bytes: &[u8], at: &mut usize) -> Option<Option<Score>> {
    let tag = get_varint(bytes, at)?;
    let first = if tag != 0 {
        unzigzag(get_varint(bytes, at)?)
    } else {
        0
    };
    Some(match tag {
        0 => None,
        1 => Some(Score::Time { ms: first }),
        2 => Some(Score::Capped { reps: first }),
        3 => Some(Score::RoundsReps {
            rounds: first,
            reps: unzigzag(get_varint(bytes, at)?),
        }),
        4 => Some(Score::Reps { reps: first }),
        5 => Some(Score::Load { grams: first }),
        6 => Some(Score::Distance { mm: first }),
        7 => Some(Score::Points { milli: first }),
        _ => return None,
    })
}

/// Appends a status: 0 for none, else one more than its place in
/// [`Status::ALL`].
pub fn put_status(out: &mut Vec<u8>, status: Option<Status>) {
    put_varint(
        out,
        status.map_or(0, |status| {
            Status::ALL
                .iter()
                .position(|each| *each == status)
                .expect("every status is in Status::ALL") as u64
                + 1
        }),
    );
}

/// The status of [`put_status`] at `*at`, moving past it; `None` when the
/// bytes do not decode to one.
pub fn get_status(bytes: &[u8], at: &mut usize) -> Option<Option<Status>> {
    Some(match get_varint(bytes, at)? {
        0 => None,
        code => Some(*Status::ALL.get(usize::try_from(code - 1).ok()?)?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_scores_and_statuses_read_back_as_written() {
        let values = [
            0i64,
            1,
            -1,
            63,
            -64,
            64,
            1 << 40,
            -(1 << 40),
            i64::MAX,
            i64::MIN,
        ];
        let scores = [
            None,
            Some(Score::Time { ms: 3_723_400 }),
            Some(Score::Capped { reps: -3 }),
            Some(Score::RoundsReps {
                rounds: 5,
                reps: -12,
            }),
            Some(Score::Reps { reps: 0 }),
            Some(Score::Load { grams: i64::MAX }),
            Some(Score::Distance { mm: i64::MIN }),
            Some(Score::Points { milli: -1 }),
        ];
        let statuses = std::iter::once(None).chain(Status::ALL.iter().copied().map(Some));
        let mut bytes = Vec::new();
        for value in values {
            put_varint(&mut bytes, zigzag(value));
        }
        for score in scores {
            put_score(&mut bytes, score);
        }
        for status in statuses.clone() {
            put_status(&mut bytes, status);
        }
        let mut at = 0;
        for value in values {
            assert_eq!(get_varint(&bytes, &mut at).map(unzigzag), Some(value));
        }
        for score in scores {
            assert_eq!(get_score(&bytes, &mut at), Some(score));
        }
        for status in statuses {
            assert_eq!(get_status(&bytes, &mut at), Some(status));
        }
        assert_eq!(at, bytes.len());
        assert_eq!(get_varint(&bytes, &mut at), None);
        // Unknown tags and codes do not decode.
        assert_eq!(get_score(&[8], &mut 0), None);
        assert_eq!(get_status(&[8], &mut 0), None);
        // A varint longer than ten bytes does not decode.
        assert_eq!(get_varint(&[0x80; 11], &mut 0), None);
    }
}
