//! One request's cascade step at a time, each isolated: a step that panics is logged and left
//! for the next pass, and the other requests' steps go on.
//!
//! Nothing is lost by the panic: a step claims its request inside its own transaction, which
//! rolls back when the panicking step is dropped, so the request is still due at the next pass.

use std::future::Future;

use lp_core::isolate::catch_panic;
use uuid::Uuid;

use crate::RequestError;

/// Runs `job` for each id in order and counts the steps it took. A panic counts as a step not
/// taken; an error ends the pass, as it did before.
pub(crate) async fn each<F, Fut>(step: &'static str, ids: Vec<Uuid>, mut job: F) -> Result<usize, RequestError>
where
    F: FnMut(Uuid) -> Fut,
    Fut: Future<Output = Result<bool, RequestError>>,
{
    let mut taken = 0;
    for id in ids {
        match catch_panic(job(id)).await {
            Ok(done) => taken += usize::from(done?),
            Err(panic) => {
                tracing::error!(step, request = %id, %panic, "cascade step panicked; retrying at the next pass");
            }
        }
    }
    Ok(taken)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Mutex;

    fn ids(n: u128) -> Vec<Uuid> {
        (1..=n).map(Uuid::from_u128).collect()
    }

    #[tokio::test]
    async fn a_panicking_step_is_skipped_and_the_others_are_taken() {
        let ran = Mutex::new(Vec::new());
        let poison = Uuid::from_u128(2);
        let taken = each("wave", ids(4), |id| {
            let ran = &ran;
            async move {
                tokio::task::yield_now().await;
                assert_ne!(id, poison, "a poison request");
                ran.lock().unwrap().push(id);
                Ok(id != Uuid::from_u128(4))
            }
        })
        .await
        .unwrap();
        assert_eq!(taken, 2, "1 and 3 took a step, 4 had nothing to do");
        assert_eq!(
            *ran.lock().unwrap(),
            vec![Uuid::from_u128(1), Uuid::from_u128(3), Uuid::from_u128(4)]
        );
    }

    #[tokio::test]
    async fn a_step_that_panicked_is_taken_at_a_later_pass() {
        // The step panics until it is "fixed", as a step on data another pass has changed.
        let healed = Mutex::new(false);
        let done = Mutex::new(HashSet::new());
        let pass = || {
            each("deadline", ids(3), |id| {
                let (healed, done) = (&healed, &done);
                async move {
                    if id == Uuid::from_u128(1) && !*healed.lock().unwrap() {
                        panic!("not yet");
                    }
                    Ok(done.lock().unwrap().insert(id))
                }
            })
        };
        assert_eq!(pass().await.unwrap(), 2);
        *healed.lock().unwrap() = true;
        assert_eq!(pass().await.unwrap(), 1, "only the one left behind");
        assert_eq!(done.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn an_error_still_ends_the_pass() {
        let seen = Mutex::new(0);
        let result = each("reminder", ids(3), |id| {
            let seen = &seen;
            async move {
                *seen.lock().unwrap() += 1;
                if id == Uuid::from_u128(2) {
                    return Err(RequestError::NotFound);
                }
                Ok(true)
            }
        })
        .await;
        assert!(matches!(result, Err(RequestError::NotFound)));
        assert_eq!(*seen.lock().unwrap(), 2);
    }
}
