//! The competition file.
