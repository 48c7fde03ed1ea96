//! The audit log page: the same filter as `GET /api/v1/audit`, as a GET form that works
//! without JavaScript; names instead of ids where the person is still known.

use super::when;
use crate::AppState;
use crate::api::audit::filter_of;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::error::ApiError;
use crate::extract::PageQuery;
use crate::i18n::{Lang, texts};
use crate::pages::{Layout, Opt, OrPage, PageError, choose, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use lp_audit::AuditRecord;
use lp_core::audit::{AuditAction, AuditObject, Who};
use lp_core::validation::FieldError;
use lp_registry::{staff, volunteers};
use std::collections::HashMap;
use uuid::Uuid;

texts! {
    pub struct AuditTexts {
        title: "Protokoll" / "Audit log",
        intro: "Wer hat was wann getan: Änderungen nennen die geänderten Felder, nie ihre Werte. Einträge lassen sich nicht ändern und werden nach der Aufbewahrungsfrist gelöscht." / "Who did what, and when: changes name the fields changed, never their values. Entries cannot be changed and are removed after their retention period.",
        filter: "Filter" / "Filter",
        actor: "Person (ID)" / "Person (id)",
        object: "Objekt (ID)" / "Object (id)",
        object_kind: "Art des Objekts" / "Kind of object",
        action: "Aktion" / "Action",
        any: "alle" / "any",
        from: "Von" / "From",
        to: "Bis" / "To",
        show: "Anzeigen" / "Show",
        at: "Zeit" / "Time",
        who: "Wer" / "Who",
        what: "Was" / "What",
        fields: "Felder" / "Fields",
        address: "Adresse" / "Address",
        none: "Keine Einträge für diesen Filter." / "No entries for this filter.",
        system: "System" / "System",
        operator: "Betrieb (Kommandozeile)" / "Operator (command line)",
        anonymous: "unbekannt" / "unknown",
        volunteer: "Ehrenamtliche:r" / "Volunteer",
        fix: "Bitte korrigieren:" / "Please correct:",
        shown: "Die neuesten 200 Einträge." / "The newest 200 entries.",
    }
}

struct Row {
    at: String,
    who: String,
    who_link: Option<String>,
    action: &'static str,
    object: &'static str,
    object_link: Option<String>,
    object_id: String,
    fields: String,
    address: String,
}

#[derive(Template)]
#[template(path = "staff/audit.html")]
struct AuditPage {
    layout: Layout,
    t: &'static AuditTexts,
    rows: Vec<Row>,
    actor: String,
    object: String,
    from: String,
    to: String,
    kinds: Vec<Opt>,
    actions: Vec<Opt>,
    error: Option<FieldError>,
}

pub(super) async fn page(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PageQuery(params): PageQuery,
) -> Result<Response, PageError> {
    let t = AuditTexts::of(lang);
    let given = |key: &str| params.get(key).cloned().unwrap_or_default();
    let (records, error) = match filter_of(&params) {
        Ok(filter) => match lp_audit::list(&state.db, &by, &filter).await {
            Ok(records) => (records, None),
            Err(lp_audit::AuditError::Invalid(field)) => (Vec::new(), Some(field)),
            Err(err) => return Err(PageError::new(lang, err)),
        },
        Err(ApiError::Invalid(field)) => (Vec::new(), Some(field)),
        Err(err) => return Err(PageError::new(lang, err)),
    };
    let rows = rows(&state, lang, t, records).await?;
    let kind = given("object_kind");
    let action = given("action");
    let mut response = render(&AuditPage {
        layout: Layout::new(lang, &staff, t.title, "/audit"),
        t,
        rows,
        actor: given("actor"),
        object: given("object"),
        from: given("from"),
        to: given("to"),
        kinds: choose(
            AuditObject::ALL,
            AuditObject::as_str,
            |k| lang.pick(k.name_de(), k.name_en()),
            &[kind.as_str()],
        ),
        actions: choose(
            AuditAction::ALL,
            AuditAction::as_str,
            |a| lang.pick(a.name_de(), a.name_en()),
            &[action.as_str()],
        ),
        error: error.clone(),
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

async fn rows(state: &AppState, lang: Lang, t: &AuditTexts, records: Vec<AuditRecord>) -> Result<Vec<Row>, PageError> {
    let staff_names: HashMap<Uuid, String> = staff::list(&state.db)
        .await
        .or_page(lang)?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut people: Vec<Uuid> = records
        .iter()
        .filter_map(|r| match r.who() {
            Some(Who::Volunteer(id)) => Some(id),
            _ => None,
        })
        .chain(
            records
                .iter()
                .filter(|r| r.object_kind == AuditObject::Volunteer)
                .filter_map(|r| r.object_id),
        )
        .collect();
    people.sort_unstable();
    people.dedup();
    let contacts = volunteers::contacts(&state.db, &people).await.or_page(lang)?;
    let volunteer_name = |id: Uuid| contacts.get(&id).map(|c| c.name.clone());
    Ok(records
        .into_iter()
        .map(|r| {
            let (who, who_link) = match r.who() {
                Some(Who::Staff(id)) => (
                    staff_names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                    Some(format!("/audit?actor={id}")),
                ),
                Some(Who::Volunteer(id)) => (
                    format!(
                        "{} ({})",
                        volunteer_name(id).unwrap_or_else(|| id.to_string()),
                        t.volunteer
                    ),
                    Some(format!("/audit?actor={id}")),
                ),
                Some(Who::System) => (t.system.to_owned(), None),
                Some(Who::Operator) => (t.operator.to_owned(), None),
                Some(Who::Anonymous) | None => (t.anonymous.to_owned(), None),
            };
            let object_link = r.object_id.map(|id| match r.object_kind {
                AuditObject::Request => format!("/requests/{id}"),
                AuditObject::Volunteer => format!("/volunteers/{id}"),
                AuditObject::Training => format!("/trainings/{id}"),
                AuditObject::Offer | AuditObject::User | AuditObject::Organisation => format!("/audit?object={id}"),
            });
            let object_id = match (r.object_kind, r.object_id) {
                (AuditObject::Volunteer, Some(id)) => volunteer_name(id).unwrap_or_else(|| id.to_string()),
                (AuditObject::User, Some(id)) => staff_names.get(&id).cloned().unwrap_or_else(|| id.to_string()),
                (_, Some(id)) => id.to_string().chars().take(8).collect(),
                (_, None) => String::new(),
            };
            Row {
                at: when(lang, &r.at),
                who,
                who_link,
                action: lang.pick(r.action.name_de(), r.action.name_en()),
                object: lang.pick(r.object_kind.name_de(), r.object_kind.name_en()),
                object_link,
                object_id,
                fields: r
                    .fields
                    .iter()
                    .map(|field| field_label(lang, field))
                    .collect::<Vec<_>>()
                    .join(", "),
                address: r.client_addr.unwrap_or_default(),
            }
        })
        .collect())
}

/// A field an entry names, as staff read it: "Schulung 0b6f2c1e" for `training:0b6f2c1e-…`;
/// a name the table does not know shows as stored.
fn field_label(lang: Lang, field: &str) -> String {
    let Some((de, en)) = lp_core::audit::field_names(field) else {
        return field.to_owned();
    };
    let name = lang.pick(de, en);
    match field.split_once(':') {
        Some((_, id)) => format!("{name} {}", id.chars().take(8).collect::<String>()),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use crate::test_app::TestApp;
    use axum::http::StatusCode;
    use lp_core::vocab::Role;

    #[tokio::test]
    async fn the_log_shows_sign_ins_and_reads_of_a_volunteer_on_the_page_and_in_the_api() {
        let app = TestApp::new().await;
        app.staff(Role::Coordinator, None, "co@example.org").await;
        let amina = app.volunteer("Amina Rahimi", "amina@example.org", "prs").await;
        let session = app.login("co@example.org").await;
        let page = app.get(&format!("/volunteers/{amina}"), Some(&session)).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains(&format!("/api/v1/volunteers/{amina}/export")));

        let log = app.get("/audit", Some(&session)).await;
        assert_eq!(log.status, StatusCode::OK, "{}", log.body);
        assert!(log.body.contains("angemeldet"), "the sign-in");
        assert!(log.body.contains("192.0.2.10"), "from the login form's address");
        assert!(log.body.contains("angesehen"), "the volunteer's page");
        assert!(log.body.contains("Amina Rahimi"), "named, not only an id");

        let api = app
            .get(&format!("/api/v1/audit?object={amina}&action=view"), Some(&session))
            .await;
        assert_eq!(api.status, StatusCode::OK);
        let entries: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        let entries = entries.as_array().unwrap();
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["actor_kind"], "staff");
        assert_eq!(entries[0]["object_kind"], "volunteer");
    }

    #[tokio::test]
    async fn a_bad_filter_is_a_422_naming_it_and_a_caseworker_is_refused() {
        let app = TestApp::new().await;
        app.staff(Role::Coordinator, None, "co@example.org").await;
        let org = app.organisation("Caritas").await;
        app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
        let session = app.login("co@example.org").await;
        let page = app.get("/audit?from=gestern", Some(&session)).await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.body.contains("<strong>from</strong>"), "{}", page.body);
        let api = app
            .get("/api/v1/audit?from=2026-12-02&to=2026-12-01", Some(&session))
            .await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
        let api = app.get("/api/v1/audit?action=delete", Some(&session)).await;
        assert_eq!(api.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(api.body.contains("action"), "{}", api.body);

        let caseworker = app.login("cw@example.org").await;
        assert_eq!(app.get("/audit", Some(&caseworker)).await.status, StatusCode::FORBIDDEN);
        assert_eq!(
            app.get("/api/v1/audit", Some(&caseworker)).await.status,
            StatusCode::FORBIDDEN
        );
    }

    #[tokio::test]
    async fn the_access_export_downloads_as_a_json_file() {
        let app = TestApp::new().await;
        app.staff(Role::Coordinator, None, "co@example.org").await;
        let amina = app.volunteer("Amina Rahimi", "amina@example.org", "prs").await;
        let session = app.login("co@example.org").await;
        let reply = app
            .get(&format!("/api/v1/volunteers/{amina}/export"), Some(&session))
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        let disposition = reply.headers["content-disposition"].to_str().unwrap();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        let export: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(export["volunteer"]["name"], "Amina Rahimi");
        assert_eq!(export["volunteer"]["email"], "amina@example.org");
        let unknown = uuid::Uuid::new_v4();
        let missing = app
            .get(&format!("/api/v1/volunteers/{unknown}/export"), Some(&session))
            .await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
    }
}
