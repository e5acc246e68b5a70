//! Turning a file's bytes into text: the shared decoder of
//! [`scoretable_core::text`] (byte order marks, UTF-8, UTF-16 with or
//! without a mark, Windows-1252), which the competitor and score imports use
//! too. Every reader of this crate decodes through [`decode_text`].

pub use scoretable_core::text::{decode_text, TextEncoding};
