//! A prepared multi-row `INSERT` that binds its text without copying it.
//!
//! rusqlite binds every string with `SQLITE_TRANSIENT`: SQLite frees the
//! parameter's previous buffer, allocates a new one and copies the text, for
//! every parameter of every row (a 60,000-row start list binds 720,000
//! strings; a twentieth of the import). An import's batch binds text that
//! lives until its statement has run, so it can be bound `SQLITE_STATIC`.

use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use std::ptr;

use rusqlite::{ffi, Connection};

/// One bound value.
#[derive(Debug, Clone, Copy)]
pub(super) enum Bound<'v> {
    Null,
    Integer(i64),
    Text(&'v str),
}

impl<'v> Bound<'v> {
    pub(super) fn text(value: &'v Option<String>) -> Bound<'v> {
        value.as_deref().map_or(Bound::Null, Bound::Text)
    }
}

/// A statement owned by this value (finalized on drop) on a connection that
/// outlives it.
pub(super) struct StaticInsert<'c> {
    connection: &'c Connection,
    statement: *mut ffi::sqlite3_stmt,
    parameters: usize,
}

impl<'c> StaticInsert<'c> {
    pub(super) fn prepare(connection: &'c Connection, sql: &str) -> rusqlite::Result<Self> {
        let text = CString::new(sql).map_err(|_| rusqlite::Error::InvalidQuery)?;
        let mut statement = ptr::null_mut();
        // SAFETY: the handle is the live connection's (borrowed for 'c, and
        // the statement is finalized in `drop` before that ends); `text` is a
        // NUL-terminated string that outlives the call.
        let code = unsafe {
            ffi::sqlite3_prepare_v2(
                connection.handle(),
                text.as_ptr(),
                -1,
                &mut statement,
                ptr::null_mut(),
            )
        };
        if code != ffi::SQLITE_OK || statement.is_null() {
            return Err(last_error(connection, code));
        }
        // SAFETY: `statement` was just prepared.
        let parameters = unsafe { ffi::sqlite3_bind_parameter_count(statement) } as usize;
        Ok(StaticInsert {
            connection,
            statement,
            parameters,
        })
    }

    /// Binds `values` (one per parameter, in order), runs the statement once
    /// and leaves it reset with no values bound, so nothing points at
    /// `values` after the call.
    pub(super) fn execute(&mut self, values: &[Bound<'_>]) -> rusqlite::Result<()> {
        if values.len() != self.parameters {
            return Err(rusqlite::Error::InvalidParameterCount(
                values.len(),
                self.parameters,
            ));
        }
        let outcome = self.bind_and_step(values);
        // SAFETY: the statement is live; resetting and clearing drops every
        // pointer into `values` before they can go out of scope.
        unsafe {
            ffi::sqlite3_reset(self.statement);
            ffi::sqlite3_clear_bindings(self.statement);
        }
        outcome
    }

    fn bind_and_step(&mut self, values: &[Bound<'_>]) -> rusqlite::Result<()> {
        for (index, value) in values.iter().enumerate() {
            let column = index as c_int + 1;
            // SAFETY: the statement is live and `column` is within its
            // parameter count (checked above). Text is bound SQLITE_STATIC:
            // `values` borrows it for the whole call, and `execute` clears
            // the bindings before returning.
            let code = unsafe {
                match *value {
                    Bound::Null => ffi::sqlite3_bind_null(self.statement, column),
                    Bound::Integer(number) => {
                        ffi::sqlite3_bind_int64(self.statement, column, number)
                    }
                    Bound::Text(text) => ffi::sqlite3_bind_text64(
                        self.statement,
                        column,
                        text.as_ptr().cast::<c_char>(),
                        text.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as u8,
                    ),
                }
            };
            if code != ffi::SQLITE_OK {
                return Err(last_error(self.connection, code));
            }
        }
        // SAFETY: the statement is live with every parameter bound.
        let code = unsafe { ffi::sqlite3_step(self.statement) };
        if code == ffi::SQLITE_DONE {
            Ok(())
        } else {
            Err(last_error(self.connection, code))
        }
    }
}

impl Drop for StaticInsert<'_> {
    fn drop(&mut self) {
        // SAFETY: the statement was prepared by `prepare` and is finalized
        // exactly once, while its connection is still open.
        unsafe {
            ffi::sqlite3_finalize(self.statement);
        }
    }
}

/// The connection's error for `code`, as rusqlite reports it (extended code
/// and message), so callers read constraint failures the usual way.
fn last_error(connection: &Connection, code: c_int) -> rusqlite::Error {
    // SAFETY: the handle is the live connection's; SQLite's message is
    // copied before any other call on the connection.
    let (extended, message) = unsafe {
        let handle = connection.handle();
        let message = ffi::sqlite3_errmsg(handle);
        let message = if message.is_null() {
            None
        } else {
            Some(
                std::ffi::CStr::from_ptr(message)
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        (ffi::sqlite3_extended_errcode(handle), message)
    };
    let code = if extended & 0xff == code & 0xff {
        extended
    } else {
        code
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), message)
}
