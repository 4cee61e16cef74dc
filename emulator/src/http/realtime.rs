//! `GET /v1/realtime`: resolves who a socket connects as, then hands it to the realtime hub.

use std::sync::Arc;

use axum::extract::ws::WebSocketUpgrade;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::Value;

use super::extract::{array_param, QueryString};
use crate::auth::Caller;
use crate::realtime::{self, MAX_INBOUND};
use crate::state::AppState;

pub(super) async fn upgrade(
    State(state): State<Arc<AppState>>,
    ws: WebSocketUpgrade,
    headers: HeaderMap,
    QueryString(pairs): QueryString,
) -> Response {
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let channels = array_param(&pairs, "channels");
    // The project comes from the `project` parameter or the `X-Appwrite-Project` header; 1.9.5
    // reads the header first (a `project` parameter may then hold the project channel's
    // queries).
    let header = headers
        .get("x-appwrite-project")
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty())
        .map(str::to_owned);
    let project = match state.realtime.version.action_channels() {
        true => header.or_else(|| param("project")),
        false => param("project").or(header),
    };
    let origin = headers.get("origin").and_then(|v| v.to_str().ok());
    let connected_to = headers
        .get("host")
        .and_then(|v| v.to_str().ok())
        .map(|host| host.rsplit_once(':').map_or(host, |(name, _)| name));
    let refused_origin = origin
        .filter(|o| !o.is_empty())
        .and_then(|o| crate::origin::check(o, &state.web_platforms, connected_to, &state.project).err());
    let admission = match project {
        Some(project) if project == state.project => {
            if let Some(why) = refused_origin {
                Err((1008, why))
            } else if state.realtime.version.url_channels_only() && channels.is_empty() {
                Err((1008, "Missing channels".to_owned()))
            } else {
                let jwt = headers
                    .get("x-appwrite-jwt")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
                    .or_else(|| param("jwt"));
                // An API key gives no realtime identity, exactly as on Appwrite: it is ignored.
                // A staged downgrade applies to a socket that is admitted, not to one refused.
                match jwt.filter(|j| !j.is_empty()) {
                    Some(_) if state.faults.take_downgrade() => Ok((Caller::Guest, Value::Null)),
                    Some(jwt) => state.user_of_jwt(jwt).await.map_err(|e| (1008, e.message)),
                    None => Ok((Caller::Guest, Value::Null)),
                }
            }
        }
        _ => Err((1008, "Missing or unknown project ID".to_owned())),
    };
    let hub = Arc::clone(&state.realtime);
    let url = realtime::UrlRequest {
        channels,
        params: pairs,
    };
    // Oversized frames are refused by hand (so the client gets an error frame), not by the codec.
    ws.max_message_size(4 * MAX_INBOUND)
        .on_upgrade(move |socket| realtime::serve(hub, socket, admission, url))
}
