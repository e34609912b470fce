//! Typed views of the headers a user agent reads.

mod addr;
mod name;
mod replaces;
mod values;
mod via;

pub use addr::{Contact, NameAddr};
pub use name::HeaderName;
pub(crate) use name::{same_header_name, KNOWN_COUNT};
pub use replaces::Replaces;
pub use values::{CSeq, RetryAfter};
pub use via::Via;

#[cfg(test)]
mod tests;
