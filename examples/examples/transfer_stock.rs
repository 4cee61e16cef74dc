//! An order and the stock it takes, changed together or not at all: each customer's order is
//! created and the stock decremented in one transaction, whose decrement may not go below zero.
//! Twenty customers race for five lamps: exactly five orders exist afterwards, the other fifteen
//! customers are told the lamps are sold out, and the stock ends at zero — never below, and
//! never with an order that took nothing. Listeners see the committed writes only.
//!
//! `cargo run -p examples --example transfer_stock` (Appwrite 1.8 or later, or the emulator)

use std::sync::Arc;

use appwrite_orm::{Collection, ErrorKind, EventKind, Orm};
use futures_util::future::join_all;
use serde::{Deserialize, Serialize};

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "shop_orders")]
struct ShopOrder {
    #[collection(size = 64)]
    item: String,
    #[collection(min = 1)]
    quantity: i32,
    #[collection(size = 64)]
    customer: String,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "shop_stock")]
struct ShopStock {
    #[collection(min = 0)]
    available: i32,
}

const ITEM: &str = "desk-lamp";
const IN_STOCK: i32 = 5;
const CUSTOMERS: usize = 20;

/// Why an order was not placed.
#[derive(Debug)]
enum Refusal {
    SoldOut,
    Failed(appwrite_orm::Error),
}

/// Places one order for `quantity` of `ITEM`, atomically with taking it from the stock.
async fn place_order(orm: &Orm, customer: &str, quantity: i32) -> Result<String, Refusal> {
    let order = ShopOrder {
        item: ITEM.to_owned(),
        quantity,
        customer: customer.to_owned(),
    };
    let placed = orm
        .transaction_retrying(3, |tx| {
            let order = order.clone();
            async move {
                let id = tx.create(&order)?;
                tx.decrement::<ShopStock, _>(ITEM, ShopStock::AVAILABLE, quantity, Some(0))?;
                Ok(id)
            }
        })
        .await;
    match placed {
        Ok(id) => Ok(id),
        // The decrement would have gone below zero: nothing of this order was written.
        Err(err) if err.is(ErrorKind::AttributeLimitExceeded) => Err(Refusal::SoldOut),
        Err(err) => Err(Refusal::Failed(err)),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<ShopOrder>()
        .register::<ShopStock>()
        .auto_migrate(true)
        .await?;
    let (orders, stock) = (db.collection::<ShopOrder>(), db.collection::<ShopStock>());
    stock.upsert(ITEM, &ShopStock { available: IN_STOCK }).await?;

    // Every committed order shows up here, once; refused ones never do.
    let announcer = orders.on_documents(|event| async move {
        if event.kind == EventKind::Create {
            println!(
                "event: order {} for {} by {}",
                event.document.id(),
                event.document.item,
                event.document.customer
            );
        }
    });
    announcer.ready().await?;

    let orm = Arc::new(orm);
    let attempts = (1..=CUSTOMERS).map(|n| {
        let orm = Arc::clone(&orm);
        tokio::spawn(async move {
            let customer = format!("customer-{n}");
            let outcome = place_order(&orm, &customer, 1).await;
            (customer, outcome)
        })
    });
    let mut placed = 0;
    let mut sold_out = 0;
    for joined in join_all(attempts).await {
        let (customer, outcome) = joined?;
        match outcome {
            Ok(id) => {
                placed += 1;
                println!("{customer}: order {id} placed");
            }
            Err(Refusal::SoldOut) => {
                sold_out += 1;
                println!("{customer}: sold out");
            }
            Err(Refusal::Failed(err)) => return Err(err.into()),
        }
    }

    let left = stock.get_or_fail(ITEM).await?.available;
    let stored = orders.count(ShopOrder::ITEM.eq(ITEM)).await?;
    println!("{placed} orders placed, {sold_out} sold out, {stored} orders stored, {left} left in stock");
    // Let the announcer see every committed order before the process ends.
    let stats = announcer.stats();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while stats.handled() < placed as u64 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    orm.shutdown(std::time::Duration::from_secs(2)).await;
    if placed != IN_STOCK as usize || stored != placed as u64 || left != 0 {
        return Err("the stock and the orders disagree".into());
    }
    Ok(())
}
