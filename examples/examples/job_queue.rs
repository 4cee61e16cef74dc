//! A job queue driven by realtime events: creating a `jobs` document enqueues it; the worker
//! reacts to the create event, runs the job with retries up to the job's own `maxAttempts`, and
//! records every attempt in `job_logs` and the outcome on the job.
//!
//! The worker is a durable listener: a checkpoint in the database says how far it got, so a
//! worker that starts again first catches up on the jobs created or cut off while none ran, then
//! takes new ones. The attempt count lives on the job document, not in memory, so a restarted
//! worker continues where the last one stopped.
//!
//! `cargo run -p examples --example job_queue` enqueues a few jobs (one that needs a retry and
//! one that never succeeds), waits until every job has finished, and exits.

use std::time::Duration;

use appwrite_orm::{
    AttributeEnum, Collection, CollectionCheckpoints, CollectionHandle, Document, ListenerCheckpoint, Origin,
};
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
        let started = job.attempts.unwrap_or(0);
        // A job found `running` was cut off in attempt `started` before it recorded an outcome
        // (the worker died): that attempt runs again, or a job cut off in its last attempt would
        // stay `running` for ever.
        let first = match job.status {
            JobStatus::Running => started.max(1),
            _ => started + 1,
        };
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
    examples::log_to_stdout();
    let (orm, _emulator) = examples::backend().await?;
    let db = orm
        .connect()
        .register::<Job>()
        .register::<JobLog>()
        .register::<ListenerCheckpoint>()
        .auto_migrate(true)
        .await?;
    let worker = Worker {
        jobs: db.collection::<Job>(),
        logs: db.collection::<JobLog>(),
    };

    // React to jobs, resuming after a restart from where the last worker got (its checkpoint
    // is the `job-worker` document of `appwrite_orm_checkpoints`). Handlers run one at a time,
    // in event order. Events of a job can come again (the worker's own updates, a catch-up after
    // a restart), so the handler runs a job only if it is still unfinished when read now; an
    // error is logged by the listener and the job stays `running` for the next start.
    let listener = {
        let worker = worker.clone();
        let unfinished = |status| matches!(status, JobStatus::Pending | JobStatus::Running);
        worker
            .jobs
            .clone()
            .on_documents_durable("job-worker", CollectionCheckpoints::new(&orm), move |event| {
                let worker = worker.clone();
                async move {
                    if !unfinished(event.document.status) {
                        return Ok(());
                    }
                    let Some(job) = worker.jobs.get(event.document.id()).await? else {
                        return Ok(());
                    };
                    if unfinished(job.status) {
                        if event.origin == Origin::CatchUp {
                            println!("resuming job {} ({:?})", job.id(), job.status);
                        }
                        worker.run(job).await?;
                    }
                    Ok(())
                }
            })
            .await?
    };
    listener.ready().await?;

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
