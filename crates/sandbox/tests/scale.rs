//! Seeding 10 000 customers (prints the time; no timing assertion).

mod common;

use common::*;

#[tokio::test]
async fn ten_thousand_customers_seed() {
    let sb = sandbox(10_000).await;
    println!("seeded 10 000 customers in {:?}", sb.seed_time());
    let api = Api::new(&sb);
    let page = api
        .ok(&format!("{CUSTOMERS}?limit=1000&offset=9000&sort=name"))
        .await;
    assert_eq!(page["total_results"], 10_000);
    assert_eq!(page["count"], 1000);
    let started = std::time::Instant::now();
    let dash = api.ok("/api/v3/reseller/dashboard").await;
    println!("dashboard over 10 000 customers in {:?}", started.elapsed());
    assert_eq!(dash["result"]["total_organizations"], 10_000);
}
