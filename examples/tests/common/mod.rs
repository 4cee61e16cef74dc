//! Runs an example's binary as a child process against an emulator owned by the test, so the
//! test can watch the example's output and check its effects through its own client.

#![allow(dead_code)] // Each test file uses a different part of this module.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use appwrite_emulator::{Config, Emulator};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

/// How long a test waits for one expected thing before it fails.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

pub(crate) async fn emulator() -> Emulator {
    Emulator::start(Config {
        attribute_delay: Duration::from_millis(10),
        ..Config::default()
    })
    .await
    .expect("emulator starts")
}

pub(crate) use tests::client;

/// The handle of collection `T` on `emulator`, as another process would use it.
pub(crate) async fn collection<T: appwrite_orm::Collection>(
    emulator: &Emulator,
) -> appwrite_orm::CollectionHandle<T> {
    client(emulator)
        .connect()
        .await
        .expect("connects")
        .collection::<T>()
}

// `cargo test` builds the examples next to the test binaries: target/<profile>/examples.
fn binary(name: &str) -> PathBuf {
    let test = std::env::current_exe().expect("test binary path");
    let profile_dir = test.parent().and_then(|deps| deps.parent()).expect("target dir");
    let path = profile_dir.join("examples").join(name);
    assert!(
        path.exists(),
        "{} is not built; run `cargo test --workspace`",
        path.display()
    );
    path
}

/// A running example.
pub(crate) struct Running {
    pub(crate) child: Child,
    lines: mpsc::UnboundedReceiver<String>,
    /// Every line printed so far (stdout and stderr).
    pub(crate) output: Vec<String>,
}

/// Starts example `name` against `emulator`, with extra environment variables.
pub(crate) fn run(name: &str, emulator: &Emulator, env: &[(&str, &str)]) -> Running {
    let mut command = Command::new(binary(name));
    command
        .env("APPWRITE_ENDPOINT", emulator.endpoint())
        .env("APPWRITE_PROJECT_ID", emulator.project_id())
        .env("APPWRITE_DATABASE_ID", "main")
        .env("APPWRITE_API_KEY", emulator.api_key())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("example starts");
    let (tx, lines) = mpsc::unbounded_channel();
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    for reader in [
        Box::new(stdout) as Box<dyn tokio::io::AsyncRead + Unpin + Send>,
        Box::new(stderr),
    ] {
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let _ = tx.send(line);
            }
        });
    }
    Running {
        child,
        lines,
        output: Vec::new(),
    }
}

impl Running {
    /// Waits for a line containing `needle` and returns it.
    pub(crate) async fn line_with(&mut self, needle: &str) -> String {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = self.lines.recv().await {
                self.output.push(line.clone());
                if line.contains(needle) {
                    return Some(line);
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(line)) => line,
            _ => panic!(
                "no line with {needle:?}; output so far:\n{}",
                self.output.join("\n")
            ),
        }
    }

    /// Sends SIGTERM, as a process manager would.
    pub(crate) async fn terminate(&self) {
        let pid = self.child.id().expect("still running");
        let status = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await
            .expect("kill runs");
        assert!(status.success());
    }

    /// Sends SIGTERM, expects exit status 0 and a line containing `needle`; returns the output.
    pub(crate) async fn stop_cleanly(self, needle: &str) -> Vec<String> {
        self.terminate().await;
        let (ok, output) = self.finish().await;
        assert!(ok, "exit status not 0:\n{}", output.join("\n"));
        assert!(
            output.iter().any(|l| l.contains(needle)),
            "no line with {needle:?}:\n{}",
            output.join("\n")
        );
        output
    }

    /// Waits for the process to exit; returns whether it succeeded and all of its output.
    pub(crate) async fn finish(mut self) -> (bool, Vec<String>) {
        let status = match tokio::time::timeout(PATIENCE, self.child.wait()).await {
            Ok(status) => status.expect("wait works"),
            Err(_) => {
                // Show what it printed: a hang is diagnosed from its output, not a bare timeout.
                let _ = self.child.kill().await;
                while let Ok(line) = self.lines.try_recv() {
                    self.output.push(line);
                }
                panic!(
                    "the example did not exit within {PATIENCE:?}; its output:\n{}",
                    self.output.join("\n")
                );
            }
        };
        // The readers end with the process; collect what is left.
        while let Ok(Some(line)) = tokio::time::timeout(Duration::from_secs(5), self.lines.recv()).await {
            self.output.push(line);
        }
        (status.success(), self.output)
    }
}

/// Polls `check` until it returns `Some`, or fails the test after [`PATIENCE`].
pub(crate) async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A duration in `0..max`, different on every call: where a kill lands. Printed by the caller,
/// so that a failure says which instant it was.
pub(crate) fn random_below(max: Duration) -> Duration {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or_default();
    let max_ms = u64::try_from(max.as_millis()).unwrap_or(u64::MAX).max(1);
    Duration::from_millis(u64::from(nanos) % max_ms)
}
