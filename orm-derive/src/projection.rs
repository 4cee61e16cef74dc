// `#[derive(Projection)]`: a struct reading some of a collection's attributes. The collection's
// fields are not visible to this macro, so each field is checked by code the compiler evaluates:
// the collection's handle must exist, its type must fit, and the keys must agree.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned as _;
use syn::{Data, DeriveInput, Fields};

use crate::attr::{serde_container, serde_field};
use crate::ctxt::Ctxt;

pub(crate) fn derive(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let expanded = expand(&cx, input);
    match cx.check() {
        Ok(()) => expanded.unwrap_or_default(),
        Err(error) => error.to_compile_error(),
    }
}

fn expand(cx: &Ctxt, input: &DeriveInput) -> Option<TokenStream> {
    let fields = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => &named.named,
            _ => {
                cx.error_spanned_by(&input.ident, "Projection needs a struct with named fields");
                return None;
            }
        },
        _ => {
            cx.error_spanned_by(&input.ident, "Projection can only be derived for structs");
            return None;
        }
    };
    if !input.generics.params.is_empty() {
        cx.error_spanned_by(
            &input.generics,
            "Projection cannot be derived for a generic struct",
        );
    }
    let of = collection_of(cx, input)?;
    let rule = serde_container(cx, &input.attrs).rename_all.map(|r| r.value);
    let ident = &input.ident;
    let mut keys = Vec::new();
    let mut checks = Vec::new();
    for field in fields {
        let field_ident = field.ident.as_ref().expect("named field");
        let name = field_ident.to_string().trim_start_matches("r#").to_owned();
        let serde = serde_field(cx, &field.attrs);
        if serde.skip {
            continue;
        }
        let key = match (&serde.rename, rule) {
            (Some(rename), _) => rename.value(),
            (None, Some(rule)) => rule.apply_to_field(&name),
            (None, None) => name.clone(),
        };
        let handle = format_ident!("{}", crate::case::constant_name(&name), span = field_ident.span());
        let ty = &field.ty;
        let message = format!(
            "field `{name}` of `{ident}` reads the key `{key}`, which is not the key `{}` stores it under: give `{ident}` the same serde renames",
            quote!(#of).to_string().replace(' ', "")
        );
        keys.push(quote_spanned!(field_ident.span()=> <#of>::#handle.key()));
        checks.push(quote_spanned! {ty.span()=>
            const _: () = ::appwrite_orm::__private::assert!(
                <#of>::#handle.read_by::<#ty>(#key),
                #message
            );
        });
    }
    Some(quote! {
        #[automatically_derived]
        impl ::appwrite_orm::Projection for #ident {
            type Of = #of;
            const KEYS: &'static [&'static str] = &[#(#keys),*];
        }

        #(#checks)*
    })
}

// `#[projection(of = Order)]`
fn collection_of(cx: &Ctxt, input: &DeriveInput) -> Option<syn::Path> {
    let mut of = None;
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("projection")) {
        let parsed = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("of") {
                of = Some(meta.value()?.parse::<syn::Path>()?);
                Ok(())
            } else {
                Err(meta.error("unknown projection option; expected `of = Collection`"))
            }
        });
        if let Err(err) = parsed {
            cx.syn_error(err);
        }
    }
    if of.is_none() {
        cx.error_spanned_by(
            &input.ident,
            "a projection names its collection: #[projection(of = Order)]",
        );
    }
    of
}
