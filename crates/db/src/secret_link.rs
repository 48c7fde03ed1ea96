//! The secret-link policy, one for every kind of link (offers, availability links, password
//! links, training invitations): a link is found by the hash of its token, is worth nothing
//! once expired, and is spent by one conditional UPDATE, so of two clicks racing on one link
//! exactly one acts. The plain token is never stored.

use chrono::{DateTime, Utc};
use lp_core::secret::hash_token;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Select};

/// A table of secret links: where the token's hash and the expiry are kept.
pub trait LinkTable: EntityTrait {
    fn token_hash() -> Self::Column;
    fn expires_at() -> Self::Column;
}

/// What a link is worth at a moment, before its own rules (an offer's state, say) are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Usable,
    Used,
    Expired,
}

/// A used link stays used after its expiry, so the volunteer hears what happened rather than
/// only that time ran out.
pub fn standing(used: bool, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Standing {
    if used {
        Standing::Used
    } else if expires_at <= now {
        Standing::Expired
    } else {
        Standing::Usable
    }
}

/// The link's row, if the token names one.
pub async fn find<T: LinkTable>(db: &impl ConnectionTrait, token: &str) -> Result<Option<T::Model>, DbErr> {
    select::<T>(token).one(db).await
}

/// The query for the link's row, for a caller that reads related rows in the same statement.
pub fn select<T: LinkTable>(token: &str) -> Select<T> {
    T::find().filter(T::token_hash().eq(hash_token(token)))
}

/// Spends the link: writes `changes` to its row if the row still meets `unspent` and has not
/// expired at `now`. `true` when this caller spent it; `false` when it was spent, changed or
/// expired meanwhile (nothing was written).
pub async fn spend<T: LinkTable>(
    db: &impl ConnectionTrait,
    token: &str,
    unspent: Condition,
    changes: impl IntoIterator<Item = (T::Column, SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let mut update = T::update_many()
        .filter(T::token_hash().eq(hash_token(token)))
        .filter(T::expires_at().gt(now))
        .filter(unspent);
    for (column, value) in changes {
        update = update.col_expr(column, value);
    }
    Ok(update.exec(db).await?.rows_affected == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_used_link_says_used_even_after_it_expired() {
        let now: DateTime<Utc> = "2026-12-01T10:00:00Z".parse().unwrap();
        let before = now - chrono::Duration::hours(1);
        let after = now + chrono::Duration::hours(1);
        assert_eq!(standing(true, before, now), Standing::Used);
        assert_eq!(standing(false, before, now), Standing::Expired);
        assert_eq!(standing(false, now, now), Standing::Expired);
        assert_eq!(standing(false, after, now), Standing::Usable);
    }
}
