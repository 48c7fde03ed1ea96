//! The pages for sign-in, sign-out and setting or changing a password. The rules (timing,
//! session fixation, spending the link) live in `lp_registry::sign_in`.

use crate::AppState;
use crate::auth::SignedIn;
use crate::client_addr::ClientAddr;
use crate::extract::PathParam;
use crate::i18n::{Lang, texts};
use crate::page::{OrPage, PageError, local_path, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Query, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use lp_registry::password_links::{self, LinkState};
use lp_registry::staff::password_too_short;
use lp_registry::{RegistryError, sessions, sign_in};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/account/password", get(change_form).post(change_password))
}

/// The password link, a secret in its address (rate limited with the other links).
pub fn link_routes() -> Router<AppState> {
    Router::new().route("/password/{token}", get(password_form).post(set_password))
}

pub use lp_registry::sign_in::warm_up;

texts! {
    pub struct LoginTexts {
        title: "Anmelden" / "Sign in",
        product: "Linguapool – Dolmetscherpool" / "Linguapool – interpreter pool",
        email: "E-Mail-Adresse" / "Email address",
        password: "Passwort" / "Password",
        submit: "Anmelden" / "Sign in",
        wrong: "E-Mail-Adresse oder Passwort ist falsch." / "Wrong email address or password.",
        throttled: "Zu viele Versuche. Bitte warten Sie einige Minuten." / "Too many attempts. Please wait a few minutes.",
        password_set: "Ihr Passwort ist gesetzt. Bitte melden Sie sich an." / "Your password is set. Please sign in.",
        signed_out: "Sie sind abgemeldet." / "You are signed out.",
        switch_to: "English" / "Deutsch",
    }
}

#[derive(Template)]
#[template(path = "staff/login.html")]
struct LoginPage<'a> {
    lang: Lang,
    t: &'static LoginTexts,
    email: &'a str,
    next: &'a str,
    error: Option<&'static str>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    done: Option<String>,
}

async fn login_form(lang: Lang, Query(query): Query<LoginQuery>) -> Response {
    let t = LoginTexts::of(lang);
    let notice = match query.done.as_deref() {
        Some("password") => Some(t.password_set),
        Some("logout") => Some(t.signed_out),
        _ => None,
    };
    render(&LoginPage {
        lang,
        t,
        email: "",
        next: local_path(query.next.as_deref()),
        error: None,
        notice,
    })
}

#[derive(Deserialize)]
struct LoginForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    lang: Lang,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, PageError> {
    let t = LoginTexts::of(lang);
    let next = local_path(form.next.as_deref());
    let refuse = |status: StatusCode, error: &'static str| {
        let mut response = render(&LoginPage {
            lang,
            t,
            email: &form.email,
            next,
            error: Some(error),
            notice: None,
        });
        *response.status_mut() = status;
        response
    };
    if let Err(wait) = state.web.login_throttle.attempt(&form.email, client) {
        tracing::warn!(%client, "login throttled");
        let mut response = refuse(StatusCode::TOO_MANY_REQUESTS, t.throttled);
        let seconds = wait.as_secs().max(1).to_string();
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_str(&seconds).expect("digits"));
        return Ok(response);
    }
    let planted = state.web.cookies.session_id(&headers);
    let signed_in = sign_in::sign_in(
        &state.db,
        &form.email,
        &form.password,
        planted.as_deref(),
        state.web.sessions,
        Some(client),
        state.clock.now(),
    )
    .await
    .or_page(lang)?;
    let Some(id) = signed_in else {
        return Ok(refuse(StatusCode::UNAUTHORIZED, t.wrong));
    };
    let mut response = Redirect::to(next).into_response();
    state.web.cookies.set_session(response.headers_mut(), &id);
    Ok(response)
}

async fn logout(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Result<Response, PageError> {
    if let Some(id) = state.web.cookies.session_id(&headers) {
        sessions::end(&state.db, &id).await.or_page(lang)?;
    }
    let mut response = Redirect::to("/login?done=logout").into_response();
    state.web.cookies.clear_session(response.headers_mut());
    Ok(response)
}

texts! {
    pub struct PasswordTexts {
        title: "Passwort festlegen" / "Set your password",
        intro: "Willkommen im Dolmetscherpool. Legen Sie Ihr Passwort fest." / "Welcome to the interpreter pool. Choose your password.",
        password: "Neues Passwort (mindestens 10 Zeichen)" / "New password (at least 10 characters)",
        repeat: "Passwort wiederholen" / "Repeat the password",
        submit: "Passwort speichern" / "Save password",
        too_short: "Das Passwort braucht mindestens 10 Zeichen." / "The password needs at least 10 characters.",
        mismatch: "Die beiden Passwörter stimmen nicht überein." / "The two passwords differ.",
        used: "Dieser Link wurde bereits benutzt. Bitten Sie die Koordination um einen neuen." / "This link has been used. Ask the coordinator for a new one.",
        expired: "Dieser Link ist abgelaufen. Bitten Sie die Koordination um einen neuen." / "This link has expired. Ask the coordinator for a new one.",
        unknown: "Diesen Link gibt es nicht." / "This link does not exist.",
    }
}

#[derive(Template)]
#[template(path = "staff/password.html")]
struct PasswordPage<'a> {
    lang: Lang,
    t: &'static PasswordTexts,
    email: &'a str,
    token: &'a str,
    error: Option<&'static str>,
    /// Set when the link cannot be used; then there is no form.
    dead: Option<&'static str>,
}

async fn password_form(State(state): State<AppState>, lang: Lang, PathParam(token): PathParam) -> Response {
    let t = PasswordTexts::of(lang);
    let page = |email: &str, status, dead| {
        let mut response = render(&PasswordPage {
            lang,
            t,
            email,
            token: &token,
            error: None,
            dead,
        });
        *response.status_mut() = status;
        response
    };
    match password_links::state(&state.db, &token, state.clock.now()).await {
        Ok(LinkState::Valid(user)) => page(&user.email, StatusCode::OK, None),
        Ok(LinkState::Used) => page("", StatusCode::GONE, Some(t.used)),
        Ok(LinkState::Expired) => page("", StatusCode::GONE, Some(t.expired)),
        Err(RegistryError::NotFound) => page("", StatusCode::NOT_FOUND, Some(t.unknown)),
        Err(err) => PageError::new(lang, err).into_response(),
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    password: String,
    repeat: String,
}

async fn set_password(
    State(state): State<AppState>,
    lang: Lang,
    PathParam(token): PathParam,
    Form(form): Form<PasswordForm>,
) -> Result<Response, PageError> {
    let t = PasswordTexts::of(lang);
    let page = |status, error, dead| {
        let mut response = render(&PasswordPage {
            lang,
            t,
            email: "",
            token: &token,
            error,
            dead,
        });
        *response.status_mut() = status;
        response
    };
    if password_too_short(&form.password) {
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, Some(t.too_short), None));
    }
    if form.password != form.repeat {
        return Ok(page(StatusCode::UNPROCESSABLE_ENTITY, Some(t.mismatch), None));
    }
    let outcome = sign_in::set_password_by_link(&state.db, &token, &form.password, state.clock.now()).await;
    match outcome {
        Ok(LinkState::Valid(_)) => Ok(Redirect::to("/login?done=password").into_response()),
        Ok(LinkState::Used) => Ok(page(StatusCode::GONE, None, Some(t.used))),
        Ok(LinkState::Expired) => Ok(page(StatusCode::GONE, None, Some(t.expired))),
        Err(RegistryError::NotFound) => Ok(page(StatusCode::NOT_FOUND, None, Some(t.unknown))),
        Err(err) => Err(PageError::new(lang, err)),
    }
}

texts! {
    pub struct ChangeTexts {
        title: "Passwort ändern" / "Change password",
        current: "Bisheriges Passwort" / "Current password",
        wrong: "Das bisherige Passwort stimmt nicht." / "The current password is wrong.",
        done: "Ihr Passwort ist geändert. Andere Anmeldungen wurden beendet." / "Your password is changed. Other sessions were ended.",
    }
}

#[derive(Template)]
#[template(path = "staff/change_password.html")]
struct ChangePage {
    layout: crate::pages::Layout,
    t: &'static ChangeTexts,
    p: &'static PasswordTexts,
    error: Option<&'static str>,
    done: bool,
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

fn change_page(lang: Lang, staff: &crate::auth::Staff, error: Option<&'static str>, done: bool) -> Response {
    let t = ChangeTexts::of(lang);
    let mut response = render(&ChangePage {
        layout: crate::pages::Layout::new(lang, staff, t.title, "/account/password"),
        t,
        p: PasswordTexts::of(lang),
        error,
        done,
    });
    if error.is_some() {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    response
}

async fn change_form(lang: Lang, SignedIn(staff): SignedIn, Query(query): Query<DoneQuery>) -> Response {
    change_page(lang, &staff, None, query.done.is_some())
}

#[derive(Deserialize)]
struct ChangeForm {
    current: String,
    password: String,
    repeat: String,
}

/// For the one-time password the CLI prints, and any later change. The current password is
/// checked (and throttled like a login), so a browser left open cannot be taken over.
async fn change_password(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    ClientAddr(client): ClientAddr,
    Form(form): Form<ChangeForm>,
) -> Result<Response, PageError> {
    let t = ChangeTexts::of(lang);
    let p = PasswordTexts::of(lang);
    if state.web.login_throttle.attempt(&staff.0.email, client).is_err() {
        let mut response = change_page(lang, &staff, Some(LoginTexts::of(lang).throttled), false);
        *response.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return Ok(response);
    }
    if password_too_short(&form.password) {
        return Ok(change_page(lang, &staff, Some(p.too_short), false));
    }
    if form.password != form.repeat {
        return Ok(change_page(lang, &staff, Some(p.mismatch), false));
    }
    let changed = sign_in::change_password(
        &state.db,
        staff.0.id,
        &form.current,
        &form.password,
        state.web.sessions,
        state.clock.now(),
    )
    .await
    .or_page(lang)?;
    let Some(id) = changed else {
        return Ok(change_page(lang, &staff, Some(t.wrong), false));
    };
    let mut response = Redirect::to("/account/password?done=1").into_response();
    state.web.cookies.set_session(response.headers_mut(), &id);
    Ok(response)
}

#[cfg(test)]
mod tests;
