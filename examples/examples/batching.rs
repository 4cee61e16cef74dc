//! Batching events by size and by time with stream combinators: up to 10 events, or whatever
//! arrived within 200 ms, whichever comes first — one write per batch instead of one per event.
//!
//! `cargo run -p examples --example batching` records 25 page views in bursts and keeps a
//! per-page counter up to date with one atomic increment per page per batch.

use std::collections::BTreeMap;
use std::time::Duration;

use appwrite_orm::{Collection, EventKind};
use serde::{Deserialize, Serialize};
use tokio_stream::StreamExt;

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "page_views")]
struct PageView {
    #[collection(size = 36)]
    page: String,
    #[collection(size = 64)]
    visitor: String,
}

/// Views per page; the document id is the page.
#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[collection(id = "page_stats")]
struct PageStats {
    #[collection(min = 0)]
    views: i64,
}

const TOTAL: usize = 25;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<PageView>()
        .register::<PageStats>()
        .auto_migrate(true)
        .await?;
    let views = db.collection::<PageView>();
    let stats = db.collection::<PageStats>();

    let subscription = views.listen_documents();
    subscription.ready().await?;
    let aggregator = {
        let stats = stats.clone();
        tokio::spawn(async move {
            let mut batches = Box::pin(subscription.chunks_timeout(10, Duration::from_millis(200)));
            let mut seen = 0;
            while let Some(batch) = batches.next().await {
                let mut per_page: BTreeMap<String, i64> = BTreeMap::new();
                for item in &batch {
                    match item {
                        Ok(event) if event.kind == EventKind::Create => {
                            *per_page.entry(event.document.page.clone()).or_default() += 1;
                        }
                        Ok(_) => {}
                        Err(report) => eprintln!("listener report: {report}"),
                    }
                }
                let created: i64 = per_page.values().sum();
                println!("batch of {} events: {per_page:?}", batch.len());
                for (page, count) in per_page {
                    // Create the counter on first sight; a concurrent creator makes this a no-op.
                    if stats.get(&page).await?.is_none() {
                        let _ = stats.create_with_id(&page, &PageStats { views: 0 }).await;
                    }
                    stats.increment(&page, PageStats::VIEWS, count, None).await?;
                }
                seen += usize::try_from(created).unwrap_or(0);
                if seen >= TOTAL {
                    return Ok::<_, appwrite_orm::Error>(seen);
                }
            }
            Ok(seen)
        })
    };

    // Bursts with pauses: the size limit splits the big burst, the time limit closes the others.
    let pages = ["home", "pricing", "docs"];
    let mut made = 0;
    for burst in [12, 3, 7, 3] {
        for _ in 0..burst {
            let view = PageView {
                page: pages[made % pages.len()].to_owned(),
                visitor: format!("visitor-{made}"),
            };
            views.create(&view).await?;
            made += 1;
        }
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let counted = tokio::time::timeout(Duration::from_secs(30), aggregator).await???;
    for page in pages {
        let views = stats.get_or_fail(page).await?.views;
        println!("{page}: {views} views");
    }
    println!("aggregated {counted} of {made} views");
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
