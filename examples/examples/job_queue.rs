//! A job queue driven by realtime events: creating a `jobs` document enqueues it; the worker
//! reacts to the create event, runs the job with retries up to the job's own `maxAttempts`, and
//! records every attempt in `job_logs` and the outcome on the job.
//!
//! Jobs that were created while no worker ran are found at startup, so none is forgotten. The
//! attempt count lives on the job document, not in memory, so a restarted worker continues where
//! the last one stopped.
//!
//! `cargo run -p examples --example job_queue` enqueues a few jobs (one that needs a retry and
//! one that never succeeds), waits until every job has finished, and exits.

use std::time::Duration;

use appwrite_orm::{AttributeEnum, Collection, CollectionHandle, Document, EventKind};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(AttributeEnum, Serialize, Deserialize, Debug, Clone, Copy, PartialEq)]
#[serde(rename_all = "lowercase")]
enum JobStatus {
    Pending,
    Running,
    Completed,
    Failed,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "jobs", rename_all = "camelCase")]
#[collection(index(key = "by_status", fields(status)))]
struct Job {
    #[collection(size = 32)]
    kind: String,
    #[collection(size = 256)]
    input: String,
    status: JobStatus,
    #[collection(default = 0)]
    attempts: Option<u8>,
    #[collection(min = 1, max = 10)]
    max_attempts: u8,
    #[collection(size = 256)]
    result: Option<String>,
    #[collection(size = 256)]
    error: Option<String>,
}

#[derive(Collection, Serialize, Deserialize, Debug, Clone)]
#[serde(rename_all = "camelCase")]
#[collection(id = "job_logs", rename_all = "camelCase")]
#[collection(index(key = "by_job", fields(job_id)))]
struct JobLog {
    #[collection(size = 36)]
    job_id: String,
    attempt: u8,
    #[collection(size = 8)]
    level: String,
    #[collection(size = 512)]
    message: String,
    at: DateTime<Utc>,
}

/// The work itself. `flaky` jobs fail on their first attempt; `broken` ones always fail.
async fn perform(job: &Job, attempt: u8) -> Result<String, String> {
    tokio::time::sleep(Duration::from_millis(20)).await;
    match job.kind.as_str() {
        "resize" => Ok(format!("resized {} to 640x480", job.input)),
        "flaky" if attempt > 1 => Ok(format!("sent {} on attempt {attempt}", job.input)),
        "flaky" => Err("mail server timed out".to_owned()),
        other => Err(format!("no handler can run a `{other}` job")),
    }
}

#[derive(Clone)]
struct Worker {
    jobs: CollectionHandle<Job>,
    logs: CollectionHandle<JobLog>,
}

impl Worker {
    async fn log(&self, job: &str, attempt: u8, level: &str, message: String) -> appwrite_orm::Result<()> {
        let entry = JobLog {
            job_id: job.to_owned(),
            attempt,
            level: level.to_owned(),
            message,
            at: Utc::now(),
        };
        self.logs.create(&entry).await.map(drop)
    }

    /// Runs a job to its end: completed, or failed after its last attempt.
    async fn run(&self, job: Document<Job>) -> appwrite_orm::Result<()> {
        let id = job.id().to_owned();
        let first = job.attempts.unwrap_or(0) + 1;
        for attempt in first..=job.max_attempts {
            self.jobs
                .update(&id, Job::patch().status(JobStatus::Running).attempts(attempt))
                .await?;
            match perform(&job, attempt).await {
                Ok(result) => {
                    self.log(&id, attempt, "info", result.clone()).await?;
                    let done = Job::patch().status(JobStatus::Completed).result(result);
                    self.jobs.update(&id, done).await?;
                    return Ok(());
                }
                Err(error) => {
                    self.log(&id, attempt, "error", error.clone()).await?;
                    if attempt == job.max_attempts {
                        let failed = Job::patch().status(JobStatus::Failed).error(error);
                        self.jobs.update(&id, failed).await?;
                        return Ok(());
                    }
                    // Back off before the next attempt: 50 ms, 100 ms, 200 ms, …
                    tokio::time::sleep(Duration::from_millis(50 << (attempt - 1).min(6))).await;
                }
            }
        }
        Ok(())
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Job>()
        .register::<JobLog>()
        .auto_migrate(true)
        .await?;
    let worker = Worker {
        jobs: db.collection::<Job>(),
        logs: db.collection::<JobLog>(),
    };

    // React to new jobs. Handlers run one at a time, in event order; an error is logged by the
    // listener and the job stays `running` for the next startup to pick up.
    let listener = {
        let worker = worker.clone();
        worker.jobs.clone().on_documents(move |event| {
            let worker = worker.clone();
            async move {
                if event.kind == EventKind::Create && event.document.status == JobStatus::Pending {
                    worker.run(event.document.clone()).await?;
                }
                Ok(())
            }
        })
    };
    listener.ready().await?;

    // Jobs left over from a previous run (created while no worker listened, or cut off).
    let leftover = worker
        .jobs
        .find([Job::STATUS.is_in([JobStatus::Pending, JobStatus::Running])])
        .await?;
    for job in leftover {
        println!("resuming job {} ({:?})", job.id(), job.status);
        worker.run(job).await?;
    }

    for (kind, input, max_attempts) in [
        ("resize", "cat.png", 3),
        ("flaky", "welcome-mail", 3),
        ("broken", "report.pdf", 2),
        ("resize", "dog.png", 1),
    ] {
        let job = Job {
            kind: kind.to_owned(),
            input: input.to_owned(),
            status: JobStatus::Pending,
            attempts: Some(0),
            max_attempts,
            result: None,
            error: None,
        };
        let stored = worker.jobs.create(&job).await?;
        println!("enqueued {kind} job {}", stored.id());
    }

    // Wait until no job is pending or running.
    loop {
        let open = worker
            .jobs
            .count([Job::STATUS.is_in([JobStatus::Pending, JobStatus::Running])])
            .await?;
        if open == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for job in worker.jobs.find([]).await? {
        let logs = worker.logs.count([JobLog::JOB_ID.eq(job.id())]).await?;
        println!(
            "job {} {}: {:?} after {} attempt(s), {logs} log entries — {}",
            job.id(),
            job.kind,
            job.status,
            job.attempts.unwrap_or(0),
            job.result.as_deref().or(job.error.as_deref()).unwrap_or("")
        );
    }
    listener.unsubscribe().await;
    orm.shutdown(Duration::from_secs(5)).await;
    Ok(())
}
