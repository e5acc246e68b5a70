//! A column of 64-bit values (competitor ids) kept in 4 bytes each while every value fits a `u32`, and
//! in 8 once one does not: it widens in place, keeping every value.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum NarrowColumn {
    Narrow(Vec<u32>),
    Wide(Vec<i64>),
}

impl Default for NarrowColumn {
    fn default() -> NarrowColumn {
        NarrowColumn::Narrow(Vec::new())
    }
}

impl NarrowColumn {
    pub(crate) fn push(&mut self, value: i64) {
        match self {
            NarrowColumn::Narrow(values) => match u32::try_from(value) {
                Ok(narrow) => values.push(narrow),
                Err(_) => {
                    let mut wide = Vec::with_capacity(values.capacity().max(values.len() + 1));
                    wide.extend(values.iter().map(|value| i64::from(*value)));
                    wide.push(value);
                    *self = NarrowColumn::Wide(wide);
                }
            },
            NarrowColumn::Wide(values) => values.push(value),
        }
    }

    pub(crate) fn get(&self, index: usize) -> i64 {
        match self {
            NarrowColumn::Narrow(values) => i64::from(values[index]),
            NarrowColumn::Wide(values) => values[index],
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        match self {
            NarrowColumn::Narrow(values) => values.len(),
            NarrowColumn::Wide(values) => values.len(),
        }
    }

    pub(crate) fn reserve_exact(&mut self, more: usize) {
        match self {
            NarrowColumn::Narrow(values) => values.reserve_exact(more),
            NarrowColumn::Wide(values) => values.reserve_exact(more),
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        match self {
            NarrowColumn::Narrow(values) => values.shrink_to_fit(),
            NarrowColumn::Wide(values) => values.shrink_to_fit(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_beyond_a_u32_widen_and_keep_every_value() {
        let mut column = NarrowColumn::default();
        let values = [5, 0, u32::MAX as i64, u32::MAX as i64 + 1, -3, 7];
        for (at, value) in values.iter().enumerate() {
            column.push(*value);
            assert_eq!(
                matches!(column, NarrowColumn::Wide(_)),
                at >= 3,
                "narrow while every value fits"
            );
        }
        assert_eq!(column.len(), values.len());
        for (at, value) in values.iter().enumerate() {
            assert_eq!(column.get(at), *value);
        }
    }
}
