//! Input at the edge, for the API and the pages alike: a JSON body extractor whose errors name
//! the offending field (400 for malformed JSON, 422 with the field's path such as
//! `languages[0].code`, 413 for too much), path ids and query parameters.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::request::Parts;
use http_body_util::BodyExt;
use lp_core::validation::FieldError;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::str::FromStr;
use uuid::Uuid;

pub struct ApiJson<T>(pub T);

/// One path parameter. A segment that cannot be decoded names nothing, so it is a 404 in the
/// JSON error shape rather than axum's plain-text 400.
pub struct PathParam(pub String);

impl<S: Send + Sync> FromRequestParts<S> for PathParam {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<String>::from_request_parts(parts, state)
            .await
            .map(|Path(p)| PathParam(p))
            .map_err(|_| ApiError::NotFound)
    }
}

/// The API's query string as a map; each handler parses the parameters it knows and names any
/// that are wrong. A parameter given empty (`limit=`) or twice is a 422 naming it: the OpenAPI
/// document allows neither, and a filter silently ignored would answer more than was asked.
pub struct QueryParams(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|rejection| ApiError::Malformed(rejection.body_text()))?;
        let mut params = HashMap::with_capacity(pairs.len());
        for (name, value) in pairs {
            if value.is_empty() {
                return Err(FieldError::new(name, "must not be empty; leave the parameter out instead").into());
            }
            if params.contains_key(&name) {
                return Err(FieldError::new(name, "is given more than once").into());
            }
            params.insert(name, value);
        }
        Ok(QueryParams(params))
    }
}

/// A page's query string as a map, as an HTML form sends it: an empty field means "any".
pub struct PageQuery(pub HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map(|Query(q)| PageQuery(q))
            .map_err(|rejection| ApiError::Malformed(rejection.body_text()))
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        // A PATCH is a JSON merge patch (RFC 7396), which has its own media type too.
        let patch = req.method() == axum::http::Method::PATCH;
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.trim_start().to_ascii_lowercase())
            .is_some_and(|v| {
                v.starts_with("application/json") || (patch && v.starts_with("application/merge-patch+json"))
            });
        if !is_json {
            let wanted = if patch {
                "send the body as application/merge-patch+json or application/json"
            } else {
                "send the body as application/json"
            };
            return Err(ApiError::Unsupported(wanted.to_owned()));
        }
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|length| length > crate::MAX_BODY_BYTES) {
            drain(req.into_body()).await;
            return Err(ApiError::TooLarge(crate::MAX_BODY_BYTES));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|rejection| match rejection {
                BytesRejection::FailedToBufferBody(_)
                    if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE =>
                {
                    ApiError::TooLarge(crate::MAX_BODY_BYTES)
                }
                other => ApiError::Malformed(other.body_text()),
            })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads and drops a refused body (up to a bound), so the client, still sending, receives the
/// 413 instead of a reset connection.
async fn drain(mut body: axum::body::Body) {
    const DRAIN_LIMIT: usize = 4 * 1024 * 1024;
    let mut seen = 0;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, |data| data.len());
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}

/// A JSON body as `T`, or a 400 for broken JSON and a 422 naming the field. A number with a
/// zero fraction (`60.0`) is an integer, as JSON Schema (and so the OpenAPI document) counts it.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|err| ApiError::Malformed(format!("the body is not valid JSON: {err}")))?;
    integral_numbers_as_integers(&mut value);
    let value = serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let message = strip_position(&inner.to_string());
                let field = match missing_field(&message) {
                    Some(name) if path == "." => name.to_owned(),
                    Some(name) => format!("{path}.{name}"),
                    None if path == "." => "body".to_owned(),
                    None => path,
                };
                ApiError::Invalid(FieldError::new(field, message))
            }
            _ => ApiError::Malformed(format!("the body is not valid JSON: {inner}")),
        }
    })?;
    Ok(value)
}

/// Turns every float without a fraction that fits an `i64` (`60.0`, `-3.0`) into that integer.
fn integral_numbers_as_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(number) if !number.is_i64() && !number.is_u64() => {
            if let Some(float) = number.as_f64()
                && float.fract() == 0.0
                && float >= i64::MIN as f64
                && float < i64::MAX as f64
            {
                *value = Value::from(float as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(integral_numbers_as_integers),
        _ => {}
    }
}

/// serde reports a missing field at its parent's path; the field itself is in the message.
/// (An unknown field's path already ends in its name.)
fn missing_field(message: &str) -> Option<&str> {
    message.strip_prefix("missing field `")?.split('`').next()
}

/// serde_json appends " at line 1 column 42"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message.to_owned(),
    }
}

/// An id in a path. One that is not a UUID names nothing, so it is a 404 like an unknown one.
pub(crate) fn parse_id(text: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(text).map_err(|_| ApiError::NotFound)
}

/// A query parameter parsed into its type, or a 422 naming it.
pub(crate) fn query_param<T: FromStr>(params: &HashMap<String, String>, name: &str) -> Result<Option<T>, ApiError>
where
    T::Err: std::fmt::Display,
{
    params
        .get(name)
        .filter(|v| !v.is_empty())
        .map(|v| {
            v.parse::<T>()
                .map_err(|e| lp_core::validation::FieldError::new(name, e.to_string()).into())
        })
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        languages: Vec<lp_registry::volunteers::VolunteerLanguage>,
        count: u32,
    }

    #[test]
    fn unknown_language_names_its_path() {
        let err =
            parse_json::<Body>(br#"{"languages":[{"code":"xyz","proficiency":"native"}],"count":1}"#).unwrap_err();
        match err {
            ApiError::Invalid(field) => {
                assert_eq!(field.field, "languages[0].code");
                assert!(field.message.contains("xyz"), "{}", field.message);
            }
            other => panic!("expected invalid field, got {other:?}"),
        }
    }

    #[test]
    fn negative_number_for_unsigned_names_the_field() {
        let err = parse_json::<Body>(br#"{"languages":[],"count":-1}"#).unwrap_err();
        assert!(matches!(err, ApiError::Invalid(ref f) if f.field == "count"), "{err:?}");
    }

    #[test]
    fn unknown_field_is_named() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Strict {
            status: String,
        }
        let err = parse_json::<Strict>(br#"{"staus": "active"}"#).unwrap_err();
        assert!(matches!(err, ApiError::Invalid(ref f) if f.field == "staus"), "{err:?}");
    }

    #[test]
    fn broken_json_is_malformed() {
        assert!(matches!(
            parse_json::<Body>(br#"{"languages": ["#),
            Err(ApiError::Malformed(_))
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"languages":[],"count":1} x"#),
            Err(ApiError::Malformed(_))
        ));
    }

    #[test]
    fn an_integral_float_is_an_integer_and_a_fraction_is_refused() {
        let body = parse_json::<Body>(br#"{"languages":[],"count":380.0}"#).unwrap();
        assert_eq!(body.count, 380);
        let err = parse_json::<Body>(br#"{"languages":[],"count":60.5}"#).unwrap_err();
        assert!(matches!(err, ApiError::Invalid(ref f) if f.field == "count"), "{err:?}");
    }

    #[test]
    fn missing_field_is_named() {
        let err = parse_json::<Body>(br#"{"languages":[]}"#).unwrap_err();
        assert!(matches!(err, ApiError::Invalid(ref f) if f.field == "count"), "{err:?}");
    }
}
