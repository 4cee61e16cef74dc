// The derive's view of the input: the struct, its fields with their attribute keys and their
// classified types, and the parsed options. Building it reports problems local to one field.

use syn::{Data, DeriveInput, Fields, Ident};

use crate::attr;
use crate::ctxt::Ctxt;
use crate::ty::{self, FieldType};

pub(crate) struct Container<'a> {
    pub(crate) ident: &'a Ident,
    pub(crate) attrs: attr::Container,
    pub(crate) fields: Vec<Field<'a>>,
    pub(crate) original: &'a DeriveInput,
}

pub(crate) struct Field<'a> {
    pub(crate) ident: &'a Ident,
    // The Rust name without `r#`.
    pub(crate) name: String,
    // The key serde writes, which the attribute must use.
    pub(crate) key: String,
    pub(crate) attrs: attr::Field,
    // `None` for skipped fields and for types that cannot be stored (already reported).
    pub(crate) ty: Option<FieldType<'a>>,
    pub(crate) original: &'a syn::Field,
}

impl Field<'_> {
    pub(crate) fn is_stored(&self) -> bool {
        self.ty.is_some()
    }
}

impl<'a> Container<'a> {
    pub(crate) fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Option<Self> {
        let fields = match &input.data {
            Data::Struct(data) => match &data.fields {
                Fields::Named(named) => &named.named,
                Fields::Unnamed(_) | Fields::Unit => {
                    cx.error_spanned_by(
                        &input.ident,
                        "Collection can only be derived for structs with named fields: each field is an attribute",
                    );
                    return None;
                }
            },
            Data::Enum(data) => {
                cx.error_spanned_by(
                    data.enum_token,
                    "Collection can only be derived for structs; for an enum attribute use #[derive(AttributeEnum)]",
                );
                return None;
            }
            Data::Union(data) => {
                cx.error_spanned_by(data.union_token, "Collection can only be derived for structs");
                return None;
            }
        };
        let attrs = attr::Container::from_ast(cx, input);
        let serde_rule = attrs.serde.rename_all.as_ref().map(|r| r.value);
        let fields = fields
            .iter()
            .map(|field| {
                let ident = field.ident.as_ref().expect("named field");
                let name = ident.to_string().trim_start_matches("r#").to_owned();
                let attrs = attr::Field::from_ast(cx, field);
                let key = match (&attrs.serde.rename, serde_rule) {
                    (Some(rename), _) => rename.value(),
                    (None, Some(rule)) => rule.apply_to_field(&name),
                    (None, None) => name.clone(),
                };
                let skipped = attrs.skip.is_some() || attrs.serde.skip;
                let ty = if skipped {
                    None
                } else {
                    ty::classify(&field.ty)
                        .map_err(|err| cx.error_spanned_by(err.ty, err.message))
                        .ok()
                };
                Field {
                    ident,
                    name,
                    key,
                    attrs,
                    ty,
                    original: field,
                }
            })
            .collect();
        Some(Container {
            ident: &input.ident,
            attrs,
            fields,
            original: input,
        })
    }

    pub(crate) fn stored_fields(&self) -> impl Iterator<Item = &Field<'a>> {
        self.fields.iter().filter(|f| f.is_stored())
    }

    pub(crate) fn id(&self) -> String {
        self.attrs
            .id
            .as_ref()
            .map_or_else(|| snake_case(&self.ident.to_string()), syn::LitStr::value)
    }

    pub(crate) fn name(&self) -> String {
        self.attrs
            .name
            .as_ref()
            .map_or_else(|| self.ident.to_string(), syn::LitStr::value)
    }
}

// `OrderItem` -> `order_item`: the default collection id.
fn snake_case(ident: &str) -> String {
    crate::case::RenameRule::Snake.apply_to_variant(ident)
}
