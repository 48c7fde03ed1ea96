//! The board and the dashboard read their sections from the database, most urgent first, so a
//! large backlog never pushes the urgent requests off the page.

use super::*;
use lp_registry::organisations::{self, OrganisationInput};
use lp_registry::staff::{self, StaffUserInput};
use lp_testkit::TestDb;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

/// `count` open requests of one organisation; the i-th starts `start(i)` and must be filled
/// a day before.
async fn open_requests(
    db: &sea_orm::DatabaseConnection,
    count: usize,
    start: impl Fn(usize) -> DateTime<Utc>,
) -> Vec<Uuid> {
    let now = at("2026-11-23T08:00:00Z");
    let org = organisations::create(
        db,
        &lp_core::access::Coordinator::operator(),
        &OrganisationInput {
            name: format!("Stadt {}", Uuid::new_v4()),
        },
        now,
    )
    .await
    .unwrap();
    let caseworker = staff::prepare(
        &StaffUserInput {
            email: format!("cw-{}@pool.test", org.id),
            name: "cw".into(),
            role: lp_core::vocab::Role::Caseworker,
            organisation_id: Some(org.id),
            password: None,
        },
        false,
    )
    .await
    .unwrap();
    let caseworker = staff::insert(db, caseworker, now).await.unwrap().user;
    let ids: Vec<Uuid> = (0..count).map(|_| Uuid::new_v4()).collect();
    let rows = ids.iter().enumerate().map(|(i, id)| request::ActiveModel {
        id: Set(*id),
        organisation_id: Set(org.id),
        caseworker_id: Set(caseworker.id),
        language: Set("ara".to_owned()),
        dialect: Set(None),
        starts_at: Set(start(i)),
        duration_minutes: Set(60),
        mode: Set("phone".to_owned()),
        town: Set(None),
        address: Set(None),
        setting: Set("authority".to_owned()),
        gender_preference: Set(None),
        gender_strength: Set(None),
        client_ref: Set(None),
        notes: Set(None),
        fill_by: Set(start(i) - Duration::days(1)),
        status: Set(RequestStatus::Open.as_str().to_owned()),
        assignee_id: Set(None),
        assigned_at: Set(None),
        completed_at: Set(None),
        actual_minutes: Set(None),
        feedback: Set(None),
        cancelled_at: Set(None),
        next_wave_at: Set(None),
        reminded_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        details_removed_at: Set(None),
        client_key: Set(None),
        video_url: Set(None),
        series_id: Set(None),
        series_position: Set(None),
        held_for_series: Set(false),
        window_closes_at: Set(None),
        client_key_until: Set(None),
    });
    let rows: Vec<_> = rows.collect();
    for chunk in rows.chunks(100) {
        request::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(db)
            .await
            .unwrap();
    }
    ids
}

#[tokio::test]
async fn with_600_open_requests_the_board_lists_the_nearest_at_risk() {
    let test = TestDb::from_env().await;
    let now = at("2026-11-23T08:00:00Z");
    // The first ten must be filled within the day; the other 590 are months ahead.
    let ids = open_requests(&test.conn, 600, |i| {
        if i < 10 {
            now + Duration::hours(30 + i as i64)
        } else {
            now + Duration::days(60 + i as i64)
        }
    })
    .await;
    let settings = RequestSettings::with_defaults("http://pool.test");
    let board = board(&test.conn, &lp_core::access::Coordinator::operator(), &settings, now)
        .await
        .unwrap();
    let listed: Vec<Uuid> = board.at_risk.iter().map(|r| r.id).collect();
    assert_eq!(listed, ids[..10].to_vec(), "the ten at risk, soonest deadline first");
    assert!(board.unfilled.is_empty());

    // The caseworker's start page shows the open ones whose search ends soonest.
    let dashboard = dashboard(&test.conn, Scope::All, now).await.unwrap();
    assert_eq!(dashboard.open.len() as u64, SECTION_ROWS);
    assert_eq!(dashboard.open[0].id, ids[0]);
}

#[tokio::test]
async fn the_dashboard_shows_the_latest_finished_of_both_kinds_newest_first() {
    let test = TestDb::from_env().await;
    let now = at("2026-11-23T08:00:00Z");
    let ids = open_requests(&test.conn, 60, |i| now - Duration::days(100 - i as i64)).await;
    // Alternately completed and cancelled, the i-th changed i minutes after the first.
    for (i, id) in ids.iter().enumerate() {
        let status = if i % 2 == 0 {
            RequestStatus::Completed
        } else {
            RequestStatus::Cancelled
        };
        request::Entity::update_many()
            .col_expr(request::Column::Status, Expr::value(status.as_str()))
            .col_expr(
                request::Column::UpdatedAt,
                Expr::value(now + Duration::minutes(i as i64)),
            )
            .filter(request::Column::Id.eq(*id))
            .exec(&test.conn)
            .await
            .unwrap();
    }
    let dashboard = dashboard(&test.conn, Scope::All, now).await.unwrap();
    let recent: Vec<Uuid> = dashboard.recent.iter().map(|r| r.id).collect();
    let newest: Vec<Uuid> = ids.iter().rev().take(RECENT_ROWS as usize).copied().collect();
    assert_eq!(recent, newest);
}

async fn set_status(db: &sea_orm::DatabaseConnection, ids: &[Uuid], status: RequestStatus) {
    request::Entity::update_many()
        .col_expr(request::Column::Status, Expr::value(status.as_str()))
        .filter(request::Column::Id.is_in(ids.to_vec()))
        .exec(db)
        .await
        .unwrap();
}

/// What is still ahead reads soonest first, so tomorrow's request is at the top; what is over
/// reads latest first.
#[tokio::test]
async fn sections_ahead_read_soonest_first_and_past_ones_latest_first() {
    let test = TestDb::from_env().await;
    let db = &test.conn;
    let now = at("2026-11-23T08:00:00Z");
    // Created out of order: the i-th starts at the i-th offset.
    let hours = |offsets: &'static [i64]| move |i: usize| now + Duration::hours(offsets[i]);
    let unfilled_ahead = open_requests(db, 3, hours(&[72, 24, 48])).await;
    let unfilled_past = open_requests(db, 3, hours(&[-72, -24, -48])).await;
    let assigned_ahead = open_requests(db, 3, hours(&[96, 50, 70])).await;
    let begun = open_requests(db, 3, hours(&[-5, -1, -30])).await;
    // Filled by a day before the start: the last two are at risk.
    let open = open_requests(db, 3, hours(&[200, 40, 30])).await;
    set_status(db, &unfilled_ahead, RequestStatus::Unfilled).await;
    set_status(db, &unfilled_past, RequestStatus::Unfilled).await;
    set_status(db, &assigned_ahead, RequestStatus::Assigned).await;
    set_status(db, &begun, RequestStatus::Assigned).await;

    let ids = |views: &[RequestView]| views.iter().map(|r| r.id).collect::<Vec<_>>();
    let pick = |ids: &[Uuid], order: [usize; 3]| order.map(|i| ids[i]).to_vec();
    let dashboard = dashboard(db, Scope::All, now).await.unwrap();
    assert_eq!(
        ids(&dashboard.unfilled),
        pick(&unfilled_ahead, [1, 2, 0]),
        "unfilled ahead"
    );
    assert_eq!(
        ids(&dashboard.open),
        pick(&open, [2, 1, 0]),
        "open, soonest deadline first"
    );
    assert_eq!(
        ids(&dashboard.assigned),
        pick(&assigned_ahead, [1, 2, 0]),
        "assigned ahead"
    );
    assert_eq!(
        ids(&dashboard.needs_confirmation),
        pick(&begun, [1, 0, 2]),
        "to confirm, latest first"
    );
    assert_eq!(
        ids(&dashboard.unfilled_past),
        pick(&unfilled_past, [1, 2, 0]),
        "unfilled and over, latest first"
    );

    // Closed: the one completed last (its appointment two days ago) reads below the one whose
    // appointment was this morning.
    let closed = open_requests(db, 2, hours(&[-50, -10])).await;
    for (id, minutes) in closed.iter().zip([2, 1]) {
        request::Entity::update_many()
            .col_expr(request::Column::Status, Expr::value(RequestStatus::Completed.as_str()))
            .col_expr(
                request::Column::UpdatedAt,
                Expr::value(now + Duration::minutes(minutes)),
            )
            .filter(request::Column::Id.eq(*id))
            .exec(db)
            .await
            .unwrap();
    }
    let recent = super::dashboard(db, Scope::All, now).await.unwrap().recent;
    assert_eq!(
        ids(&recent),
        vec![closed[1], closed[0]],
        "closed, latest appointment first"
    );

    let settings = RequestSettings::with_defaults("http://pool.test");
    let board = board(db, &lp_core::access::Coordinator::operator(), &settings, now)
        .await
        .unwrap();
    assert_eq!(ids(&board.unfilled), pick(&unfilled_ahead, [1, 2, 0]));
    assert_eq!(ids(&board.at_risk), vec![open[2], open[1]]);
}
