// Generated from src-tauri/dto_entrants.rs by ts-rs; do not edit by hand.
// Regenerate with: UPDATE_BINDINGS=1 cargo test --bin scoretable-app entrant_bindings

export type TeamMemberView = { 
/**
 * 1-based leg or member order.
 */
order: number, competitor_id: number, bib: string, name: string, };

export type TeamView = { id: number, name: string, bib: string | null, division_ids: number[], division_names: Array<string>, members: Array<TeamMemberView>, };

export type TeamDraft = { name: string, 
/**
 * Empty for a team without its own bib.
 */
bib: string, division_ids: number[], 
/**
 * Member bibs in leg or member order.
 */
member_bibs: Array<string>, };
