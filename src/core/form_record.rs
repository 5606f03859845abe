//! The rows src/browser/form_io.js sends the core about a form, position by position.
//!
//! A form is read in one call each way (a call into or out of wasm costs about a
//! microsecond, and a 500-field form took thousands of them), so its readings cross as JSON
//! arrays of arrays rather than objects with named fields: each element is a row, each
//! position of a row one fact. These constants name every position; [`super::drafts`]
//! reads rows only through them.
//!
//! form_io.js has the same constants, under the same names, and builds every row with them.
//! **The two tables must match**: tests/browser_form_record.rs reads a form with one element
//! of each kind through the real form_io.js and fails if any position differs.
//!
//! A leaf module: it imports nothing, so both the drafts and anything else may read it.

// --- a fact row: one per element of the form (`formFacts`) ----------------------------

/// Lower-case tag name, or a pseudo tag (`#editable`, `#custom`: see
/// [`super::drafts::TAG_EDITABLE`]).
pub const FACT_TAG: usize = 0;
/// The `type` attribute, as written ("" for a region or a field read through code).
pub const FACT_TYPE: usize = 1;
/// The `name` attribute, else the name the field is known by (`data-session-draft`, an
/// editor's element's name).
pub const FACT_NAME: usize = 2;
/// The `autocomplete` attribute.
pub const FACT_AUTOCOMPLETE: usize = 3;
/// `true` when the element or an element around it has `data-session-draft="off"`.
pub const FACT_OPTED_OUT: usize = 4;
/// A checkbox's or radio's `value` (it keys them); "" for any other element, never a
/// password's.
pub const FACT_VALUE: usize = 5;
/// The `id` attribute.
pub const FACT_ID: usize = 6;
/// The label: its `<label for>`'s text, the `<label>` around it or `aria-label` (first 80
/// UTF-16 units).
pub const FACT_LABEL: usize = 7;

// --- a value row: one per saveable control asked for (`formValues`) -------------------
// Which of the three a row is follows from the control's kind, which the core decided from
// its facts. A row is empty when the element is gone or its code failed to read it.

/// A text's (an input's, a textarea's, a region's, a field read through code's, a file
/// input's names') value: the text, or the number of a long text form_io.js holds.
pub const TEXT_VALUE: usize = 0;
/// A text's `defaultValue` (for a field without one, what the baseline reading saw; "" in
/// any other reading): the text or a held text's number.
pub const TEXT_DEFAULT: usize = 1;

/// A checkbox's or radio's `value`.
pub const CHECKABLE_VALUE: usize = 0;
/// A checkbox's or radio's `checked`.
pub const CHECKABLE_CHECKED: usize = 1;
/// A checkbox's or radio's `defaultChecked` (the server-rendered `checked` attribute).
pub const CHECKABLE_DEFAULT_CHECKED: usize = 2;

/// A select's `multiple`.
pub const SELECT_MULTIPLE: usize = 0;
/// A select's options: a list of option rows, in order.
pub const SELECT_OPTIONS: usize = 1;

/// An option's `value`.
pub const OPTION_VALUE: usize = 0;
/// An option's `selected`.
pub const OPTION_SELECTED: usize = 1;
/// An option's `defaultSelected` (the server-rendered `selected` attribute).
pub const OPTION_DEFAULT_SELECTED: usize = 2;
