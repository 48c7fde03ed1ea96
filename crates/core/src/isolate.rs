//! Panic isolation for background jobs: a job that panics ends as a value the worker logs and
//! retries later, instead of taking the worker's task (and with it every other job) down.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

/// A job panicked; the panic's message, when it had one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panicked {
    message: String,
}

impl Panicked {
    fn from_payload(payload: Box<dyn Any + Send>) -> Self {
        let message = match payload.downcast::<String>() {
            Ok(text) => *text,
            Err(payload) => match payload.downcast::<&'static str>() {
                Ok(text) => (*text).to_owned(),
                Err(_) => "a panic without a message".to_owned(),
            },
        };
        Self { message }
    }

    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Panicked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "panicked: {}", self.message)
    }
}

/// Runs `job`, turning a panic inside it into `Err(Panicked)`.
///
/// The job is asserted unwind-safe: after a panic it is dropped, never polled again, and the
/// jobs here keep their state in the database, where an unfinished transaction rolls back
/// when it is dropped. Shared in-memory state a job touches must not rely on lock poisoning
/// (tokio's locks do not poison).
pub fn catch_panic<F: Future>(job: F) -> CatchPanic<F> {
    CatchPanic { job: Box::pin(job) }
}

/// The future of [`catch_panic`].
pub struct CatchPanic<F> {
    job: Pin<Box<F>>,
}

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, Panicked>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let job = self.job.as_mut();
        match catch_unwind(AssertUnwindSafe(|| job.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(Panicked::from_payload(payload))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::task::{Wake, Waker};

    struct NoWake;
    impl Wake for NoWake {
        fn wake(self: Arc<Self>) {}
    }

    /// Polls to completion; the futures here never wait on anything but themselves.
    fn block_on<F: Future>(future: F) -> F::Output {
        let waker = Waker::from(Arc::new(NoWake));
        let mut cx = Context::from_waker(&waker);
        let mut future = Box::pin(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
        }
    }

    /// Pending once, then ready: the panic may come after the job has awaited something.
    struct YieldOnce(bool);
    impl Future for YieldOnce {
        type Output = ();
        fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
            if self.0 {
                Poll::Ready(())
            } else {
                self.0 = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }

    #[test]
    fn a_job_that_finishes_gives_its_output() {
        assert_eq!(block_on(catch_panic(async { 42 })), Ok(42));
    }

    #[test]
    fn a_panic_after_an_await_becomes_a_value_with_its_message() {
        let id = 7;
        let result = block_on(catch_panic(async move {
            YieldOnce(false).await;
            if id == 7 {
                panic!("row {id} is poison");
            }
            id
        }));
        let panicked = result.unwrap_err();
        assert_eq!(panicked.message(), "row 7 is poison");
        assert_eq!(panicked.to_string(), "panicked: row 7 is poison");
    }

    #[test]
    fn a_static_message_is_kept_too() {
        let result = block_on(catch_panic(async { panic!("static") }));
        assert_eq!(result.unwrap_err().message(), "static");
    }

    #[test]
    fn the_next_job_runs_after_one_panicked() {
        let results: Vec<Result<u32, Panicked>> = (1..=3)
            .map(|n| {
                block_on(catch_panic(async move {
                    assert_ne!(n, 2, "job two fails");
                    n
                }))
            })
            .collect();
        assert_eq!(results[0], Ok(1));
        assert!(results[1].as_ref().unwrap_err().message().contains("job two fails"));
        assert_eq!(results[2], Ok(3));
    }
}
