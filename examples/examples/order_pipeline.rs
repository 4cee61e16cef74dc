//! An order pipeline driven by events, one stage per state change:
//!
//! ```text
//! order created ──reserve stock──▶ reserved ──charge──▶ payment captured ──▶ paid ──fulfil──▶ shipped ──▶ notified
//!       └── not enough stock ──▶ cancelled ──▶ notified
//! ```
//!
//! Each stage is a reaction to a typed event and writes the next state; none calls the next stage
//! directly, so stages can live in different processes. Every stage is idempotent (stock is taken
//! by an atomic decrement that refuses to go below zero; payments and notifications have ids
//! derived from the order), so an event delivered twice — after a reconnect's catch-up, say — has
//! no second effect.
//!
//! `cargo run -p examples --example order_pipeline` places three orders, one more than the stock
//! allows, and exits once every order has reached its end.

use std::time::Duration;

use appwrite_orm::{AttributeEnum, Collection, CollectionHandle, Document, ErrorKind, EventKind};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum OrderStatus {
    Pending,
    Reserved,
    Paid,
    Shipped,
    Cancelled,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "pipeline_orders", rename_all = "camelCase")]
struct Order {
    #[collection(size = 36)]
    sku: String,
    #[collection(min = 1, max = 100)]
    quantity: u8,
    #[collection(min = 0.0)]
    amount: f64,
    status: OrderStatus,
}

/// Stock per product; the document id is the SKU.
#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "inventory")]
struct Stock {
    #[collection(min = 0)]
    available: i32,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "payments", rename_all = "camelCase")]
struct Payment {
    #[collection(size = 36)]
    order_id: String,
    amount: f64,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "customer_notifications", rename_all = "camelCase")]
struct CustomerNotification {
    #[collection(size = 36)]
    order_id: String,
    #[collection(size = 256)]
    message: String,
}

#[derive(Clone)]
struct Pipeline {
    orders: CollectionHandle<Order>,
    stock: CollectionHandle<Stock>,
    payments: CollectionHandle<Payment>,
    notifications: CollectionHandle<CustomerNotification>,
}

/// A create with a derived id that already exists means this stage ran before: not an error.
fn already_done<T>(result: appwrite_orm::Result<T>) -> appwrite_orm::Result<()> {
    match result {
        Ok(_) => Ok(()),
        Err(err) if err.kind() == Some(ErrorKind::DocumentAlreadyExists) => Ok(()),
        Err(err) => Err(err),
    }
}

impl Pipeline {
    /// The order stages: what to do when an order enters each state.
    async fn on_order(&self, kind: EventKind, order: &Document<Order>) -> appwrite_orm::Result<()> {
        let id = order.id();
        match (kind, order.status) {
            (EventKind::Create, OrderStatus::Pending) => {
                let taken = self
                    .stock
                    .decrement(&order.sku, Stock::AVAILABLE, i32::from(order.quantity), Some(0))
                    .await;
                let next = match taken {
                    Ok(_) => OrderStatus::Reserved,
                    // The server refused to go below zero: not enough stock.
                    Err(err) if err.kind() == Some(ErrorKind::GeneralArgumentInvalid) => {
                        OrderStatus::Cancelled
                    }
                    Err(err) => return Err(err),
                };
                self.orders
                    .update(id, Order::patch().status(next))
                    .await
                    .map(drop)
            }
            (EventKind::Update, OrderStatus::Reserved) => {
                let payment = Payment {
                    order_id: id.to_owned(),
                    amount: order.amount,
                };
                already_done(self.payments.create_with_id(&format!("pay_{id}"), &payment).await)
            }
            (EventKind::Update, OrderStatus::Paid) => {
                // Fulfilment: hand the parcel to the carrier.
                self.orders
                    .update(id, Order::patch().status(OrderStatus::Shipped))
                    .await
                    .map(drop)
            }
            (EventKind::Update, status @ (OrderStatus::Shipped | OrderStatus::Cancelled)) => {
                let message = match status {
                    OrderStatus::Shipped => format!("{} × {} is on its way", order.quantity, order.sku),
                    _ => format!("sorry, {} is out of stock; you were not charged", order.sku),
                };
                let notification = CustomerNotification {
                    order_id: id.to_owned(),
                    message,
                };
                already_done(
                    self.notifications
                        .create_with_id(&format!("note_{id}"), &notification)
                        .await,
                )
            }
            _ => Ok(()),
        }
    }

    /// The payment stage: a captured payment marks its order paid.
    async fn on_payment(&self, kind: EventKind, payment: &Document<Payment>) -> appwrite_orm::Result<()> {
        if kind != EventKind::Create {
            return Ok(());
        }
        let order = self.orders.get_or_fail(&payment.order_id).await?;
        if order.status == OrderStatus::Reserved {
            self.orders
                .update(order.id(), Order::patch().status(OrderStatus::Paid))
                .await?;
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Order>()
        .register::<Stock>()
        .register::<Payment>()
        .register::<CustomerNotification>()
        .auto_migrate(true)
        .await?;
    let pipeline = Pipeline {
        orders: db.collection(),
        stock: db.collection(),
        payments: db.collection(),
        notifications: db.collection(),
    };

    let order_stages = {
        let pipeline = pipeline.clone();
        pipeline.orders.clone().on_documents(move |event| {
            let pipeline = pipeline.clone();
            async move { Ok(pipeline.on_order(event.kind, &event.document).await?) }
        })
    };
    let payment_stage = {
        let pipeline = pipeline.clone();
        pipeline.payments.clone().on_documents(move |event| {
            let pipeline = pipeline.clone();
            async move { Ok(pipeline.on_payment(event.kind, &event.document).await?) }
        })
    };
    order_stages.ready().await?;
    payment_stage.ready().await?;

    pipeline.stock.upsert("lamp", &Stock { available: 3 }).await?;
    for (sku, quantity, amount) in [("lamp", 1, 39.0), ("lamp", 2, 78.0), ("lamp", 1, 39.0)] {
        let order = Order {
            sku: sku.to_owned(),
            quantity,
            amount,
            status: OrderStatus::Pending,
        };
        let placed = pipeline.orders.create(&order).await?;
        println!("placed order {} for {quantity} × {sku}", placed.id());
    }

    // Done when every order has reached an end state and its customer has been told.
    loop {
        let open = pipeline
            .orders
            .count([Order::STATUS.is_in([OrderStatus::Pending, OrderStatus::Reserved, OrderStatus::Paid])])
            .await?;
        let told = pipeline.notifications.count([]).await?;
        if open == 0 && told == pipeline.orders.count([]).await? {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for order in pipeline.orders.find([]).await? {
        let note = pipeline
            .notifications
            .get_or_fail(&format!("note_{}", order.id()))
            .await?;
        println!(
            "order {}: {:?} — told the customer: {}",
            order.id(),
            order.status,
            note.message
        );
    }
    let left = pipeline.stock.get_or_fail("lamp").await?.available;
    println!("lamps left in stock: {left}");
    order_stages.unsubscribe().await;
    payment_stage.unsubscribe().await;
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
