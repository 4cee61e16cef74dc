//! Acknowledged writes survive `kill -9` of the real binary and a restart on the same data file.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::Api;
use serde_json::json;

struct Server {
    child: Child,
    api: Api,
}

fn spawn(data: &std::path::Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_appwrite-emulator"))
        .args([
            "--port",
            "0",
            "--attribute-delay-ms",
            "0",
            "--project",
            "durable",
            "--api-key",
            "durable-key",
            "--data",
        ])
        .arg(data)
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("startup line");
    let endpoint = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("endpoint="))
        .expect("endpoint in the startup line");
    Server {
        child,
        api: Api::new(endpoint, "durable", Some("durable-key")),
    }
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_dash_nine() {
    let dir = std::env::temp_dir().join(format!("appwrite-emulator-durability-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data.db");
    let _ = std::fs::remove_file(&data);

    let mut first = spawn(&data);
    let col = first
        .api
        .collection(
            json!(["read(\"any\")"]),
            false,
            &[("integer", json!({"key": "n", "required": true}))],
        )
        .await;
    let docs = format!("{col}/documents");
    for n in 0..200 {
        let (status, body) = first
            .api
            .post(&docs, json!({"documentId": format!("d{n}"), "data": {"n": n}}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
    let (status, _) = first.api.post("/users", json!({"userId": "keeper"})).await;
    assert_eq!(status, 201);
    // SIGKILL: no shutdown hook runs, nothing is flushed by the server on the way out.
    first.child.kill().expect("kill -9");
    first.child.wait().unwrap();

    let mut second = spawn(&data);
    let (status, list) = second
        .api
        .list(
            &docs,
            &[
                json!({"method": "limit", "values": [500]}),
                json!({"method": "orderAsc", "attribute": "n"}),
            ],
        )
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["total"], 200);
    let ns: Vec<i64> = list["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["n"].as_i64().unwrap())
        .collect();
    assert_eq!(ns, (0..200).collect::<Vec<_>>());
    assert_eq!(second.api.get("/users/keeper").await.0, 200);
    let (_, attribute) = second.api.get(&format!("{col}/attributes/n")).await;
    assert_eq!(attribute["status"], "available");
    second.child.kill().unwrap();
    second.child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
