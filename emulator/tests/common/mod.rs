//! A small Appwrite REST client for the emulator's own tests.

#![allow(dead_code, unreachable_pub)]

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

pub struct Api {
    http: reqwest::Client,
    pub endpoint: String,
    pub project: String,
    key: Option<String>,
    jwt: Option<String>,
}

impl Api {
    pub fn new(endpoint: &str, project: &str, key: Option<&str>) -> Self {
        Api {
            http: reqwest::Client::new(),
            endpoint: endpoint.to_owned(),
            project: project.to_owned(),
            key: key.map(str::to_owned),
            jwt: None,
        }
    }

    /// A client of `emulator` holding its API key.
    pub fn of(emulator: &appwrite_emulator::Emulator) -> Self {
        Api::new(
            &emulator.endpoint(),
            emulator.project_id(),
            Some(emulator.api_key()),
        )
    }

    pub fn with_jwt(&self, jwt: &str) -> Self {
        Api {
            http: self.http.clone(),
            endpoint: self.endpoint.clone(),
            project: self.project.clone(),
            key: None,
            jwt: Some(jwt.to_owned()),
        }
    }

    /// A fresh JWT for `user` (minted with this client's key).
    pub async fn jwt(&self, user: &str) -> String {
        let (status, body) = self.post(&format!("/users/{user}/jwts"), json!({})).await;
        assert_eq!(status, 201, "{body}");
        body["jwt"].as_str().expect("a jwt").to_owned()
    }

    pub fn guest(&self) -> Self {
        Api {
            http: self.http.clone(),
            endpoint: self.endpoint.clone(),
            project: self.project.clone(),
            key: None,
            jwt: None,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.endpoint))
            .header("X-Appwrite-Project", &self.project);
        if let Some(key) = &self.key {
            request = request.header("X-Appwrite-Key", key);
        }
        if let Some(jwt) = &self.jwt {
            request = request.header("X-Appwrite-JWT", jwt);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request reaches the emulator");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON body")
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.call(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, path, Some(body)).await
    }

    /// `GET` with `queries[]` in the query string.
    pub async fn list(&self, path: &str, queries: &[Value]) -> (u16, Value) {
        let params: Vec<(String, String)> = queries
            .iter()
            .enumerate()
            .map(|(i, q)| (format!("queries[{i}]"), q.to_string()))
            .collect();
        let url = reqwest::Url::parse_with_params(&format!("{}{path}", self.endpoint), &params).expect("url");
        let path = format!(
            "{}?{}",
            url.path().trim_start_matches("/v1"),
            url.query().unwrap_or_default()
        );
        self.get(&path).await
    }

    /// Polls until every attribute and index of the collection is `available`.
    pub async fn wait_available(&self, collection_path: &str) {
        for _ in 0..200 {
            let (_, collection) = self.get(collection_path).await;
            let all = |k: &str| {
                collection[k]
                    .as_array()
                    .is_some_and(|a| a.iter().all(|x| x["status"] == "available"))
            };
            if all("attributes") && all("indexes") {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{collection_path} never became available");
    }

    /// A database `main` with a collection `col` holding the given attributes, all available.
    pub async fn collection(
        &self,
        permissions: Value,
        document_security: bool,
        attributes: &[(&str, Value)],
    ) -> String {
        assert_eq!(
            self.post("/databases", json!({"databaseId": "main", "name": "Main"}))
                .await
                .0,
            201
        );
        let (status, body) = self
            .post(
                "/databases/main/collections",
                json!({"collectionId": "col", "name": "Col", "permissions": permissions, "documentSecurity": document_security}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        for (kind, body) in attributes {
            let (status, response) = self
                .post(
                    &format!("/databases/main/collections/col/attributes/{kind}"),
                    body.clone(),
                )
                .await;
            assert_eq!(status, 202, "{response}");
        }
        self.wait_available("/databases/main/collections/col").await;
        "/databases/main/collections/col".to_owned()
    }
}

pub fn assert_error(response: &(u16, Value), code: u16, kind: &str) {
    assert_eq!(response.0, code, "{}", response.1);
    assert_eq!(response.1["type"], kind, "{}", response.1);
    assert_eq!(response.1["code"], code);
    assert!(response.1["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(response.1["version"].is_string());
}
