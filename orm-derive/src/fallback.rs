// When the input has errors, a derive still emits its impl (with bodies that are never run)
// beside the errors, so that code using the type does not add a second wave of "trait not
// implemented" errors on top of the real ones.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub(crate) fn collection(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    let ident = &input.ident;
    let stub = match &input.data {
        // A generic struct is itself the error; a stub impl would only add unmet-bound errors.
        syn::Data::Struct(_) if !input.generics.params.is_empty() => TokenStream::new(),
        syn::Data::Struct(_) => quote! {
            #[allow(unused_qualifications)]
            impl ::appwrite_orm::Collection for #ident {
                const _COLLECTION_ID: &'static str = "";
                const _COLLECTION_NAME: &'static str = "";
                type Patch = ::appwrite_orm::Patch<Self>;

                fn schema() -> &'static ::appwrite_orm::__private::CollectionSchema {
                    ::appwrite_orm::__private::unreachable!("#[derive(Collection)] failed to compile")
                }
            }
        },
        // An enum or union is not a collection at all; a stub would only add noise.
        syn::Data::Enum(_) | syn::Data::Union(_) => TokenStream::new(),
    };
    quote! {
        #errors
        #stub
    }
}

pub(crate) fn attribute_enum(input: &DeriveInput, errors: syn::Error) -> TokenStream {
    let errors = errors.to_compile_error();
    let ident = &input.ident;
    let stub = match &input.data {
        syn::Data::Enum(_) if input.generics.params.is_empty() => quote! {
            #[allow(unused_qualifications)]
            impl ::appwrite_orm::AttributeEnum for #ident {
                const ELEMENTS: &'static [&'static str] = &[];

                fn as_str(&self) -> &'static str {
                    ::appwrite_orm::__private::unreachable!("#[derive(AttributeEnum)] failed to compile")
                }
            }

            #[allow(unused_qualifications)]
            impl ::appwrite_orm::__private::QueryValue for #ident {
                fn to_query_value(&self) -> ::appwrite_orm::__private::Value {
                    ::appwrite_orm::__private::unreachable!("#[derive(AttributeEnum)] failed to compile")
                }
            }
        },
        // A struct, a union or a generic enum is itself the error.
        _ => TokenStream::new(),
    };
    quote! {
        #errors
        #stub
    }
}
