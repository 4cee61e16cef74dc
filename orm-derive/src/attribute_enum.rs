// `#[derive(AttributeEnum)]`: a unit enum stored as an Appwrite enum attribute. Its elements are
// the variant names serde writes, so that the schema and the JSON always agree.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Ident};

use crate::attr;
use crate::ctxt::Ctxt;

// Appwrite's limits on enum elements.
const MAX_ELEMENTS: usize = 100;
const MAX_ELEMENT_LENGTH: usize = 255;

struct Variant<'a> {
    ident: &'a Ident,
    element: String,
}

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let variants = parse(&cx, input);
    if let Some(variants) = &variants {
        check(&cx, input, variants);
    }
    match (cx.check(), variants) {
        (Ok(()), Some(variants)) => expand(input, &variants),
        (Err(errors), _) => errors.to_compile_error(),
        (Ok(()), None) => unreachable!("parse reports why it returned None"),
    }
}

fn parse<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<Variant<'a>>> {
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

// Appwrite accepts 1 to 100 distinct, non-empty elements of at most 255 characters.
fn check(cx: &Ctxt, input: &DeriveInput, variants: &[Variant<'_>]) {
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

fn expand(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
    let ident = &input.ident;
    let elements = variants.iter().map(|v| &v.element);
    let arms = variants.iter().map(|v| {
        let (variant, element) = (v.ident, &v.element);
        quote!(#ident::#variant => #element,)
    });
    // A skipped variant has no element; storing it is a bug in the caller's data, and serde would
    // refuse to serialize it as well.
    let skipped_arm = match &input.data {
        Data::Enum(data) if data.variants.len() > variants.len() => {
            quote!(_ => ::appwrite_orm::__private::unreachable!("this variant is #[serde(skip)] and has no element"),)
        }
        _ => TokenStream::new(),
    };
    quote! {
        #[doc(hidden)]
        #[allow(unused_qualifications, clippy::all)]
        const _: () = {
            #[automatically_derived]
            impl ::appwrite_orm::AttributeEnum for #ident {
                const ELEMENTS: &'static [&'static str] = &[#(#elements),*];

                fn as_str(&self) -> &'static str {
                    match self {
                        #(#arms)*
                        #skipped_arm
                    }
                }
            }

            #[automatically_derived]
            impl ::appwrite_orm::__private::QueryValue for #ident {
                fn to_query_value(&self) -> ::appwrite_orm::__private::Value {
                    ::appwrite_orm::__private::Value::String(
                        ::appwrite_orm::__private::ToOwned::to_owned(::appwrite_orm::AttributeEnum::as_str(self)),
                    )
                }
            }
        };
    }
}
