//! Derive macros of `appwrite-orm`. Depend on `appwrite-orm` and use them from there:
//! `use appwrite_orm::{AttributeEnum, Collection};`.
//!
//! Each derive runs three separate steps: parse (`attr`, `ast`, `ty`), check (`check`) and
//! expand (`expand`, with `fallback` when there were errors). Errors are collected in a `Ctxt`
//! and reported together.

mod ast;
mod attr;
mod attribute_enum;
mod case;
mod check;
mod ctxt;
mod expand;
mod fallback;
mod projection;
mod symbol;
mod test_attr;
mod ty;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

#[proc_macro_derive(Collection, attributes(collection))]
pub fn derive_collection(input: TokenStream) -> TokenStream {
    expand::derive(&parse_macro_input!(input as DeriveInput)).into()
}

#[proc_macro_derive(AttributeEnum)]
pub fn derive_attribute_enum(input: TokenStream) -> TokenStream {
    attribute_enum::derive(&parse_macro_input!(input as DeriveInput)).into()
}

#[proc_macro_derive(Projection, attributes(projection))]
pub fn derive_projection(input: TokenStream) -> TokenStream {
    projection::derive(&parse_macro_input!(input as DeriveInput)).into()
}

#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    test_attr::expand(args.into(), parse_macro_input!(item as syn::ItemFn)).into()
}
