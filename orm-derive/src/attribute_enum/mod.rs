//! `#[derive(AttributeEnum)]`: a unit enum stored as an Appwrite enum attribute. Its elements
//! are the variant names serde writes, so that the schema and the JSON always agree. Like the
//! `Collection` derive it runs parse → check → expand, with a fallback impl when there were
//! errors.

mod check;
mod expand;
mod parse;

use proc_macro2::TokenStream;
use syn::{DeriveInput, Ident};

use crate::ctxt::Ctxt;

/// One variant and the element it is stored as.
struct Variant<'a> {
    ident: &'a Ident,
    element: String,
}

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let variants = parse::variants(&cx, input);
    if let Some(variants) = &variants {
        check::variants(&cx, input, variants);
    }
    match (cx.check(), variants) {
        (Ok(()), Some(variants)) => expand::impls(input, &variants),
        (Err(errors), _) => crate::fallback::attribute_enum(input, errors),
        (Ok(()), None) => unreachable!("parse reports why it returned None"),
    }
}
