//! `appwrite-emulator`: the standalone server.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use appwrite_emulator::{Config, Emulator};

const USAGE: &str = "usage: appwrite-emulator [--host 127.0.0.1] [--port 0] [--data PATH] [--project ID] [--api-key KEY] [--attribute-delay-ms N] [--appwrite-version 1.6|1.7|1.8|1.9.0-1.9.4|1.9.5+] [--web-platform HOST]...";

fn parse_args() -> Result<Config, String> {
    let mut config = Config::default();
    let mut host: IpAddr = [127, 0, 0, 1].into();
    let mut port = 0u16;
    let mut web_platform_given = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(USAGE.to_owned());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--host" => {
                host = value
                    .parse()
                    .map_err(|_| format!("--host: `{value}` is not an IP address"))?
            }
            "--port" => {
                port = value
                    .parse()
                    .map_err(|_| format!("--port: `{value}` is not a port"))?
            }
            "--data" => config.data = Some(PathBuf::from(value)),
            "--project" => config.project_id = value,
            "--api-key" => config.api_key = value,
            "--attribute-delay-ms" => {
                let ms = value
                    .parse()
                    .map_err(|_| format!("--attribute-delay-ms: `{value}` is not a number"))?;
                config.attribute_delay = Duration::from_millis(ms);
            }
            "--appwrite-version" => {
                config.appwrite_version = value.parse().map_err(|e| format!("--appwrite-version: {e}"))?
            }
            "--web-platform" => {
                // The first one replaces the default (`localhost`); more add to the list.
                if !web_platform_given {
                    config.web_platforms.clear();
                    web_platform_given = true;
                }
                config.web_platforms.push(value);
            }
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    config.bind = SocketAddr::new(host, port);
    Ok(config)
}

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let emulator = match Emulator::start(config).await {
        Ok(emulator) => emulator,
        Err(err) => {
            eprintln!("appwrite-emulator: cannot start: {err}");
            return ExitCode::FAILURE;
        }
    };
    // The one line a script waits for; printing the key is the point of a local emulator.
    println!(
        "appwrite-emulator listening endpoint={} project={} api_key={}",
        emulator.endpoint(),
        emulator.project_id(),
        emulator.api_key()
    );
    wait_for_signal().await;
    emulator.shutdown().await;
    ExitCode::SUCCESS
}

async fn wait_for_signal() {
    let mut term =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
