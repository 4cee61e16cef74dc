//! Reads the enum's variants and the serde names they are written with.

use syn::{Data, DeriveInput, Fields};

use super::Variant;
use crate::attr;
use crate::ctxt::Ctxt;

pub(super) fn variants<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<Variant<'a>>> {
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "AttributeEnum can only be derived for enums whose variants have no fields",
        );
        return None;
    };
    let container = attr::serde_container(cx, &input.attrs);
    if let Some(tokens) = &container.reshaped {
        cx.error_spanned_by(
            tokens,
            "an enum attribute must serialize as a plain string; remove this serde option",
        );
    }
    let mut variants = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            cx.error_spanned_by(
                &variant.fields,
                "an enum attribute holds plain strings: variants cannot have fields",
            );
            continue;
        }
        let serde = attr::serde_field(cx, &variant.attrs);
        if serde.skip {
            continue;
        }
        let name = variant.ident.to_string();
        let element = match (serde.rename, &container.rename_all) {
            (Some(rename), _) => rename.value(),
            (None, Some(rule)) => rule.value.apply_to_variant(&name),
            (None, None) => name,
        };
        variants.push(Variant {
            ident: &variant.ident,
            element,
        });
    }
    Some(variants)
}
