//! Every German staff page is German: a page's visible text (and the labels screen readers
//! read) holds none of the identifiers behind it — the SPEC's values as spelled in the API,
//! the matcher's rule codes and score parts, the outbox's mail kinds, the audit log's actions —
//! nor English words such as "native".

use crate::test_app::{TestApp, enc};
use axum::http::StatusCode;
use lp_core::audit::{ActorKind, AuditAction, AuditObject};
use lp_core::vocab::*;
use std::collections::BTreeSet;

/// Identifiers that must not show on a German page, whole words, case as spelled.
fn identifiers() -> BTreeSet<&'static str> {
    let mut all = BTreeSet::new();
    macro_rules! spelled {
        ($($vocab:ty),*) => { $(all.extend(<$vocab>::ALL.iter().map(|v| v.as_str()));)* };
    }
    spelled!(
        Proficiency,
        Mode,
        Setting,
        Gender,
        GenderStrength,
        VolunteerStatus,
        TrainingStatus,
        RequestStatus,
        OfferState,
        Role,
        TrainingKind,
        TrainingState,
        InvitationState,
        AuditAction,
        AuditObject,
        ActorKind
    );
    // CEFR levels read the same in German; `native` does not.
    all.insert(GermanLevel::Native.as_str());
    all.extend(lp_matcher::Rule::ALL.iter().map(|r| r.as_str()));
    all.extend(lp_matcher::ScorePart::ALL.iter().map(|p| p.as_str()));
    all.extend(lp_notify::MailKind::ALL.iter().map(|k| k.as_str()));
    all.extend(["none", "true", "false", "null", "None", "Some"]);
    all
}

/// The text a reader sees or hears: text outside tags (without scripts, styles and parts
/// marked `lang="en"`), and the `title`, `aria-label`, `placeholder` and `alt` of tags.
fn readable_text(html: &str) -> String {
    const VOID: &[&str] = &["br", "input", "meta", "link", "img", "hr", "col", "source", "wbr"];
    let mut out = String::new();
    let mut skipping: Option<(String, usize)> = None;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        if skipping.is_none() {
            out.push_str(&rest[..lt]);
            out.push(' ');
        }
        let gt = lt + rest[lt..].find('>').unwrap_or(rest.len() - lt - 1);
        let tag = &rest[lt + 1..gt];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        let void = VOID.contains(&name.as_str()) || tag.ends_with('/');
        match &mut skipping {
            Some((skipped, depth)) if *skipped == name && !void => {
                if closing {
                    *depth -= 1;
                } else {
                    *depth += 1;
                }
                if *depth == 0 {
                    skipping = None;
                }
            }
            Some(_) => {}
            None if closing || name == "html" => {}
            None => {
                if ["script", "style"].contains(&name.as_str()) || (tag.contains("lang=\"en\"") && !void) {
                    skipping = Some((name, 1));
                } else {
                    for attribute in ["title=\"", "aria-label=\"", "placeholder=\"", "alt=\""] {
                        if let Some(at) = tag.find(attribute) {
                            let value = &tag[at + attribute.len()..];
                            out.push_str(&value[..value.find('"').unwrap_or(value.len())]);
                            out.push(' ');
                        }
                    }
                }
            }
        }
        rest = &rest[gt + 1..];
    }
    out.push_str(rest);
    for (entity, text) in [
        ("&amp;", "&"),
        ("&#38;", "&"),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#34;", "\""),
        ("&#39;", "'"),
    ] {
        out = out.replace(entity, text);
    }
    out
}

/// `german_level`, `on_site`: a name from the code, whatever its source.
fn is_snake_case(word: &str) -> bool {
    word.contains('_')
        && word
            .split('_')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
}

/// The identifiers found in a page's readable text, each with the words around it.
fn english_identifiers(html: &str, identifiers: &BTreeSet<&str>) -> BTreeSet<String> {
    let text = readable_text(html);
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .iter()
        .enumerate()
        .filter(|(_, word)| identifiers.contains(*word) || is_snake_case(word))
        .map(|(i, word)| {
            let around = words[i.saturating_sub(4)..(i + 5).min(words.len())].join(" ");
            format!("{word} (in \"{around}\")")
        })
        .collect()
}

#[test]
fn the_scan_reads_what_a_reader_sees() {
    let ids = identifiers();
    let html = r#"<html lang="de"><head><title>Kandidat/innen</title><style>.open{}</style></head>
        <body><th>language</th><td class="badge open"><code>untrained</code></td>
        <button lang="en">native</button><input placeholder="phone"><span aria-label="video">x</span>
        <td>Muttersprache &amp; vor Ort, german_level</td></body></html>"#;
    let found = english_identifiers(html, &ids);
    let words: BTreeSet<&str> = found.iter().map(|f| f.split(' ').next().unwrap()).collect();
    assert_eq!(
        words,
        ["german_level", "language", "untrained", "phone", "video"].into()
    );
}

/// A day of requests, trainings and mails, so that every list on the pages has rows.
async fn busy_pool() -> (TestApp, String, Vec<String>) {
    let app = TestApp::new().await;
    let org = app.organisation("Stadt A").await;
    app.staff(Role::Caseworker, Some(org), "cw@example.org").await;
    app.staff(Role::Coordinator, None, "co@example.org").await;
    let amal = app.volunteer("Amal A.", "amal@example.org", "apc").await;
    app.volunteer("Bilal B.", "bilal@example.org", "ara").await;
    let caseworker = app.login("cw@example.org").await;
    let session = app.login("co@example.org").await;

    // Two speakers qualify on Wednesday; on Saturday nobody is free, so the hint and the
    // candidates page list the rules that exclude them.
    let form = "language=Arabisch+%28ara%29&time=10%3A00&duration_minutes=60&mode=on_site&town=Winnenden&address=Marktplatz+1&setting=medical&gender=female&strength=preferred&client_ref=IM-1&notes=";
    let mut requests = Vec::new();
    for date in ["2026-12-02", "2026-12-05"] {
        let created = app
            .post_form("/requests", Some(&caseworker), &format!("{form}&date={date}&confirm=1"))
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        requests.push(created.location().unwrap().to_owned());
    }

    let training = [
        ("title", "Grundschulung"),
        ("kind", "basic"),
        ("date", "2026-12-12"),
        ("time", "10:00"),
        ("duration_minutes", "180"),
        ("location", "Rathaus"),
        ("capacity", "12"),
        ("deadline_date", "2026-12-10"),
        ("deadline_time", "23:59"),
        ("description", ""),
        ("trainer", ""),
    ]
    .iter()
    .map(|(k, v)| format!("{k}={}", enc(v)))
    .collect::<Vec<_>>()
    .join("&");
    let created = app.post_form("/trainings", Some(&session), &training).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let training_page = created.location().unwrap().split('?').next().unwrap().to_owned();
    let invited = app
        .post_form(
            &format!("{training_page}/invitations"),
            Some(&session),
            &format!("by=chosen&volunteer_ids={amal}"),
        )
        .await;
    assert!(
        invited.status.is_redirection() || invited.status.is_success(),
        "{}",
        invited.body
    );

    let mut pages: Vec<String> = [
        "/",
        "/requests/new",
        "/board",
        "/volunteers",
        "/volunteers/new",
        "/organisations",
        "/staff",
        "/outbox",
        "/trainings",
        "/trainings/new",
        "/trainings/needs",
        "/reports",
        "/audit",
        "/account/password",
    ]
    .map(str::to_owned)
    .into();
    for request in &requests {
        pages.push(request.clone());
        pages.push(format!("{request}/candidates"));
    }
    pages.push(format!("/volunteers/{amal}"));
    pages.push(training_page);
    (app, session, pages)
}

#[tokio::test]
async fn german_staff_pages_show_no_english_identifiers() {
    let (app, session, pages) = busy_pool().await;
    let identifiers = identifiers();
    let mut found = Vec::new();
    for path in &pages {
        let page = app.get(path, Some(&session)).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(page.body.contains("<html lang=\"de\">"), "{path} is a German page");
        let english = english_identifiers(&page.body, &identifiers);
        if !english.is_empty() {
            found.push(format!("{path}: {english:?}"));
        }
    }
    // The live hint of the form, and the login page, too.
    let hint = app
        .get(
            "/requests/new/hint?language=Arabisch+%28ara%29&date=2026-12-05&time=10%3A00&duration_minutes=60&mode=phone&setting=authority",
            Some(&session),
        )
        .await;
    // The hint is JSON for the form's script: what it shows people is scanned.
    let hint: serde_json::Value = serde_json::from_str(&hint.body).unwrap();
    assert!(hint["text"].as_str().unwrap().starts_with("Niemand kommt"), "{hint}");
    let mut shown: Vec<&str> = ["text", "instead", "take"]
        .iter()
        .filter_map(|k| hint[*k].as_str())
        .collect();
    shown.extend(hint["rules"].as_array().unwrap().iter().filter_map(|r| r.as_str()));
    shown.extend(
        hint["suggestions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["label"].as_str()),
    );
    assert!(shown.len() > 4, "the hint shows rules and suggestions: {hint}");
    let hint_text = shown.join("\n");
    let login = app.get("/login", None).await;
    for (path, body) in [("hint", hint_text), ("/login", login.body)] {
        let english = english_identifiers(&body, &identifiers);
        if !english.is_empty() {
            found.push(format!("{path}: {english:?}"));
        }
    }
    assert!(
        found.is_empty(),
        "English identifiers on German pages:\n{}",
        found.join("\n")
    );
}
