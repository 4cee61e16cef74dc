//! Appwrite's check of a browser's `Origin` against the project's platforms, done when a
//! realtime socket connects (Appwrite's `Network\Validator\Origin`): a web origin's hostname
//! must be one of the project's Web platforms or the host the client connected to; an app's
//! scheme (`appwrite-ios`, `exp`, `appwrite-callback-<project>`, …) passes. A client that sends
//! no `Origin` — every server, every native socket library — is not checked at all.

/// The web schemes, whose origins are checked by hostname, and the platform each names.
const WEB: [(&str, &str); 6] = [
    ("http", "Web"),
    ("https", "Web"),
    ("chrome-extension", "Web (Chrome Extension)"),
    ("moz-extension", "Web (Firefox Extension)"),
    ("safari-web-extension", "Web (Safari Extension)"),
    ("ms-browser-extension", "Web (Edge Extension)"),
];

/// The schemes of Appwrite's native platforms.
const APPS: [&str; 7] = [
    "appwrite-ios",
    "appwrite-macos",
    "appwrite-watchos",
    "appwrite-tvos",
    "appwrite-android",
    "appwrite-windows",
    "appwrite-linux",
];

/// Whether `hostname` is one of `platforms` (`*.example.com` covers its subdomains).
fn listed(hostname: &str, platforms: &[String]) -> bool {
    platforms.iter().any(|platform| {
        let platform = platform.to_ascii_lowercase();
        match platform.strip_prefix("*.") {
            Some(parent) => hostname.ends_with(&format!(".{parent}")),
            None => platform == hostname,
        }
    })
}

/// Checks `origin`; the error is Appwrite's description of the refusal.
pub(crate) fn check(
    origin: &str,
    platforms: &[String],
    connected_to: Option<&str>,
    project: &str,
) -> Result<(), String> {
    let (scheme, rest) = match origin.trim().split_once("://") {
        Some((scheme, rest)) => (scheme.to_ascii_lowercase(), rest),
        None => return Err("Invalid Origin.".to_owned()),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let hostname = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default().to_owned(),
        None => host.split(':').next().unwrap_or_default().to_ascii_lowercase(),
    };
    if let Some((_, platform)) = WEB.iter().find(|(s, _)| *s == scheme) {
        let current = connected_to.is_some_and(|h| h.eq_ignore_ascii_case(&hostname));
        if current || listed(&hostname, platforms) {
            return Ok(());
        }
        let shown = if hostname.is_empty() {
            String::new()
        } else {
            format!("({hostname})")
        };
        return Err(format!(
            "Invalid Origin. Register your new client {shown} as a new {platform} platform on your project console dashboard"
        ));
    }
    if APPS.contains(&scheme.as_str()) || scheme == "exp" || scheme == format!("appwrite-callback-{project}")
    {
        return Ok(());
    }
    Err(format!(
        "Invalid Scheme. The scheme used ({scheme}) in the Origin ({origin}) is not supported. If you are using a custom scheme, please change it to `appwrite-callback-<PROJECT_ID>`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platforms() -> Vec<String> {
        vec!["localhost".to_owned(), "*.example.com".to_owned()]
    }

    #[test]
    fn web_origins_pass_by_hostname_and_others_are_told_to_register() {
        let ok = |origin: &str| check(origin, &platforms(), Some("127.0.0.1"), "p");
        assert!(ok("http://localhost:5173").is_ok());
        assert!(ok("https://app.example.com").is_ok());
        assert!(
            ok("http://127.0.0.1:8080").is_ok(),
            "the host the client connected to"
        );
        assert!(
            ok("https://example.com").is_err(),
            "a wildcard covers subdomains only"
        );
        assert_eq!(
            ok("http://appwrite.unknown").unwrap_err(),
            "Invalid Origin. Register your new client (appwrite.unknown) as a new Web platform on your project console dashboard"
        );
        assert!(ok("chrome-extension://abcdef")
            .unwrap_err()
            .contains("Web (Chrome Extension)"));
    }

    #[test]
    fn app_schemes_pass_and_unknown_schemes_are_named() {
        let ok = |origin: &str| check(origin, &platforms(), None, "p");
        assert!(ok("appwrite-ios://com.example.app").is_ok());
        assert!(ok("appwrite-callback-p://").is_ok());
        assert!(ok("exp://192.168.1.2:8081").is_ok());
        assert!(ok("myapp://x")
            .unwrap_err()
            .starts_with("Invalid Scheme. The scheme used (myapp)"));
        assert_eq!(ok("null").unwrap_err(), "Invalid Origin.");
    }
}
