//! Typed accessors for the headers beyond the mandatory ones.
