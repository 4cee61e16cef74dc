//! What the methods taking queries accept, so that one filter needs no array around it and a
//! list kept in a variable can be lent rather than moved.

use super::Query;

/// Queries as [`find`](crate::CollectionHandle::find), [`count`](crate::CollectionHandle::count),
/// [`stream`](crate::CollectionHandle::stream), [`Query::and`] and the other query-taking methods
/// accept them: one [`Query`], `None`/`Some` of one, an array, a `Vec`, a slice, or a reference to
/// an array or `Vec` (cloned). An iterator is collected first: `.collect::<Vec<_>>()`.
///
/// ```
/// use appwrite_orm::query::IntoQueries;
/// use appwrite_orm::Query;
///
/// let one = Query::limit(5);
/// let kept = vec![Query::limit(5), Query::offset(10)];
/// assert_eq!(one.clone().into_queries(), [one.clone()]);
/// assert_eq!(kept.as_slice().into_queries(), kept);
/// assert_eq!((&kept).into_queries(), kept);
/// assert_eq!([one.clone()].into_queries(), [one]);
/// assert!(None::<Query>.into_queries().is_empty());
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a list of queries",
    label = "expected a `Query`, an array, `Vec` or slice of them, or `None`",
    note = "collect an iterator of queries first: `.collect::<Vec<_>>()`"
)]
pub trait IntoQueries {
    /// The queries, in order.
    fn into_queries(self) -> Vec<Query>;
}

impl IntoQueries for Query {
    fn into_queries(self) -> Vec<Query> {
        vec![self]
    }
}

impl IntoQueries for Option<Query> {
    fn into_queries(self) -> Vec<Query> {
        self.into_iter().collect()
    }
}

impl<const N: usize> IntoQueries for [Query; N] {
    fn into_queries(self) -> Vec<Query> {
        self.into()
    }
}

impl IntoQueries for Vec<Query> {
    fn into_queries(self) -> Vec<Query> {
        self
    }
}

impl IntoQueries for &[Query] {
    fn into_queries(self) -> Vec<Query> {
        self.to_vec()
    }
}

impl<const N: usize> IntoQueries for &[Query; N] {
    fn into_queries(self) -> Vec<Query> {
        self.to_vec()
    }
}

impl IntoQueries for &Vec<Query> {
    fn into_queries(self) -> Vec<Query> {
        self.clone()
    }
}
