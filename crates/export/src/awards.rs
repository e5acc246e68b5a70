//! The award list: top N per division, with optional overall awards.
//!
//! Awards are given from one leaderboard, the [`AwardBasis`]: the overall
//! standings across workouts, or a single workout. Categories are awarded in
//! this order, as chip-timing award rules (RunSignup's among them) do:
//!
//! 1. with [`AwardRules::overall_awards`] above zero, the top of the whole
//!    field ("Overall");
//! 2. with [`AwardRules::gender_overall_awards`] above zero, the top of each
//!    gender across the whole field ("Female overall", "Male overall", then
//!    Mixed and Other when the field has them), ranked by their whole-field
//!    places;
//! 3. each division's top [`AwardRules::awards_per_division`].
//!
//! When [`AwardRules::overall_winners_also_take_division_awards`] is false
//! (no double awards), an entrant awarded in an earlier category is skipped
//! in the later ones and the next entrant moves up: an overall winner takes
//! no gender-overall or division award, a gender-overall winner no division
//! award.
//!
//! Only placed entrants win awards (never a status such as DNF or DSQ).
//! Entrants tied on a place share the award place, so a tie at the last
//! award place gives one more award (1, 2, 3, 3); the place after a tie is
//! skipped as in standard competition ranking (1, 2, 2, 4).
//!
//! The list renders as CSV ([`Exporter::awards_csv`]) and as a
//! certificate-style PDF with one page per category
//! ([`Exporter::awards_pdf`]).

use std::collections::HashSet;

use scoretable_core::model::{Entrant, Gender, Id};
use serde::{Deserialize, Serialize};

use crate::csv_safety::SafeCsvWriter;
use crate::data::{gender_text, row_place, Exporter};
use crate::error::ExportError;
use crate::pdf::document::{Align, Canvas, Colour, Orientation, PdfBuilder, BLACK, MARGIN};
use crate::pdf::text::Font;

/// Which leaderboard awards are given from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "workout_id", rename_all = "snake_case")]
pub enum AwardBasis {
    /// The overall standings across workouts.
    Overall,
    /// One workout's leaderboard.
    Workout(Id),
}

/// How many awards go to whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardRules {
    pub basis: AwardBasis,
    /// Awards for the top of the whole field; 0 for none.
    pub overall_awards: u32,
    /// Awards for the top of each gender across the whole field (e.g. top 3
    /// Female overall, top 3 Male overall); 0 for none.
    #[serde(default)]
    pub gender_overall_awards: u32,
    /// Awards in each division.
    pub awards_per_division: u32,
    /// When false, overall award winners are skipped in the divisions and
    /// the next athlete moves up.
    pub overall_winners_also_take_division_awards: bool,
}

impl Default for AwardRules {
    fn default() -> AwardRules {
        AwardRules {
            basis: AwardBasis::Overall,
            overall_awards: 0,
            gender_overall_awards: 0,
            awards_per_division: 3,
            overall_winners_also_take_division_awards: true,
        }
    }
}

/// Whether an award is an overall or a division award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "division_id", rename_all = "snake_case")]
pub enum AwardCategory {
    Overall,
    /// The top of one gender across the whole field.
    GenderOverall(Gender),
    Division(Id),
}

/// One award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Award {
    /// 1 for the first award of the category; tied entrants share it.
    pub award_place: u32,
    /// The entrant's place on the leaderboard the category is drawn from.
    pub leaderboard_place: u32,
    pub entrant: Entrant,
    pub bib: String,
    pub name: String,
    /// The score as shown (`12:03.4`), or for overall awards the total
    /// (`total 245`; the workout's score when there is only one workout).
    pub result: String,
    /// True when another entrant shares this award place.
    pub tied: bool,
    /// For a gender-overall or division award: the overall award place
    /// this entrant also holds (double awards allowed).
    pub also_overall_award_place: Option<u32>,
    /// For a division award: the gender-overall award place this entrant
    /// also holds (double awards allowed).
    #[serde(default)]
    pub also_gender_overall_award_place: Option<u32>,
}

/// The awards of one category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardCategoryList {
    pub category: AwardCategory,
    pub name: String,
    pub awards: Vec<Award>,
}

/// The whole award list, overall awards first, then divisions in the
/// snapshot's division order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwardList {
    pub rules: AwardRules,
    /// What the awards were drawn from, e.g. `Overall standings` or `Workout 2: Fran`.
    pub basis_name: String,
    pub categories: Vec<AwardCategoryList>,
}

/// A placed leaderboard entry the selection works on.
#[derive(Debug, Clone)]
struct Candidate {
    entrant: Entrant,
    place: u32,
    result: String,
}

/// Picks up to `count` award places from candidates offered in leaderboard
/// order, skipping `excluded` entrants; ties share a place. It holds the
/// awarded candidates only, so the whole field's candidates are never
/// collected: [`Selection::offer`] says when no later candidate can be
/// awarded.
struct Selection<'x> {
    count: u32,
    excluded: &'x HashSet<Entrant>,
    kept: u32,
    /// (leaderboard place, award place) of the last candidate awarded.
    previous: Option<(u32, u32)>,
    selected: Vec<(u32, Candidate)>,
    done: bool,
}

impl<'x> Selection<'x> {
    fn new(count: u32, excluded: &'x HashSet<Entrant>) -> Selection<'x> {
        Selection {
            count,
            excluded,
            kept: 0,
            previous: None,
            selected: Vec::new(),
            done: false,
        }
    }

    /// Offers the next candidate; false once the selection is complete.
    fn offer(&mut self, candidate: &Candidate) -> bool {
        if self.done {
            return false;
        }
        if self.excluded.contains(&candidate.entrant) {
            return true;
        }
        self.kept += 1;
        let award_place = match self.previous {
            Some((place, award_place)) if place == candidate.place => award_place,
            _ => self.kept,
        };
        if award_place > self.count {
            self.done = true;
            return false;
        }
        self.previous = Some((candidate.place, award_place));
        self.selected.push((award_place, candidate.clone()));
        true
    }
}

/// [`Selection`] over a list of candidates.
#[cfg(test)]
fn select_awards(
    candidates: &[Candidate],
    count: u32,
    excluded: &HashSet<Entrant>,
) -> Vec<(u32, Candidate)> {
    let mut selection = Selection::new(count, excluded);
    for candidate in candidates {
        if !selection.offer(candidate) {
            break;
        }
    }
    selection.selected
}

fn ordinal(place: u32) -> String {
    let suffix = match (place % 10, place % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{place}{suffix}")
}

impl Exporter<'_> {
    /// Walks the placed entrants of the basis leaderboard for the whole
    /// field or a division, in leaderboard order, a batch of rows at a
    /// time: `each` is given every candidate (and, when `with_gender`, its
    /// gender, read from the board's names beside the rows) and returns
    /// false to stop. Nothing is collected.
    fn walk_candidates(
        &self,
        basis: AwardBasis,
        division_id: Option<Id>,
        with_gender: bool,
        each: &mut dyn FnMut(Candidate, Option<Gender>) -> bool,
    ) -> Result<(), ExportError> {
        match basis {
            AwardBasis::Overall => {
                let board = self.data.overall_rows(division_id)?;
                let names = self.overall_names(&board);
                for (index, row) in board.iter().enumerate() {
                    let gender = if with_gender {
                        names.entrant(index, row.entrant)?.entrant().gender()
                    } else {
                        None
                    };
                    let candidate = Candidate {
                        entrant: row.entrant,
                        place: row.rank,
                        // With one workout its score says more than a rank-sum total.
                        result: match row.cells.as_slice() {
                            [only] if self.data.workouts.len() == 1 => only.display.clone(),
                            _ => format!("total {}", row.total),
                        },
                    };
                    if !each(candidate, gender) {
                        break;
                    }
                }
            }
            AwardBasis::Workout(workout_id) => {
                let board = self.data.board_rows(workout_id, division_id)?;
                let names = self.board_names(workout_id, division_id);
                for (index, row) in board.iter().enumerate() {
                    if row.status.is_some() {
                        continue;
                    }
                    let Some(place) = row_place(&row, division_id) else {
                        continue;
                    };
                    let gender = if with_gender {
                        names.entrant(index, row.entrant)?.entrant().gender()
                    } else {
                        None
                    };
                    let candidate = Candidate {
                        entrant: row.entrant,
                        place,
                        result: row.display.clone(),
                    };
                    if !each(candidate, gender) {
                        break;
                    }
                }
            }
        }
        Ok(())
    }

    /// The awards of one category: up to `count` places of the basis
    /// leaderboard for the whole field or a division, skipping `excluded`.
    fn select(
        &self,
        basis: AwardBasis,
        division_id: Option<Id>,
        count: u32,
        excluded: &HashSet<Entrant>,
    ) -> Result<Vec<(u32, Candidate)>, ExportError> {
        let mut selection = Selection::new(count, excluded);
        self.walk_candidates(basis, division_id, false, &mut |candidate, _| {
            selection.offer(&candidate)
        })?;
        Ok(selection.selected)
    }

    fn award_from(
        &self,
        award_place: u32,
        candidate: &Candidate,
        tied: bool,
    ) -> Result<Award, ExportError> {
        let display = self.directory.get(candidate.entrant)?;
        Ok(Award {
            award_place,
            leaderboard_place: candidate.place,
            entrant: candidate.entrant,
            bib: display.bib.clone(),
            name: display.name.clone(),
            result: candidate.result.clone(),
            tied,
            also_overall_award_place: None,
            also_gender_overall_award_place: None,
        })
    }

    fn awards_for(&self, selected: &[(u32, Candidate)]) -> Result<Vec<Award>, ExportError> {
        let mut awards = Vec::with_capacity(selected.len());
        for (index, (award_place, candidate)) in selected.iter().enumerate() {
            let tied = selected
                .iter()
                .enumerate()
                .any(|(other, (other_place, _))| other != index && other_place == award_place);
            awards.push(self.award_from(*award_place, candidate, tied)?);
        }
        Ok(awards)
    }

    /// Selects the awards under `rules`.
    pub fn award_list(&self, rules: &AwardRules) -> Result<AwardList, ExportError> {
        let basis_name = match rules.basis {
            AwardBasis::Overall => "Overall standings".to_string(),
            AwardBasis::Workout(workout_id) => {
                let workout = self.data.workout(workout_id)?;
                format!("Workout {}: {}", workout.sequence, workout.name)
            }
        };
        let mut categories = Vec::new();
        let mut overall_winners: Vec<(Entrant, u32)> = Vec::new();
        if rules.overall_awards > 0 {
            let selected = self.select(rules.basis, None, rules.overall_awards, &HashSet::new())?;
            overall_winners = selected
                .iter()
                .map(|(place, candidate)| (candidate.entrant, *place))
                .collect();
            categories.push(AwardCategoryList {
                category: AwardCategory::Overall,
                name: "Overall".to_string(),
                awards: self.awards_for(&selected)?,
            });
        }
        // Without double awards, everyone awarded so far is skipped later.
        let mut excluded: HashSet<Entrant> = HashSet::new();
        let exclude_winners = !rules.overall_winners_also_take_division_awards;
        if exclude_winners {
            excluded.extend(overall_winners.iter().map(|(entrant, _)| *entrant));
        }
        let overall_place_of = |entrant: Entrant| {
            overall_winners
                .iter()
                .find(|(winner, _)| *winner == entrant)
                .map(|(_, place)| *place)
        };
        let mut gender_winners: Vec<(Entrant, u32)> = Vec::new();
        if rules.gender_overall_awards > 0 {
            // One walk of the whole field, each gender's selection offered
            // its candidates (a gender with none gets no category); it
            // stops once every selection is complete.
            const GENDERS: [Gender; 4] =
                [Gender::Female, Gender::Male, Gender::Mixed, Gender::Other];
            let mut selections: Vec<Selection<'_>> = GENDERS
                .iter()
                .map(|_| Selection::new(rules.gender_overall_awards, &excluded))
                .collect();
            let mut seen = [false; GENDERS.len()];
            self.walk_candidates(rules.basis, None, true, &mut |candidate, gender| {
                if let Some(at) = GENDERS.iter().position(|each| Some(*each) == gender) {
                    seen[at] = true;
                    selections[at].offer(&candidate);
                }
                !selections.iter().all(|selection| selection.done)
            })?;
            let mut category_winners = Vec::new();
            for ((gender, selection), seen) in GENDERS.iter().zip(selections).zip(seen) {
                if !seen {
                    continue;
                }
                let selected = selection.selected;
                category_winners.extend(
                    selected
                        .iter()
                        .map(|(place, candidate)| (candidate.entrant, *place)),
                );
                let mut awards = self.awards_for(&selected)?;
                for award in &mut awards {
                    award.also_overall_award_place = overall_place_of(award.entrant);
                }
                categories.push(AwardCategoryList {
                    category: AwardCategory::GenderOverall(*gender),
                    name: format!("{} overall", gender_text(Some(*gender))),
                    awards,
                });
            }
            gender_winners = category_winners;
        }
        if exclude_winners {
            excluded.extend(gender_winners.iter().map(|(entrant, _)| *entrant));
        }
        for division in &self.data.divisions {
            let selected = self.select(
                rules.basis,
                Some(division.id),
                rules.awards_per_division,
                &excluded,
            )?;
            let mut awards = self.awards_for(&selected)?;
            for award in &mut awards {
                award.also_overall_award_place = overall_place_of(award.entrant);
                award.also_gender_overall_award_place = gender_winners
                    .iter()
                    .find(|(entrant, _)| *entrant == award.entrant)
                    .map(|(_, place)| *place);
            }
            categories.push(AwardCategoryList {
                category: AwardCategory::Division(division.id),
                name: division.name.clone(),
                awards,
            });
        }
        Ok(AwardList {
            rules: rules.clone(),
            basis_name,
            categories,
        })
    }

    /// The award list as CSV: `category, award_place, leaderboard_place, bib,
    /// name, gender, club, country, result, note`.
    pub fn awards_csv(&self, rules: &AwardRules) -> Result<Vec<u8>, ExportError> {
        let list = self.award_list(rules)?;
        let mut writer = SafeCsvWriter::new();
        writer.write_row([
            "category",
            "award_place",
            "leaderboard_place",
            "bib",
            "name",
            "gender",
            "club",
            "country",
            "result",
            "note",
        ])?;
        for category in &list.categories {
            for award in &category.awards {
                let display = self.directory.get(award.entrant)?;
                let mut notes = Vec::new();
                if award.tied {
                    notes.push("tied".to_string());
                }
                if let Some(place) = award.also_overall_award_place {
                    notes.push(format!("also overall {}", ordinal(place)));
                }
                if let Some(place) = award.also_gender_overall_award_place {
                    notes.push(format!(
                        "also {} overall {}",
                        gender_text(display.gender),
                        ordinal(place)
                    ));
                }
                writer.write_row([
                    category.name.as_str(),
                    &award.award_place.to_string(),
                    &award.leaderboard_place.to_string(),
                    &award.bib,
                    &award.name,
                    gender_text(display.gender),
                    display.club.as_deref().unwrap_or(""),
                    display.country.as_deref().unwrap_or(""),
                    &award.result,
                    &notes.join("; "),
                ])?;
            }
        }
        writer.into_bytes()
    }

    /// The award list as a certificate-style PDF: one page per category (more
    /// when a category has many awards), each award in a framed block with
    /// its place, name, bib, club and result.
    pub fn awards_pdf(&self, rules: &AwardRules) -> Result<Vec<u8>, ExportError> {
        let list = self.award_list(rules)?;
        let competition = &self.data.competition;
        let footer = format!(
            "{}  \u{2022}  Awards from {}  \u{2022}  Generated {} by Scoretable",
            competition.name,
            list.basis_name,
            self.data.generated_at_text()
        );
        let mut builder = PdfBuilder::new(
            &format!("{} \u{2014} Awards", competition.name),
            &footer,
            self.data.generated_at,
        );
        let rule_text = format!(
            "Top {} per division{}{}. Overall winners {} take division awards.",
            rules.awards_per_division,
            if rules.overall_awards > 0 {
                format!(", top {} overall", rules.overall_awards)
            } else {
                String::new()
            },
            if rules.gender_overall_awards > 0 {
                format!(", top {} per gender overall", rules.gender_overall_awards)
            } else {
                String::new()
            },
            if rules.overall_winners_also_take_division_awards {
                "also"
            } else {
                "do not"
            }
        );
        const BLOCK_HEIGHT: f32 = 74.0;
        for category in &list.categories {
            let mut awards = category.awards.iter().peekable();
            let mut first_page = true;
            while first_page || awards.peek().is_some() {
                let mut canvas = builder.begin_page(Orientation::Portrait);
                let mut y = draw_certificate_header(
                    &mut canvas,
                    &competition.name,
                    &category.name,
                    &list.basis_name,
                    &rule_text,
                    !first_page,
                );
                if category.awards.is_empty() {
                    canvas.text_in_box(
                        MARGIN + 30.0,
                        canvas.width() - 2.0 * MARGIN - 60.0,
                        y - 20.0,
                        Align::Centre,
                        Font::Regular,
                        11.0,
                        Colour::Gray(0.35),
                        "No placed results in this category yet.",
                    );
                }
                while let Some(award) = awards.peek() {
                    if y - BLOCK_HEIGHT < MARGIN + 40.0 {
                        break;
                    }
                    let display = self.directory.get(award.entrant)?;
                    draw_award_block(&mut canvas, y, BLOCK_HEIGHT, award, &display);
                    y -= BLOCK_HEIGHT + 10.0;
                    awards.next();
                }
                builder.end_page(canvas);
                first_page = false;
            }
        }
        if builder.page_count() == 0 {
            let mut canvas = builder.begin_page(Orientation::Portrait);
            draw_certificate_header(
                &mut canvas,
                &competition.name,
                "No award categories",
                &list.basis_name,
                &rule_text,
                false,
            );
            builder.end_page(canvas);
        }
        builder.finish()
    }
}

const GOLD: Colour = Colour::Rgb(0.62, 0.47, 0.05);

fn draw_certificate_header(
    canvas: &mut Canvas,
    competition: &str,
    category: &str,
    basis: &str,
    rules: &str,
    continued: bool,
) -> f32 {
    let width = canvas.width();
    let height = canvas.height();
    // A double frame around the page, as on a certificate.
    canvas.stroke_rect(
        MARGIN - 12.0,
        MARGIN + 16.0,
        width - 2.0 * MARGIN + 24.0,
        height - 2.0 * MARGIN - 4.0,
        2.0,
        GOLD,
    );
    canvas.stroke_rect(
        MARGIN - 7.0,
        MARGIN + 21.0,
        width - 2.0 * MARGIN + 14.0,
        height - 2.0 * MARGIN - 14.0,
        0.6,
        GOLD,
    );
    let inner_x = MARGIN + 10.0;
    let inner_width = width - 2.0 * MARGIN - 20.0;
    let top = height - MARGIN - 30.0;
    canvas.text_in_box(
        inner_x,
        inner_width,
        top,
        Align::Centre,
        Font::Bold,
        13.0,
        Colour::Gray(0.25),
        competition,
    );
    canvas.text_in_box(
        inner_x,
        inner_width,
        top - 34.0,
        Align::Centre,
        Font::Bold,
        26.0,
        GOLD,
        "AWARDS",
    );
    let title = if continued {
        format!("{category} (continued)")
    } else {
        category.to_string()
    };
    canvas.text_in_box(
        inner_x,
        inner_width,
        top - 62.0,
        Align::Centre,
        Font::Bold,
        18.0,
        BLACK,
        &title,
    );
    canvas.text_in_box(
        inner_x,
        inner_width,
        top - 80.0,
        Align::Centre,
        Font::Regular,
        9.0,
        Colour::Gray(0.35),
        &format!("Awarded from: {basis}"),
    );
    canvas.text_in_box(
        inner_x,
        inner_width,
        top - 92.0,
        Align::Centre,
        Font::Regular,
        8.0,
        Colour::Gray(0.45),
        rules,
    );
    canvas.line(
        (width / 2.0 - 80.0, top - 102.0),
        (width / 2.0 + 80.0, top - 102.0),
        0.8,
        GOLD,
    );
    top - 116.0
}

fn draw_award_block(
    canvas: &mut Canvas,
    top: f32,
    height: f32,
    award: &Award,
    display: &crate::data::EntrantDisplay,
) {
    let x = MARGIN + 30.0;
    let width = canvas.width() - 2.0 * MARGIN - 60.0;
    canvas.fill_rect(x, top - height, width, height, Colour::Gray(0.97));
    canvas.stroke_rect(x, top - height, width, height, 0.8, GOLD);
    let place_width = 90.0;
    let place_text = ordinal(award.award_place);
    canvas.text_in_box(
        x,
        place_width,
        top - height / 2.0 - 9.0,
        Align::Centre,
        Font::Bold,
        28.0,
        GOLD,
        &place_text,
    );
    canvas.line(
        (x + place_width, top - 10.0),
        (x + place_width, top - height + 10.0),
        0.5,
        GOLD,
    );
    let text_x = x + place_width + 14.0;
    let text_width = width - place_width - 24.0;
    canvas.text_in_box(
        text_x,
        text_width,
        top - 26.0,
        Align::Left,
        Font::Bold,
        17.0,
        BLACK,
        &award.name,
    );
    let mut details = vec![format!("Bib {}", award.bib)];
    if let Some(club) = &display.club {
        details.push(club.clone());
    }
    if let Some(country) = &display.country {
        details.push(country.clone());
    }
    canvas.text_in_box(
        text_x,
        text_width,
        top - 43.0,
        Align::Left,
        Font::Regular,
        10.0,
        Colour::Gray(0.25),
        &details.join("  \u{2022}  "),
    );
    let mut result = format!(
        "Result: {}  \u{2022}  Place {}",
        award.result, award.leaderboard_place
    );
    if award.tied {
        result.push_str("  \u{2022}  tied");
    }
    if let Some(place) = award.also_overall_award_place {
        result.push_str(&format!("  \u{2022}  also {} overall", ordinal(place)));
    }
    if let Some(place) = award.also_gender_overall_award_place {
        result.push_str(&format!(
            "  \u{2022}  also {} in gender overall",
            ordinal(place)
        ));
    }
    canvas.text_in_box(
        text_x,
        text_width,
        top - 60.0,
        Align::Left,
        Font::Regular,
        10.0,
        BLACK,
        &result,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(places: &[(i64, u32)]) -> Vec<Candidate> {
        places
            .iter()
            .map(|(id, place)| Candidate {
                entrant: Entrant::Competitor(*id),
                place: *place,
                result: String::new(),
            })
            .collect()
    }

    #[test]
    fn ties_share_an_award_place_and_extend_the_list() {
        let list = candidates(&[(1, 1), (2, 2), (3, 3), (4, 3), (5, 5)]);
        let selected = select_awards(&list, 3, &HashSet::new());
        let places: Vec<(u32, i64)> = selected
            .iter()
            .map(|(place, candidate)| match candidate.entrant {
                Entrant::Competitor(id) | Entrant::Team(id) => (*place, id),
            })
            .collect();
        assert_eq!(places, vec![(1, 1), (2, 2), (3, 3), (3, 4)]);
    }

    #[test]
    fn excluded_winners_let_the_next_athlete_move_up() {
        let list = candidates(&[(1, 1), (2, 2), (3, 3), (4, 4)]);
        let excluded: HashSet<Entrant> = [Entrant::Competitor(1)].into_iter().collect();
        let selected = select_awards(&list, 3, &excluded);
        let ids: Vec<(u32, Entrant)> = selected
            .iter()
            .map(|(place, candidate)| (*place, candidate.entrant))
            .collect();
        assert_eq!(
            ids,
            vec![
                (1, Entrant::Competitor(2)),
                (2, Entrant::Competitor(3)),
                (3, Entrant::Competitor(4))
            ]
        );
    }

    #[test]
    fn ordinals() {
        assert_eq!(ordinal(1), "1st");
        assert_eq!(ordinal(2), "2nd");
        assert_eq!(ordinal(3), "3rd");
        assert_eq!(ordinal(4), "4th");
        assert_eq!(ordinal(11), "11th");
        assert_eq!(ordinal(12), "12th");
        assert_eq!(ordinal(21), "21st");
        assert_eq!(ordinal(113), "113th");
    }
}
