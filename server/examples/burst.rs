//! The booking burst for `bench/run.sh`: N requests sent at once, each on its own
//! connection, and the latency of each, printed as one Markdown table row.
//!
//!   burst booking BASE SLOT N     POST /api/v1/bookings, distinct phone and
//!                                 X-Forwarded-For per request (server runs with
//!                                 --trust-proxy)
//!   burst get URL N               GET URL (the plain baseline)
//!
//! Prints: `| label | requests/s | p50 ms | p99 ms | outcomes |`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let booking = args[0] == "booking";
    let target = args[1].clone();
    let (slot, n): (i64, usize) = match booking {
        true => (args[2].parse().unwrap(), args[3].parse().unwrap()),
        false => (0, args[2].parse().unwrap()),
    };
    let label = args
        .get(if booking { 4 } else { 3 })
        .cloned()
        .unwrap_or_default();
    let started = Instant::now();
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let target = target.clone();
            tokio::spawn(async move {
                // A client per request: each attempt is its own phone on its own connection.
                let client = reqwest::Client::builder()
                    .pool_max_idle_per_host(0)
                    .timeout(Duration::from_secs(60))
                    .build()
                    .unwrap();
                let sent = Instant::now();
                let response = if booking {
                    let body = serde_json::json!({
                        "slot": slot, "name": "bench", "phone": format!("135{i:08}"),
                        "attendee": "parent", "stage": "junior"
                    });
                    client
                        .post(format!("{target}/api/v1/bookings"))
                        .header(
                            "x-forwarded-for",
                            format!("10.{}.{}.{}", i / 65_536, (i / 256) % 256, i % 256),
                        )
                        .json(&body)
                        .send()
                        .await
                } else {
                    client.get(&target).send().await
                };
                let status = match response {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let _ = r.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                (sent.elapsed(), status)
            })
        })
        .collect();
    let mut latencies = Vec::with_capacity(n);
    let mut outcomes: BTreeMap<u16, usize> = BTreeMap::new();
    for task in tasks {
        let (latency, status) = task.await.unwrap();
        latencies.push(latency);
        *outcomes.entry(status).or_default() += 1;
    }
    let total = started.elapsed();
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let outcomes = outcomes
        .iter()
        .map(|(s, c)| format!("{c}× {s}"))
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "| {label} | {:.0} | {:.1} | {:.1} | {outcomes} |",
        n as f64 / total.as_secs_f64(),
        ms(at(0.50)),
        ms(at(0.99))
    );
}
