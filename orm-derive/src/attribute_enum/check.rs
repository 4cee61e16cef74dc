//! Appwrite's rules for enum elements, checked at compile time.

use syn::DeriveInput;

use super::Variant;
use crate::ctxt::Ctxt;

// Appwrite's limits on enum elements.
const MAX_ELEMENTS: usize = 100;
const MAX_ELEMENT_LENGTH: usize = 255;

// Appwrite accepts 1 to 100 distinct, non-empty elements of at most 255 characters.
pub(super) fn variants(cx: &Ctxt, input: &DeriveInput, variants: &[Variant<'_>]) {
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "AttributeEnum cannot be derived for a generic enum",
        );
    }
    if variants.is_empty() {
        cx.error_spanned_by(&input.ident, "an enum attribute needs at least one element");
    }
    if variants.len() > MAX_ELEMENTS {
        cx.error_spanned_by(
            &input.ident,
            format!("Appwrite allows at most {MAX_ELEMENTS} enum elements"),
        );
    }
    for (i, variant) in variants.iter().enumerate() {
        let length = variant.element.chars().count();
        if length == 0 || length > MAX_ELEMENT_LENGTH {
            cx.error_spanned_by(
                variant.ident,
                format!("an enum element must be 1 to {MAX_ELEMENT_LENGTH} characters long"),
            );
        }
        if variants[..i].iter().any(|v| v.element == variant.element) {
            cx.error_spanned_by(
                variant.ident,
                format!("duplicate enum element `{}`", variant.element),
            );
        }
    }
}
