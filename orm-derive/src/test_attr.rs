// `#[appwrite_orm::test]`: the test function is kept as written, nested in a `#[test]` of the
// same name that hands it to `appwrite_orm::testing::run`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::ItemFn;

pub(crate) fn expand(args: TokenStream, item: ItemFn) -> TokenStream {
    let mut errors = Vec::new();
    if !args.is_empty() {
        errors.push(syn::Error::new_spanned(
            &args,
            "#[appwrite_orm::test] takes no arguments",
        ));
    }
    if item.sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            item.sig.fn_token,
            "#[appwrite_orm::test] needs an `async fn`",
        ));
    }
    if item.sig.inputs.len() != 1 {
        let message = "a test takes one argument, its database: `db: TestDatabase`";
        errors.push(match item.sig.inputs.is_empty() {
            true => syn::Error::new(item.sig.paren_token.span.join(), message),
            false => syn::Error::new_spanned(&item.sig.inputs, message),
        });
    }
    let mut errors = errors.into_iter();
    if let Some(first) = errors.next() {
        let all = errors.fold(first, |mut all, e| {
            all.combine(e);
            all
        });
        return all.to_compile_error();
    }
    let name = &item.sig.ident;
    let vis = &item.vis;
    // `#[ignore]`, `#[should_panic]` and docs belong on the outer test.
    let (outer, inner): (Vec<_>, Vec<_>) = item.attrs.iter().partition(|a| {
        a.path().is_ident("ignore") || a.path().is_ident("should_panic") || a.path().is_ident("doc")
    });
    let mut body = item.clone();
    body.attrs = inner.into_iter().cloned().collect();
    body.vis = syn::Visibility::Inherited;
    quote! {
        #(#outer)*
        #[::core::prelude::v1::test]
        #vis fn #name() {
            #body
            ::appwrite_orm::testing::run(#name)
        }
    }
}
