// What a newcomer writes first, compiling as written: fields named `id` and `name`, plain values
// for optional fields, one query or a borrowed list, handlers without error annotations.
use appwrite_orm::realtime::HandlerError;
use appwrite_orm::{AttributeEnum, Collection, CollectionHandle, Field, Patch, Query};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Priority {
    Low,
    High,
}

#[derive(Collection, Serialize, Deserialize)]
#[collection(id = "products")]
struct Product {
    id: String,
    name: String,
    note: Option<String>,
    priority: Option<Priority>,
    stock: Option<i32>,
}

async fn queries(products: CollectionHandle<Product>) -> appwrite_orm::Result<()> {
    let filters = vec![Product::NAME.eq("lamp"), Product::STOCK.gt(0)];
    products.find(Product::NAME.eq("lamp")).await?;
    products.find(&filters).await?;
    products.find(filters.as_slice()).await?;
    products.find(&[Product::ID.eq("a")]).await?;
    products.count(None).await?;
    products.first([]).await?;
    products.find(Product::_CREATED_AT.order_desc()).await?;
    products.delete_many(Query::and(&filters)).await?;
    Ok(())
}

fn handlers(products: CollectionHandle<Product>) {
    let _never_fails = products.on_documents(|event| async move {
        println!("{}", event.document.name);
    });
    let _may_fail = products.on_documents(|event| async move {
        let stock: i32 = event.document.id.parse()?;
        if stock < 0 {
            return Err(HandlerError::msg("negative stock"));
        }
        Ok(())
    });
}

fn main() {
    assert_eq!(Product::_COLLECTION_ID, "products");
    assert_eq!(Product::_COLLECTION_NAME, "Product");
    let id: Field<Product, String> = Product::ID;
    let created: Field<Product, DateTime<Utc>> = Product::_CREATED_AT;
    assert_eq!(id.key(), "id");
    assert_eq!(Product::_ID.key(), "$id");
    assert_eq!(created.key(), "$createdAt");
    assert_eq!(Product::_UPDATED_AT.key(), "$updatedAt");
    assert_eq!(Product::_SEQUENCE.key(), "$sequence");

    let kept: Option<String> = None;
    let patch: Patch<Product> = Product::patch()
        .name("desk lamp")
        .note("fragile")
        .priority(Priority::High)
        .stock(3)
        .into();
    assert_eq!(
        patch.to_json(),
        serde_json::json!({"name": "desk lamp", "note": "fragile", "priority": "high", "stock": 3})
    );
    let cleared: Patch<Product> = Product::patch().note(kept).priority(None).stock(Some(1)).into();
    assert_eq!(cleared.to_json(), serde_json::json!({"note": null, "priority": null, "stock": 1}));
    let _ = (queries, handlers, Priority::Low);
}
