//! The OpenAPI document of `/api/v1`, made from the same `OpenApiRouter` that serves the
//! handlers, and the pages that show it: `/api/openapi.json` and the Scalar reference at
//! `/api/docs`, whose script is vendored and served from our own origin (no CDN).

use crate::api::docs::ErrorBody;
use crate::{AppState, api};
use axum::Router;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use std::sync::LazyLock;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{Object, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{OpenApi as Document, RefOr};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_scalar::{Scalar, Servable};

/// The session cookie of the staff web UI, which the API accepts like a bearer token.
pub const SESSION_COOKIE: &str = "lp_session";

/// Where the page finds the vendored Scalar bundle and its starter.
const SCALAR_JS_PATH: &str = "/api/docs/scalar.js";
const INIT_JS_PATH: &str = "/api/docs/init.js";

/// `@scalar/api-reference`'s `dist/browser/standalone.js`, as published on npm (MIT; see the
/// LICENSE and README beside it for the version and how to update it).
const SCALAR_JS: &[u8] = include_bytes!("../assets/scalar/standalone.js");
/// Starts Scalar on the embedded document; a file rather than an inline script, so the page
/// also works under a `script-src 'self'` Content-Security-Policy.
const INIT_JS: &str = include_str!("../assets/scalar/init.js");
/// utoipa-scalar puts the document where `$spec` stands; `{version}` is [`asset_version`].
const PAGE: &str = include_str!("../assets/scalar/index.html");

/// A fingerprint of the two scripts (FNV-1a), put into their URLs so browsers may keep them for
/// a year and still fetch the new ones the moment an update changes them.
fn asset_version() -> &'static str {
    static VERSION: LazyLock<String> = LazyLock::new(|| {
        let hash = SCALAR_JS
            .iter()
            .chain(INIT_JS.as_bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
            });
        format!("{hash:016x}")
    });
    &VERSION
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Linguapool API",
        description = "The JSON API of a volunteer interpreter pool (Dolmetscherpool): organisations, \
                       staff users, the volunteer registry and interpreting requests.\n\n\
                       Authenticate with `Authorization: Bearer <api token>` (a token is shown once \
                       when a user is created, or by `linguapool user add --api-token`), or with the \
                       staff web UI's session cookie. Times are RFC 3339 with offset, durations in \
                       minutes, ids are UUIDs. Errors are `{\"error\": {\"code\", \"message\", \
                       \"field\"}}` with a fitting status."
    ),
    tags(
        (name = "organisations", description = "Organisations that caseworkers belong to. Coordinators only."),
        (name = "users", description = "Staff users: coordinators and caseworkers. Coordinators only."),
        (name = "volunteers", description = "The registry of volunteer interpreters. Coordinators only."),
        (name = "requests", description = "Interpreting requests and their lifecycle. A caseworker sees \
                                           its own organisation's; a coordinator all."),
        (name = "trainings", description = "Trainings, invitations, registrations with a waiting list, and \
                                            attendance, which makes volunteers trained. Coordinators only."),
        (name = "reports", description = "Figures for the council and funders: requests, fill rate, unmet \
                                           demand, volunteers' hours. Coordinators only."),
        (name = "audit", description = "The audit log: who did what to which object, when. Coordinators only."),
    ),
    components(schemas(ErrorBody)),
    modifiers(&SecuritySchemes),
    security(("bearer" = []), ("session" = [])),
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A staff user's API token: `Authorization: Bearer <api token>`."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "The session cookie set by signing in to the staff web UI.",
            ))),
        );
    }
}

/// The API router and its document, from one `OpenApiRouter`, so a handler cannot be served
/// without being documented or documented without being served.
fn api() -> (Router<AppState>, Document) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", api::routes())
        .split_for_parts();
    add_volunteer_patch(&mut doc);
    require_bodies(&mut doc);
    add_unavailable(&mut doc);
    add_rate_limited(&mut doc);
    add_input_constraints(&mut doc);
    add_error_examples(&mut doc);
    (router, doc)
}

/// `/api/v1/**`, `/api/openapi.json`, `/api/docs` and its two scripts.
pub fn routes() -> Router<AppState> {
    let (router, doc) = api();
    let json = axum::body::Bytes::from(doc.to_json().expect("the OpenAPI document serialises"));
    let page = PAGE.replace("{version}", asset_version());
    router
        .route(
            "/api/openapi.json",
            get(move || async move { ([(CONTENT_TYPE, "application/json")], json) }),
        )
        .merge(Router::from(Scalar::with_url("/api/docs", doc).custom_html(page)))
        .route(SCALAR_JS_PATH, get(|| async { script(SCALAR_JS) }))
        .route(INIT_JS_PATH, get(|| async { script(INIT_JS.as_bytes()) }))
}

/// The page asks for the scripts under their fingerprint (see [`asset_version`]), so they may be
/// cached for a year: a town hall's line carries the 4 MB bundle once, not on every visit.
fn script(body: &'static [u8]) -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        body,
    )
}

/// The body of `PATCH /volunteers/{id}`: a JSON merge patch of a volunteer, that is any of
/// `VolunteerInput`'s fields, each also `null` (which clears it). Made from `VolunteerInput`'s
/// own schema so the two cannot drift apart.
fn add_volunteer_patch(doc: &mut Document) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(input))) = components.schemas.get("VolunteerInput") else {
        return;
    };
    let mut patch: Object = input.clone();
    patch.required.clear();
    patch.description = Some(
        "A JSON merge patch (RFC 7396) of a volunteer: any fields of `VolunteerInput`; `null` clears one.".to_owned(),
    );
    for property in patch.properties.values_mut() {
        let original = std::mem::replace(property, RefOr::T(Schema::Object(Object::new())));
        *property = OneOfBuilder::new()
            .item(original)
            .item(Object::with_type(Type::Null))
            .into();
    }
    components
        .schemas
        .insert("VolunteerPatch".to_owned(), RefOr::T(Schema::Object(patch)));
    // The merge patch's own media type is taken as well as plain JSON.
    let body = doc
        .paths
        .paths
        .get_mut("/api/v1/volunteers/{id}")
        .and_then(|item| item.patch.as_mut())
        .and_then(|operation| operation.request_body.as_mut());
    if let Some(body) = body
        && let Some(json) = body.content.get("application/json").cloned()
    {
        body.content.insert("application/merge-patch+json".to_owned(), json);
    }
}

/// A free text: no control characters but tab and line breaks (`lp_core::validation`).
pub(crate) const TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$";
/// A required text: the same, and not blank (it holds a character other than white space,
/// which the server trims away).
pub(crate) const REQUIRED_TEXT_PATTERN: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$";
/// A phone number: digits, spaces and `+ - / ( )`, white space around it trimmed.
const PHONE_PATTERN: &str = r"^\s*[0-9 +\-/()]*\s*$";

/// What the server checks of a text: required (not blank) or optional, and its most characters.
#[derive(Clone, Copy)]
enum Text {
    Required(usize),
    Optional(usize),
    Phone(usize),
}

/// The texts of the request bodies and the rules `validate` applies to each, written into the
/// document so it refuses what the server refuses (schemathesis checks both ways).
const TEXTS: &[(&str, &str, Text)] = &[
    ("VolunteerInput", "name", Text::Required(200)),
    ("VolunteerInput", "phone", Text::Phone(40)),
    ("VolunteerInput", "notes", Text::Optional(4000)),
    ("VolunteerLanguage", "dialect", Text::Optional(100)),
    ("OrganisationInput", "name", Text::Required(200)),
    ("StaffUserInput", "name", Text::Required(200)),
    ("RequestInput", "town", Text::Optional(100)),
    ("RequestInput", "address", Text::Optional(200)),
    ("RequestInput", "dialect", Text::Optional(100)),
    ("RequestInput", "notes", Text::Optional(2000)),
    ("CompletionInput", "feedback", Text::Optional(2000)),
    ("TrainingInput", "title", Text::Required(200)),
    ("TrainingInput", "location", Text::Required(200)),
    ("TrainingInput", "description", Text::Optional(4000)),
    ("TrainingInput", "trainer", Text::Optional(200)),
];

/// Constraints the derive does not state: the texts' rules ([`TEXTS`]), and a volunteer's
/// lists and monthly maximum as `VolunteerInput::validate` checks them.
fn add_input_constraints(doc: &mut Document) {
    use utoipa::openapi::schema::ArrayItems;
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    for (schema, property, rule) in TEXTS {
        let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*schema) else {
            panic!("no schema {schema}");
        };
        let Some(RefOr::T(Schema::Object(field))) = object.properties.get_mut(*property) else {
            panic!("no text {schema}.{property}");
        };
        let (pattern, max, min) = match *rule {
            Text::Required(max) => (REQUIRED_TEXT_PATTERN, max, Some(1)),
            Text::Optional(max) => (TEXT_PATTERN, max, None),
            Text::Phone(max) => (PHONE_PATTERN, max, None),
        };
        field.pattern = Some(pattern.to_owned());
        field.max_length = Some(max);
        field.min_length = min;
    }
    let Some(RefOr::T(Schema::Object(volunteer))) = components.schemas.get_mut("VolunteerInput") else {
        panic!("no schema VolunteerInput");
    };
    for (list, min, max) in [
        ("languages", Some(1), None),
        ("modes", Some(1), None),
        ("availability", None, Some(lp_registry::volunteers::MAX_SLOTS)),
        ("absences", None, Some(lp_registry::volunteers::MAX_ABSENCES)),
    ] {
        let Some(RefOr::T(Schema::Array(array))) = volunteer.properties.get_mut(list) else {
            panic!("no list VolunteerInput.{list}");
        };
        array.min_items = min;
        array.max_items = max;
    }
    if let Some(RefOr::T(Schema::Array(towns))) = volunteer.properties.get_mut("service_area")
        && let ArrayItems::RefOrSchema(item) = &mut towns.items
        && let RefOr::T(Schema::Object(town)) = item.as_mut()
    {
        town.pattern = Some(REQUIRED_TEXT_PATTERN.to_owned());
        town.min_length = Some(1);
        town.max_length = Some(100);
    }
    if let Some(RefOr::T(Schema::Object(max))) = volunteer.properties.get_mut("max_assignments_per_month") {
        max.minimum = Some(1.into());
        max.maximum = Some(100.into());
    }
}

/// Every body the API takes is required (`ApiJson` refuses a missing one with 415); utoipa says
/// so only for bodies it infers from a type, not for the merge patch's reference.
fn require_bodies(doc: &mut Document) {
    for operation in operations_mut(doc) {
        if let Some(body) = operation.request_body.as_mut() {
            body.required = Some(utoipa::openapi::Required::True);
        }
    }
}

/// Any operation may meet a busy or unreachable database: 503 with Retry-After, nothing
/// written.
fn add_unavailable(doc: &mut Document) {
    add_with_retry_after(
        doc,
        "503",
        "The database is busy or unreachable for now; nothing was written. Try again after `Retry-After` seconds.",
    );
}

/// Every operation counts against the caller's budget (`web.api_rate_burst`, then
/// `web.api_rate_per_second`): past it 429 with Retry-After.
fn add_rate_limited(doc: &mut Document) {
    add_with_retry_after(
        doc,
        "429",
        "Too many calls by this user; nothing was done. Try again after `Retry-After` seconds.",
    );
}

fn add_with_retry_after(doc: &mut Document, status: &str, description: &str) {
    use utoipa::openapi::{ContentBuilder, ResponseBuilder};
    for operation in operations_mut(doc) {
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"))))
                    .build(),
            )
            .header(
                "Retry-After",
                utoipa::openapi::HeaderBuilder::new()
                    .schema(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::schema::Type::Integer))
                    .build(),
            )
            .build();
        operation
            .responses
            .responses
            .insert(status.to_owned(), RefOr::T(response));
    }
}

fn operations_mut(doc: &mut Document) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Fills each error response's example with what [`crate::ApiError`] really answers for that
/// status, so the examples cannot say something the server does not.
fn add_error_examples(doc: &mut Document) {
    for operation in operations_mut(doc) {
        let operation_id = operation.operation_id.clone().unwrap_or_default();
        for (status, response) in operation.responses.responses.iter_mut() {
            let (RefOr::T(response), Some(error)) = (response, sample_error(status, &operation_id)) else {
                continue;
            };
            if let Some(content) = response.content.get_mut("application/json") {
                content.example = Some(error.body());
            }
        }
    }
}

/// A typical [`crate::ApiError`] for a status of an operation, from the same code paths the
/// server runs where that is cheap (the parser's own messages for 400 and 422).
pub(crate) fn sample_error(status: &str, operation_id: &str) -> Option<crate::ApiError> {
    use crate::ApiError;
    Some(match status {
        "400" => crate::extract::parse_json::<serde_json::Value>(br#"{"name": "#).err()?,
        "401" => ApiError::Unauthenticated,
        "403" => ApiError::Forbidden("only a coordinator may do this"),
        "404" => ApiError::NotFound,
        "409" => ApiError::Conflict(
            match operation_id {
                "create_organisation" => "an organisation named `Caritas` exists already",
                "create_user" => "a staff user with email `cw@example.org` exists already",
                "create_volunteer" | "update_volunteer" => "a volunteer with email `selam@example.org` exists already",
                "erase_volunteer" => {
                    "the volunteer holds 1 upcoming assignment(s); cancel them first so the caseworkers know"
                }
                "complete_request" => "the appointment has not started yet",
                _ => "the request is completed and cannot be cancelled",
            }
            .to_owned(),
        ),
        "413" => ApiError::TooLarge(crate::MAX_BODY_BYTES),
        "503" => ApiError::Unavailable("database: pool timed out".to_owned()),
        "429" => ApiError::RateLimited(1),
        "415" if operation_id == "update_volunteer" => {
            ApiError::Unsupported("send the body as application/merge-patch+json or application/json".to_owned())
        }
        "415" => ApiError::Unsupported("send the body as application/json".to_owned()),
        "422" => crate::extract::parse_json::<lp_registry::volunteers::VolunteerLanguage>(
            br#"{"code": "xyz", "proficiency": "native"}"#,
        )
        .err()?,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ApiError;
    use axum::body::Body;
    use axum::http::{Method, Request, StatusCode};
    use http_body_util::BodyExt;
    use serde_json::Value;
    use std::sync::Arc;
    use tower::ServiceExt;

    /// The whole service, as `linguapool serve` builds it. No database: every API route asks
    /// for a token before it touches one, and the docs need none.
    fn app() -> Router {
        crate::router(AppState {
            db: sea_orm::DatabaseConnection::default(),
            clock: Arc::new(lp_core::SystemClock),
            requests: Arc::new(lp_requests::RequestSettings::with_defaults("http://127.0.0.1:8080")),
            trainings: Arc::new(lp_trainings::TrainingSettings {
                validity_months: 24,
                public_base_url: "http://127.0.0.1:8080".to_owned(),
                server_key: std::sync::Arc::new(lp_core::secret::ServerKey::generate()),
            }),
            reports: Arc::new(lp_reports::ReportSettings::default()),
            mail_wake: Arc::new(tokio::sync::Notify::new()),
            mailbox_dir: None,
            web: Arc::new(crate::WebSettings::new(
                "http://127.0.0.1:8080",
                lp_registry::sessions::SessionPolicy::default(),
                Vec::new(),
            )),
            workers: Arc::new([]),
        })
    }

    async fn send(method: Method, uri: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let request = Request::builder().method(method).uri(uri).body(Body::empty()).unwrap();
        let response = app().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes().to_vec();
        (parts.status, parts.headers, bytes)
    }

    async fn served_document() -> Value {
        let (status, headers, body) = send(Method::GET, "/api/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[CONTENT_TYPE], "application/json");
        serde_json::from_slice(&body).expect("the document is JSON")
    }

    const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

    /// Each documented operation as (method, path template).
    fn operations(doc: &Value) -> Vec<(String, String)> {
        let mut found = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for method in METHODS {
                if item.get(method).is_some() {
                    found.push((method.to_owned(), path.clone()));
                }
            }
        }
        found
    }

    fn concrete(path: &str) -> String {
        path.replace("{id}", &uuid::Uuid::nil().to_string())
    }

    #[tokio::test]
    async fn document_is_openapi_3_and_covers_the_api() {
        let doc = served_document().await;
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{}", doc["openapi"]);
        assert_eq!(doc["info"]["title"], "Linguapool API");
        let operations = operations(&doc);
        assert!(operations.len() >= 14, "{operations:?}");
        let mut ids = std::collections::HashSet::new();
        for (method, path) in &operations {
            assert!(path.starts_with("/api/v1/"), "{method} {path} is outside /api/v1");
            let operation = &doc["paths"][path][method];
            let id = operation["operationId"].as_str().unwrap_or_default();
            assert!(
                ids.insert(id.to_owned()),
                "{method} {path}: operationId `{id}` is not unique"
            );
            assert!(operation["summary"].is_string(), "{method} {path} has no summary");
            assert!(operation["tags"][0].is_string(), "{method} {path} has no tag");
            if let Some(body) = operation.get("requestBody") {
                assert_eq!(body["required"], true, "{method} {path}: the body is required");
            }
        }
        let schemes = &doc["components"]["securitySchemes"];
        assert_eq!(schemes["bearer"]["scheme"], "bearer");
        assert_eq!(schemes["session"]["in"], "cookie");
        assert_eq!(schemes["session"]["name"], SESSION_COOKIE);
    }

    /// A documented operation the router did not serve would answer the fallback's 404 or a
    /// 405; served, it asks for a token first.
    #[tokio::test]
    async fn every_documented_operation_is_served() {
        for (method, path) in operations(&served_document().await) {
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, _, body) = send(method.clone(), &concrete(&path)).await;
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
            let body: Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(body["error"]["code"], "unauthenticated", "{method} {path}");
        }
    }

    /// A handler added to a documented path without being documented would answer something
    /// other than 405 here.
    #[tokio::test]
    async fn documented_paths_serve_no_undocumented_method() {
        let doc = served_document().await;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for method in METHODS.iter().filter(|m| item.get(**m).is_none()) {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let (status, _, _) = send(method.clone(), &concrete(path)).await;
                assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is served");
            }
        }
    }

    /// The router cannot list its routes, so this closes the other door: under `src/api` a
    /// route can only be added with `routes!`, which takes a `#[utoipa::path]` handler and
    /// documents it, and no other module routes anything under `/api/v1`.
    #[test]
    fn api_routes_are_added_only_through_documented_handlers() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut files = Vec::new();
        let mut dirs = vec![src.clone()];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        assert!(files.iter().any(|f| f.ends_with("api/requests.rs")), "{files:?}");
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let in_api = file.starts_with(src.join("api"));
            for (number, line) in text.lines().enumerate() {
                let at = format!("{}:{}", file.display(), number + 1);
                if in_api {
                    for bypass in [".route(", ".route_service(", ".nest_service(", "axum::routing"] {
                        assert!(
                            !line.contains(bypass),
                            "{at}: add API routes with `routes!`, not `{bypass}`"
                        );
                    }
                }
                if file.ends_with("openapi.rs") {
                    continue;
                }
                for prefix in ["\"/api/v1", "\"/api\""] {
                    let routes_it = line.contains(".route(") || line.contains(".nest(");
                    assert!(
                        !(routes_it && line.contains(prefix)),
                        "{at}: /api routes belong to api/ and openapi.rs"
                    );
                }
            }
        }
    }

    #[test]
    fn every_reference_resolves() {
        let doc = serde_json::to_value(api().1).unwrap();
        let schemas = doc["components"]["schemas"].as_object().unwrap();
        fn walk(value: &Value, refs: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    if let Some(Value::String(target)) = map.get("$ref") {
                        refs.push(target.clone());
                    }
                    map.values().for_each(|v| walk(v, refs));
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, refs)),
                _ => {}
            }
        }
        let mut refs = Vec::new();
        walk(&doc, &mut refs);
        assert!(refs.iter().any(|r| r.ends_with("/VolunteerPatch")));
        for target in refs {
            let name = target.strip_prefix("#/components/schemas/").expect(&target);
            assert!(schemas.contains_key(name), "{target} is not in the document");
        }
    }

    /// Every error response points at the error shape, with an example the server would send.
    #[test]
    fn error_responses_show_the_error_shape() {
        let doc = serde_json::to_value(api().1).unwrap();
        for (method, path) in operations(&doc) {
            let responses = doc["paths"][&path][&method]["responses"].as_object().unwrap();
            assert!(responses.contains_key("401"), "{method} {path} documents no 401");
            for (status, response) in responses.iter().filter(|(s, _)| s.starts_with('4')) {
                let content = &response["content"]["application/json"];
                assert_eq!(
                    content["schema"]["$ref"], "#/components/schemas/ErrorBody",
                    "{method} {path} {status}"
                );
                let id = doc["paths"][&path][&method]["operationId"].as_str().unwrap();
                let expected = sample_error(status, id).expect(status).body();
                assert_eq!(content["example"], expected, "{method} {path} {status}");
            }
        }
    }

    /// Every operation counts against the caller's budget and says so: 429 with Retry-After.
    #[test]
    fn every_operation_documents_the_rate_limit() {
        let doc = serde_json::to_value(api().1).unwrap();
        for (method, path) in operations(&doc) {
            let limited = &doc["paths"][&path][&method]["responses"]["429"];
            assert!(
                limited["headers"]["Retry-After"].is_object(),
                "{method} {path}: {limited}"
            );
            assert_eq!(
                limited["content"]["application/json"]["example"]["error"]["code"],
                "rate_limited"
            );
        }
        let patch = &doc["paths"]["/api/v1/volunteers/{id}"]["patch"]["requestBody"]["content"];
        assert!(patch["application/merge-patch+json"].is_object(), "{patch}");
    }

    fn every_api_error() -> Vec<ApiError> {
        let all = vec![
            ApiError::Malformed("x".to_owned()),
            ApiError::Unsupported("x".to_owned()),
            ApiError::Invalid(lp_core::validation::FieldError::new("name", "is empty")),
            ApiError::Unauthenticated,
            ApiError::Forbidden("x"),
            ApiError::NotFound,
            ApiError::Conflict("x".to_owned()),
            ApiError::Gone("x".to_owned()),
            ApiError::LinkRefused(lp_requests::rules::LinkRefusal::Cancelled),
            ApiError::InvitationRefused(lp_trainings::rules::InvitationRefusal::RegistrationClosed),
            ApiError::TooLarge(1),
            ApiError::RateLimited(1),
            ApiError::MethodNotAllowed,
            ApiError::Unavailable("x".to_owned()),
            ApiError::Internal("x".to_owned()),
        ];
        // Fails to compile when a variant is added, so the list above is kept complete.
        for error in &all {
            match error {
                ApiError::Malformed(_)
                | ApiError::Unsupported(_)
                | ApiError::Invalid(_)
                | ApiError::Unauthenticated
                | ApiError::Forbidden(_)
                | ApiError::NotFound
                | ApiError::Conflict(_)
                | ApiError::Gone(_)
                | ApiError::LinkRefused(_)
                | ApiError::InvitationRefused(_)
                | ApiError::TooLarge(_)
                | ApiError::RateLimited(_)
                | ApiError::MethodNotAllowed
                | ApiError::Unavailable(_)
                | ApiError::Internal(_) => {}
            }
        }
        all
    }

    #[test]
    fn error_schema_describes_every_api_error() {
        let doc = serde_json::to_value(api().1).unwrap();
        let schemas = &doc["components"]["schemas"];
        let detail = &schemas["ErrorDetail"];
        let codes = schemas["ErrorCode"]["enum"].as_array().unwrap();
        let fields: Vec<&String> = detail["properties"].as_object().unwrap().keys().collect();
        for error in every_api_error() {
            let body = error.body();
            assert_eq!(body.as_object().unwrap().len(), 1, "{body}");
            let written = body["error"].as_object().unwrap();
            for key in written.keys() {
                assert!(fields.contains(&key), "`{key}` of {body} is not documented");
            }
            for required in detail["required"].as_array().unwrap() {
                assert!(written.contains_key(required.as_str().unwrap()), "{body}");
            }
            assert!(
                codes.contains(&body["error"]["code"]),
                "code of {body} is not documented"
            );
        }
        // A refused link action (offer or invitation) shares its code with conflict or gone.
        assert_eq!(
            codes.len(),
            every_api_error().len() - 2,
            "a documented code is never sent"
        );
    }

    #[tokio::test]
    async fn docs_page_loads_only_from_our_origin() {
        let (status, headers, body) = send(Method::GET, "/api/docs").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"));
        let html = String::from_utf8(body).unwrap();
        let mut references = Vec::new();
        for attribute in ["src=", "href="] {
            for (at, _) in html.match_indices(attribute) {
                let rest = &html[at + attribute.len()..];
                let quote = rest.chars().next().unwrap();
                let value = rest[1..].split(quote).next().unwrap();
                references.push(value.to_owned());
            }
        }
        for script in [SCALAR_JS_PATH, INIT_JS_PATH] {
            let versioned = format!("{script}?v={}", asset_version());
            assert!(references.contains(&versioned), "{versioned} not in {references:?}");
        }
        for reference in &references {
            assert!(
                reference.starts_with('/') && !reference.starts_with("//"),
                "`{reference}` is not on our origin"
            );
        }
        // The page embeds the very document that /api/openapi.json serves.
        let embedded = html
            .split("<script id=\"openapi-document\" type=\"application/json\">")
            .nth(1)
            .and_then(|rest| rest.split("</script>").next())
            .expect("embedded document");
        assert_eq!(
            serde_json::from_str::<Value>(embedded).unwrap(),
            served_document().await
        );
        // Scalar must be told not to fetch its fonts or report telemetry to scalar.com.
        assert!(INIT_JS.contains("withDefaultFonts: false") && INIT_JS.contains("telemetry: false"));
    }

    #[tokio::test]
    async fn docs_scripts_are_served_as_javascript() {
        for (path, length) in [(SCALAR_JS_PATH, SCALAR_JS.len()), (INIT_JS_PATH, INIT_JS.len())] {
            let (status, headers, body) = send(Method::GET, &format!("{path}?v={}", asset_version())).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(headers[CONTENT_TYPE], "text/javascript; charset=utf-8", "{path}");
            assert!(headers[CACHE_CONTROL].to_str().unwrap().contains("immutable"), "{path}");
            assert_eq!(body.len(), length, "{path}");
        }
        let bundle = String::from_utf8_lossy(SCALAR_JS);
        assert!(
            bundle.contains("createApiReference"),
            "not the standalone Scalar bundle"
        );
    }
}
