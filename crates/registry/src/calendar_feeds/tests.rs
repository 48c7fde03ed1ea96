use super::*;
use crate::volunteers::{VolunteerInput, create};
use lp_testkit::TestDb;
use sea_orm::Statement;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

async fn volunteer(db: &DatabaseConnection, email: &str) -> Uuid {
    let input: VolunteerInput = serde_json::from_value(serde_json::json!({
        "name": "Selam Tesfaye", "email": email,
        "languages": [{"code": "tir", "proficiency": "native"}],
        "german_level": "B2", "modes": ["phone"], "status": "active"
    }))
    .unwrap();
    create(
        db,
        &lp_core::access::Coordinator::operator(),
        input.validate().unwrap(),
        at("2026-11-01T08:00:00Z"),
    )
    .await
    .unwrap()
    .id
}

/// The address a mail carrying this placeholder arrives with: the worker writes it in.
fn sent(key: &ServerKey, placeholder: &str) -> String {
    assert!(lp_core::link::has_placeholder(placeholder), "{placeholder}");
    let links = lp_core::link::LinkResolver::new(std::sync::Arc::new(key.clone()), "http://pool.test");
    links.resolve_text(placeholder).unwrap()
}

fn token_of(url: &str) -> &str {
    let file = url.rsplit('/').next().unwrap();
    token_of_file(file).unwrap()
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql.to_owned()))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn the_same_address_comes_back_until_the_feed_is_renewed() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org").await;
    let key = ServerKey::generate();
    let addresses = Addresses::new(&key, "http://pool.test/");
    let now = at("2026-11-22T10:00:00Z");

    let first = sent(&key, &ensure(db, &addresses, id, now).await.unwrap());
    assert!(
        first.starts_with("http://pool.test/calendar/") && first.ends_with(".ics"),
        "{first}"
    );
    assert_eq!(
        sent(&key, &ensure(db, &addresses, id, now).await.unwrap()),
        first,
        "shown again, unchanged"
    );
    let token = token_of(&first);
    assert_eq!(token.len(), 43);
    let found = find(db, token).await.unwrap().expect("the token finds its feed");
    assert_eq!(found.volunteer_id, id);
    // Another server key gives other addresses: the database alone makes none.
    let other_key = ServerKey::generate();
    assert_ne!(Addresses::new(&other_key, "http://pool.test").url(&found), first);

    // Nothing usable is stored: only the hash.
    let raw = count(
        db,
        &format!("SELECT COUNT(*) FROM calendar_feeds WHERE token_hash LIKE '%{token}%'"),
    )
    .await;
    assert_eq!(raw, 0);

    let later = now + chrono::Duration::days(2);
    let renewed = renew(db, &addresses, id, Who::Volunteer(id), None, later)
        .await
        .unwrap();
    assert_ne!(renewed, first);
    assert!(find(db, token).await.unwrap().is_none(), "the old address is dead");
    assert!(find(db, token_of(&renewed)).await.unwrap().is_some());
    assert_eq!(sent(&key, &ensure(db, &addresses, id, later).await.unwrap()), renewed);

    let feeds = of_volunteer(db, id).await.unwrap();
    assert_eq!(feeds.len(), 2);
    assert_eq!(feeds[0].revoked_at, Some(later));
    assert_eq!(feeds[1].revoked_at, None);
    let audited = count(
        db,
        "SELECT COUNT(*) FROM audit_entries WHERE action = 'change' AND fields LIKE '%calendar_feed%'",
    )
    .await;
    assert_eq!(audited, 1, "the renewal is in the audit log");
}

#[tokio::test]
async fn a_revoked_feed_is_unknown_and_the_next_mail_makes_a_new_one() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org").await;
    let key = ServerKey::generate();
    let addresses = Addresses::new(&key, "http://pool.test");
    let now = at("2026-11-22T10:00:00Z");
    let first = sent(&key, &ensure(db, &addresses, id, now).await.unwrap());

    assert!(revoke(db, id, Who::Staff(Uuid::new_v4()), None, now).await.unwrap());
    assert!(
        !revoke(db, id, Who::Volunteer(id), None, now).await.unwrap(),
        "nothing left to revoke"
    );
    assert!(find(db, token_of(&first)).await.unwrap().is_none());
    assert!(current(db, id).await.unwrap().is_none());

    let next = sent(&key, &ensure(db, &addresses, id, now).await.unwrap());
    assert_ne!(next, first);
    assert!(find(db, token_of(&next)).await.unwrap().is_some());
}

#[tokio::test]
async fn retention_removes_feeds_revoked_before_the_cutoff_and_erasure_removes_all() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org").await;
    let key = ServerKey::generate();
    let addresses = Addresses::new(&key, "http://pool.test");
    let old = at("2026-09-01T10:00:00Z");
    ensure(db, &addresses, id, old).await.unwrap();
    renew(db, &addresses, id, Who::Volunteer(id), None, old).await.unwrap();
    let now = at("2026-11-22T10:00:00Z");
    renew(db, &addresses, id, Who::Volunteer(id), None, now).await.unwrap();
    assert_eq!(of_volunteer(db, id).await.unwrap().len(), 3);

    let purged = crate::retention::purge(db, now - chrono::Duration::days(30), now)
        .await
        .unwrap();
    assert_eq!(purged.calendar_feeds, 1, "only the feed revoked in September");
    let left = of_volunteer(db, id).await.unwrap();
    assert_eq!(left.len(), 2);
    assert!(current(db, id).await.unwrap().is_some(), "the working feed stays");

    delete_all(db, id).await.unwrap();
    assert!(of_volunteer(db, id).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_new_server_key_gives_a_new_working_address_instead_of_a_dead_one() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let id = volunteer(db, "selam@example.org").await;
    let now = at("2026-11-22T10:00:00Z");
    let old_key = ServerKey::generate();
    let old = ensure(db, &Addresses::new(&old_key, "http://pool.test"), id, now)
        .await
        .unwrap();
    let old = sent(&old_key, &old);
    let new_key = ServerKey::generate();
    let addresses = Addresses::new(&new_key, "http://pool.test");
    assert!(
        shown(db, &addresses, id).await.unwrap().is_none(),
        "nothing to show under the new key"
    );
    let new = sent(&new_key, &ensure(db, &addresses, id, now).await.unwrap());
    assert_ne!(new, old);
    assert!(find(db, token_of(&new)).await.unwrap().is_some());
    assert!(find(db, token_of(&old)).await.unwrap().is_none());
    assert_eq!(sent(&new_key, &ensure(db, &addresses, id, now).await.unwrap()), new);
}

#[test]
fn only_a_file_ending_in_ics_names_a_token() {
    assert_eq!(token_of_file("abc.ics"), Some("abc"));
    assert_eq!(token_of_file("abc"), None);
    assert_eq!(token_of_file(".ics"), None);
}
