//! One accept of a request at a time in this process; the others wait for its outcome.
//!
//! When a request's offer mail reaches fifty volunteers, their taps arrive together. Only the
//! first conditional write can win; every rival that read "open" before it committed would
//! otherwise queue for the database's write lock and run a transaction of its own, one after
//! the other, only to find the request taken. Here the rivals wait for the turn in flight and
//! are told its outcome: when it won, they answer at once; otherwise they read the request
//! again, side by side. The database's conditional write still decides the race (another
//! instance on the same PostgreSQL never sees this gate); this only spares the losers of one
//! process their queue.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex as StdMutex};
use tokio::sync::{Mutex, OwnedMutexGuard};
use uuid::Uuid;

/// The requests with an accept in flight in this process; an entry lives while anyone holds
/// or awaits its turn.
static IN_FLIGHT: LazyLock<StdMutex<HashMap<Uuid, Arc<Mutex<Outcome>>>>> = LazyLock::new(Default::default);

/// What the last turn on a request ended with: the offer that won it, if one did.
type Outcome = Option<Uuid>;

/// What [`enter`] gave the caller.
pub(crate) enum Entry {
    /// Nobody else was accepting this request: the caller tries, holding the turn until done.
    Turn(Turn),
    /// Another accept of this request was in flight and has finished. `won_by`: the offer
    /// that took the request then; `None`: it did not, so read the request again.
    Waited { won_by: Option<Uuid> },
}

/// The right to try accepting one request; released on drop.
pub(crate) struct Turn {
    request_id: Uuid,
    guard: Option<OwnedMutexGuard<Outcome>>,
}

/// Takes the request's turn if it is free, or waits until the accept holding it is done.
pub(crate) async fn enter(request_id: Uuid) -> Entry {
    let lock = IN_FLIGHT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .entry(request_id)
        .or_default()
        .clone();
    match lock.clone().try_lock_owned() {
        Ok(mut guard) => {
            *guard = None;
            Entry::Turn(Turn {
                request_id,
                guard: Some(guard),
            })
        }
        Err(_) => {
            // Handed on in order; nobody holds it longer than it takes to read the outcome.
            let won_by = *lock.lock().await;
            drop(lock);
            forget_if_unused(request_id);
            Entry::Waited { won_by }
        }
    }
}

impl Turn {
    /// Tells the accepts waiting for this turn that `offer_id` took the request.
    pub(crate) fn won_by(&mut self, offer_id: Uuid) {
        if let Some(guard) = self.guard.as_mut() {
            **guard = Some(offer_id);
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        self.guard.take();
        forget_if_unused(self.request_id);
    }
}

/// Drops the request's entry once nobody holds or awaits it, so the map stays small.
fn forget_if_unused(request_id: Uuid) {
    let mut in_flight = IN_FLIGHT.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if in_flight
        .get(&request_id)
        .is_some_and(|lock| Arc::strong_count(lock) == 1)
    {
        in_flight.remove(&request_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ops::Deref;
    use std::time::Duration;

    fn tracked(request_id: Uuid) -> bool {
        IN_FLIGHT.lock().unwrap().contains_key(&request_id)
    }

    #[tokio::test]
    async fn the_first_takes_the_turn_and_the_rest_wait_for_it_then_read_again() {
        let request_id = Uuid::new_v4();
        let Entry::Turn(turn) = enter(request_id).await else {
            panic!("the first accept takes the turn");
        };
        let waiters: Vec<_> = (0..20).map(|_| tokio::spawn(enter(request_id))).collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(
            waiters.iter().all(|w| !w.is_finished()),
            "rivals wait for the turn in flight"
        );
        drop(turn);
        for waiter in waiters {
            assert!(matches!(waiter.await.unwrap(), Entry::Waited { won_by: None }));
        }
        assert!(!tracked(request_id), "nothing is kept once everyone is through");
    }

    #[tokio::test]
    async fn those_who_waited_hear_which_offer_won_and_the_next_turn_starts_afresh() {
        let (request_id, offer_id) = (Uuid::new_v4(), Uuid::new_v4());
        let Entry::Turn(mut turn) = enter(request_id).await else {
            panic!("the first accept takes the turn");
        };
        let waiters: Vec<_> = (0..5).map(|_| tokio::spawn(enter(request_id))).collect();
        tokio::time::sleep(Duration::from_millis(50)).await;
        turn.won_by(offer_id);
        drop(turn);
        for waiter in waiters {
            let entry = waiter.await.unwrap();
            assert!(matches!(entry, Entry::Waited { won_by: Some(id) } if id == offer_id));
        }
        let Entry::Turn(later) = enter(request_id).await else {
            panic!("a later accept takes a turn of its own");
        };
        assert_eq!(
            *later.guard.as_ref().unwrap().deref(),
            None,
            "with no outcome of its own yet"
        );
    }

    #[tokio::test]
    async fn accepts_of_different_requests_do_not_wait_for_each_other() {
        let (first, second) = (Uuid::new_v4(), Uuid::new_v4());
        let Entry::Turn(_held) = enter(first).await else {
            panic!("a turn");
        };
        let other = tokio::time::timeout(Duration::from_secs(5), enter(second))
            .await
            .expect("another request's accept does not wait");
        assert!(matches!(other, Entry::Turn(_)));
    }

    #[tokio::test]
    async fn a_lone_accept_leaves_nothing_behind() {
        let request_id = Uuid::new_v4();
        drop(enter(request_id).await);
        assert!(!tracked(request_id));
    }
}
