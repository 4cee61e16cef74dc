// Parsing of `#[collection(...)]` and of the serde attributes that decide attribute keys.
//
// None of these functions return a Result: an unknown, malformed or duplicated option is
// reported to the Ctxt and otherwise ignored, so one compile shows every mistake at once.

use proc_macro2::TokenStream;
use quote::ToTokens;
use syn::meta::ParseNestedMeta;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprUnary, Lit, LitBool, LitInt, LitStr, Token, UnOp};

use crate::case::{RenameRule, VALID_RULES};
use crate::ctxt::Ctxt;
use crate::symbol::*;

// One option that may be given at most once; a second occurrence is an error at its tokens.
pub(crate) struct Attr<'c, T> {
    cx: &'c Ctxt,
    name: Symbol,
    value: Option<T>,
}

impl<'c, T> Attr<'c, T> {
    pub(crate) fn none(cx: &'c Ctxt, name: Symbol) -> Self {
        Attr {
            cx,
            name,
            value: None,
        }
    }

    pub(crate) fn set<A: ToTokens>(&mut self, tokens: A, value: T) {
        if self.value.is_some() {
            self.cx
                .error_spanned_by(tokens, format!("duplicate collection attribute `{}`", self.name));
        } else {
            self.value = Some(value);
        }
    }

    pub(crate) fn get(self) -> Option<T> {
        self.value
    }
}

// A string option together with its literal, kept for spans.
#[derive(Clone)]
pub(crate) struct Spanned<T> {
    pub(crate) value: T,
    pub(crate) tokens: TokenStream,
}

impl<T> Spanned<T> {
    fn new(value: T, tokens: impl ToTokens) -> Self {
        Spanned {
            value,
            tokens: tokens.into_token_stream(),
        }
    }
}

// A numeric literal, possibly negated, as written in `min = -1` or `default = 2.5`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Number {
    Int(i128),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

// The literal given to `default = …`.
#[derive(Clone)]
pub(crate) enum DefaultLit {
    Str(String),
    Number(Number),
    Bool(bool),
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Email,
    Url,
    Ip,
}

impl Format {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Format::Email => "email",
            Format::Url => "url",
            Format::Ip => "ip",
        }
    }
}

pub(crate) struct PermissionAttr {
    pub(crate) action: &'static str,
    pub(crate) role: LitStr,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum IndexKind {
    Key,
    Unique,
    Fulltext,
}

pub(crate) struct IndexAttr {
    pub(crate) key: Option<LitStr>,
    pub(crate) kind: IndexKind,
    pub(crate) fields: Vec<IndexFieldAttr>,
    pub(crate) tokens: TokenStream,
}

// One entry of `fields(...)`: a Rust field name or a quoted `$` attribute, with an order.
pub(crate) struct IndexFieldAttr {
    pub(crate) target: IndexTarget,
    pub(crate) order: Option<LitStr>,
}

pub(crate) enum IndexTarget {
    Field(syn::Ident),
    Internal(LitStr),
}

impl Parse for IndexFieldAttr {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let target = if input.peek(LitStr) {
            IndexTarget::Internal(input.parse()?)
        } else {
            IndexTarget::Field(input.call(syn::ext::IdentExt::parse_any)?)
        };
        let order = if input.peek(Token![=]) {
            input.parse::<Token![=]>()?;
            Some(input.parse()?)
        } else {
            None
        };
        Ok(IndexFieldAttr { target, order })
    }
}

pub(crate) struct Container {
    pub(crate) id: Option<LitStr>,
    pub(crate) name: Option<LitStr>,
    pub(crate) rename_all: Option<Spanned<RenameRule>>,
    pub(crate) document_security: bool,
    pub(crate) permissions: Vec<PermissionAttr>,
    pub(crate) indexes: Vec<IndexAttr>,
    pub(crate) serde: SerdeContainer,
}

const CONTAINER_KEYS: &str = "`id`, `name`, `rename_all`, `document_security`, `permissions`, `index`";
const FIELD_KEYS: &str = "`rename`, `size`, `min`, `max`, `default`, `format`, `skip`, `required`";

impl Container {
    pub(crate) fn from_ast(cx: &Ctxt, input: &syn::DeriveInput) -> Self {
        let mut id = Attr::none(cx, ID);
        let mut name = Attr::none(cx, NAME);
        let mut rename_all = Attr::none(cx, RENAME_ALL);
        let mut document_security = Attr::none(cx, DOCUMENT_SECURITY);
        let mut permissions = Vec::new();
        let mut indexes = Vec::new();

        for attr in input.attrs.iter().filter(|a| a.path() == COLLECTION) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path == ID {
                    // #[collection(id = "orders")]
                    let lit: LitStr = meta.value()?.parse()?;
                    id.set(&meta.path, lit);
                } else if meta.path == NAME {
                    // #[collection(name = "Orders")]
                    let lit: LitStr = meta.value()?.parse()?;
                    name.set(&meta.path, lit);
                } else if meta.path == RENAME_ALL {
                    // #[collection(rename_all = "camelCase")]
                    if let Some(rule) = parse_rename_rule(cx, &meta)? {
                        rename_all.set(&meta.path, rule);
                    }
                } else if meta.path == DOCUMENT_SECURITY {
                    // #[collection(document_security)] or #[collection(document_security = false)]
                    let value = parse_flag(&meta)?;
                    document_security.set(&meta.path, value);
                } else if meta.path == PERMISSIONS {
                    // #[collection(permissions(read = "users", create = ["users", "label:admin"]))]
                    meta.parse_nested_meta(|inner| {
                        parse_permission(cx, &inner, &mut permissions);
                        Ok(())
                    })?;
                } else if meta.path == INDEX {
                    // #[collection(index(key = "by_user", unique, fields(user_id, placed_at = "desc")))]
                    indexes.push(parse_index(cx, &meta)?);
                } else {
                    let path = meta.path.to_token_stream().to_string().replace(' ', "");
                    return Err(meta.error(format_args!(
                        "unknown collection attribute `{path}`, expected one of: {CONTAINER_KEYS}"
                    )));
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }

        Container {
            id: id.get(),
            name: name.get(),
            rename_all: rename_all.get(),
            document_security: document_security.get().unwrap_or(false),
            permissions,
            indexes,
            serde: serde_container(cx, &input.attrs),
        }
    }
}

fn parse_flag(meta: &ParseNestedMeta<'_>) -> syn::Result<bool> {
    if meta.input.peek(Token![=]) {
        Ok(meta.value()?.parse::<LitBool>()?.value)
    } else {
        Ok(true)
    }
}

fn parse_rename_rule(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<Spanned<RenameRule>>> {
    let lit: LitStr = meta.value()?.parse()?;
    match RenameRule::from_str(&lit.value()) {
        Some(rule) => Ok(Some(Spanned::new(rule, lit))),
        None => {
            cx.error_spanned_by(
                &lit,
                format!(
                    "unknown rename rule `{}`, expected one of: {VALID_RULES}",
                    lit.value()
                ),
            );
            Ok(None)
        }
    }
}

fn parse_permission(cx: &Ctxt, meta: &ParseNestedMeta<'_>, out: &mut Vec<PermissionAttr>) {
    let action = [READ, CREATE, UPDATE, DELETE, WRITE]
        .into_iter()
        .find(|s| meta.path == *s);
    let Some(action) = action else {
        cx.error_spanned_by(
            &meta.path,
            "unknown permission, expected one of: `read`, `create`, `update`, `delete`, `write`",
        );
        // Consume the value so that parsing can go on with the next permission.
        let _ = meta.value().and_then(|v| v.parse::<Expr>());
        return;
    };
    let roles = match meta.value().and_then(|v| v.parse::<Expr>()) {
        Ok(expr) => expr,
        Err(err) => return cx.syn_error(err),
    };
    let mut push = |expr: &Expr| match expr {
        Expr::Lit(ExprLit {
            lit: Lit::Str(role), ..
        }) => out.push(PermissionAttr {
            action: action.0,
            role: role.clone(),
        }),
        other => cx.error_spanned_by(
            other,
            "expected a role string such as \"users\" or \"label:admin\"",
        ),
    };
    match &roles {
        Expr::Array(array) => array.elems.iter().for_each(&mut push),
        single => push(single),
    }
}

fn parse_index(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<IndexAttr> {
    let mut key = Attr::none(cx, KEY);
    let mut unique = Attr::none(cx, UNIQUE);
    let mut fulltext = Attr::none(cx, FULLTEXT);
    let mut fields = Attr::none(cx, FIELDS);
    let tokens = meta.path.to_token_stream();
    meta.parse_nested_meta(|inner| {
        if inner.path == KEY {
            // index(key = "by_user")
            let lit: LitStr = inner.value()?.parse()?;
            key.set(&inner.path, lit);
        } else if inner.path == UNIQUE {
            // index(unique) or index(unique = false)
            let value = parse_flag(&inner)?;
            unique.set(&inner.path, (value, inner.path.clone()));
        } else if inner.path == FULLTEXT {
            // index(fulltext)
            let value = parse_flag(&inner)?;
            fulltext.set(&inner.path, value);
        } else if inner.path == FIELDS {
            // index(fields(user_id, placed_at = "desc", "$createdAt"))
            let content;
            syn::parenthesized!(content in inner.input);
            let list = Punctuated::<IndexFieldAttr, Token![,]>::parse_terminated(&content)?;
            fields.set(
                &inner.path,
                (list.into_iter().collect::<Vec<_>>(), inner.path.clone()),
            );
        } else {
            let path = inner.path.to_token_stream().to_string();
            return Err(inner.error(format_args!(
                "unknown index option `{path}`, expected one of: `key`, `unique`, `fulltext`, `fields`"
            )));
        }
        Ok(())
    })?;
    let unique = unique.get();
    let fulltext = fulltext.get().unwrap_or(false);
    let kind = match (unique.as_ref().is_some_and(|u| u.0), fulltext) {
        (true, true) => {
            let path = &unique.as_ref().map(|u| u.1.clone());
            cx.error_spanned_by(path, "an index is either `unique` or `fulltext`, not both");
            IndexKind::Unique
        }
        (true, false) => IndexKind::Unique,
        (false, true) => IndexKind::Fulltext,
        (false, false) => IndexKind::Key,
    };
    let fields = match fields.get() {
        Some((list, path)) if list.is_empty() => {
            cx.error_spanned_by(path, "an index needs at least one field");
            Vec::new()
        }
        Some((list, _)) => list,
        None => {
            cx.error_spanned_by(&tokens, "an index needs `fields(...)`");
            Vec::new()
        }
    };
    Ok(IndexAttr {
        key: key.get(),
        kind,
        fields,
        tokens,
    })
}

pub(crate) struct Field {
    pub(crate) rename: Option<LitStr>,
    pub(crate) size: Option<Spanned<u64>>,
    pub(crate) min: Option<Spanned<Number>>,
    pub(crate) max: Option<Spanned<Number>>,
    pub(crate) default: Option<Spanned<DefaultLit>>,
    pub(crate) format: Option<Spanned<Format>>,
    pub(crate) skip: Option<TokenStream>,
    pub(crate) required: Option<Spanned<bool>>,
    pub(crate) serde: SerdeField,
}

impl Field {
    pub(crate) fn from_ast(cx: &Ctxt, field: &syn::Field) -> Self {
        let mut rename = Attr::none(cx, RENAME);
        let mut size = Attr::none(cx, SIZE);
        let mut min = Attr::none(cx, MIN);
        let mut max = Attr::none(cx, MAX);
        let mut default = Attr::none(cx, DEFAULT);
        let mut format = Attr::none(cx, FORMAT);
        let mut skip = Attr::none(cx, SKIP);
        let mut required = Attr::none(cx, REQUIRED);

        for attr in field.attrs.iter().filter(|a| a.path() == COLLECTION) {
            let result = attr.parse_nested_meta(|meta| {
                if meta.path == RENAME {
                    // #[collection(rename = "placedAt")]
                    let lit: LitStr = meta.value()?.parse()?;
                    rename.set(&meta.path, lit);
                } else if meta.path == SIZE {
                    // #[collection(size = 64)]
                    let lit: LitInt = meta.value()?.parse()?;
                    match lit.base10_parse::<u64>() {
                        Ok(value) => size.set(&meta.path, Spanned::new(value, &lit)),
                        Err(_) => cx.error_spanned_by(&lit, "`size` must be a positive integer"),
                    }
                } else if meta.path == MIN || meta.path == MAX {
                    // #[collection(min = 0)], #[collection(max = 99.5)]
                    let expr: Expr = meta.value()?.parse()?;
                    match number(&expr) {
                        Some(n) if meta.path == MIN => min.set(&meta.path, Spanned::new(n, &expr)),
                        Some(n) => max.set(&meta.path, Spanned::new(n, &expr)),
                        None => cx.error_spanned_by(&expr, "expected a number literal"),
                    }
                } else if meta.path == DEFAULT {
                    // #[collection(default = "pending")], #[collection(default = 0)]
                    let expr: Expr = meta.value()?.parse()?;
                    match default_literal(&expr) {
                        Some(lit) => default.set(&meta.path, Spanned::new(lit, &expr)),
                        None => cx
                            .error_spanned_by(&expr, "`default` must be a string, number or boolean literal"),
                    }
                } else if meta.path == FORMAT {
                    // #[collection(format = "email")]
                    let lit: LitStr = meta.value()?.parse()?;
                    match lit.value().as_str() {
                        "email" => format.set(&meta.path, Spanned::new(Format::Email, &lit)),
                        "url" => format.set(&meta.path, Spanned::new(Format::Url, &lit)),
                        "ip" => format.set(&meta.path, Spanned::new(Format::Ip, &lit)),
                        other => cx.error_spanned_by(
                            &lit,
                            format!("unknown format `{other}`, expected one of: `email`, `url`, `ip`"),
                        ),
                    }
                } else if meta.path == SKIP {
                    // #[collection(skip)]
                    skip.set(&meta.path, meta.path.to_token_stream());
                } else if meta.path == REQUIRED {
                    // #[collection(required = false)]
                    let lit: LitBool = meta.value()?.parse()?;
                    required.set(&meta.path, Spanned::new(lit.value, &lit));
                } else {
                    let path = meta.path.to_token_stream().to_string().replace(' ', "");
                    return Err(meta.error(format_args!(
                        "unknown collection field attribute `{path}`, expected one of: {FIELD_KEYS}"
                    )));
                }
                Ok(())
            });
            if let Err(err) = result {
                cx.syn_error(err);
            }
        }

        Field {
            rename: rename.get(),
            size: size.get(),
            min: min.get(),
            max: max.get(),
            default: default.get(),
            format: format.get(),
            skip: skip.get(),
            required: required.get(),
            serde: serde_field(cx, &field.attrs),
        }
    }
}

fn number(expr: &Expr) -> Option<Number> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Int(i), .. }) => i.base10_parse().ok().map(Number::Int),
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => f.base10_parse().ok().map(Number::Float),
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => match number(expr)? {
            Number::Int(i) => Some(Number::Int(-i)),
            Number::Float(f) => Some(Number::Float(-f)),
        },
        _ => None,
    }
}

fn default_literal(expr: &Expr) -> Option<DefaultLit> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(s), .. }) => Some(DefaultLit::Str(s.value())),
        Expr::Lit(ExprLit {
            lit: Lit::Bool(b), ..
        }) => Some(DefaultLit::Bool(b.value)),
        other => number(other).map(DefaultLit::Number),
    }
}

// What serde does with a field, as far as attribute keys are concerned.
#[derive(Default)]
pub(crate) struct SerdeField {
    pub(crate) rename: Option<LitStr>,
    pub(crate) skip: bool,
    pub(crate) flatten: Option<TokenStream>,
    // `#[serde(default)]` or `#[serde(default = "path")]`: a missing value decodes as a default.
    pub(crate) default: bool,
}

// serde's own attributes are validated by serde; here unknown serde options are skipped over
// and only the ones that change keys are read.
pub(crate) fn serde_field(cx: &Ctxt, attrs: &[syn::Attribute]) -> SerdeField {
    let mut out = SerdeField::default();
    for attr in attrs.iter().filter(|a| a.path() == SERDE) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path == RENAME {
                out.rename = serde_name(cx, &meta)?;
            } else if meta.path == SKIP {
                out.skip = true;
            } else if meta.path == FLATTEN {
                out.flatten = Some(meta.path.to_token_stream());
            } else if meta.path == DEFAULT {
                out.default = true;
                skip_value(&meta)?;
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        });
    }
    out
}

// What serde does with a struct or enum as a whole.
#[derive(Default)]
pub(crate) struct SerdeContainer {
    pub(crate) rename_all: Option<Spanned<RenameRule>>,
    // `transparent`, `tag`, `content` or `untagged`: each changes the JSON shape the derive relies on.
    pub(crate) reshaped: Option<TokenStream>,
    // `#[serde(default)]` on the struct: every field has a default.
    pub(crate) default: bool,
}

pub(crate) fn serde_container(cx: &Ctxt, attrs: &[syn::Attribute]) -> SerdeContainer {
    let mut out = SerdeContainer::default();
    for attr in attrs.iter().filter(|a| a.path() == SERDE) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path == RENAME_ALL {
                if let Some(name) = serde_name(cx, &meta)? {
                    out.rename_all = RenameRule::from_str(&name.value()).map(|r| Spanned::new(r, &name));
                }
            } else if [TRANSPARENT, TAG, CONTENT, UNTAGGED]
                .iter()
                .any(|s| meta.path == *s)
            {
                out.reshaped = Some(meta.path.to_token_stream());
                skip_value(&meta)?;
            } else if meta.path == DEFAULT {
                out.default = true;
                skip_value(&meta)?;
            } else {
                skip_value(&meta)?;
            }
            Ok(())
        });
    }
    out
}

// `rename = "x"` or `rename(serialize = "x", deserialize = "x")`; the schema has one key, so the
// two directions must agree.
fn serde_name(cx: &Ctxt, meta: &ParseNestedMeta<'_>) -> syn::Result<Option<LitStr>> {
    if meta.input.peek(Token![=]) {
        return Ok(Some(meta.value()?.parse()?));
    }
    let (mut ser, mut de) = (None::<LitStr>, None::<LitStr>);
    meta.parse_nested_meta(|inner| {
        let lit: LitStr = inner.value()?.parse()?;
        if inner.path == SERIALIZE {
            ser = Some(lit);
        } else if inner.path == DESERIALIZE {
            de = Some(lit);
        }
        Ok(())
    })?;
    match (ser, de) {
        (Some(s), Some(d)) if s.value() == d.value() => Ok(Some(s)),
        (s, d) => {
            let tokens = s
                .as_ref()
                .or(d.as_ref())
                .map_or_else(|| meta.path.to_token_stream(), ToTokens::to_token_stream);
            cx.error_spanned_by(
                tokens,
                "serialize and deserialize names must be equal: an Appwrite attribute has one key",
            );
            Ok(None)
        }
    }
}

fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let content;
        syn::parenthesized!(content in meta.input);
        content.parse::<TokenStream>()?;
    }
    Ok(())
}
