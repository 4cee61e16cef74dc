//! The `AttributeEnum` and `QueryValue` impls of a checked enum.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput};

use super::Variant;

pub(super) fn impls(input: &DeriveInput, variants: &[Variant<'_>]) -> TokenStream {
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
