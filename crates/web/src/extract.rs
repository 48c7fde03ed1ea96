//! A JSON body extractor whose errors name the offending field: 400 for malformed JSON, 422
//! with the field's path (`languages[0].code`) for a value of the wrong kind, 413 for too much.

use crate::error::ApiError;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use lp_core::validation::FieldError;
use serde::de::DeserializeOwned;

pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("application/json"));
        if !is_json {
            return Err(ApiError::Unsupported("send the body as application/json".to_owned()));
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

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut deserializer).map_err(|err| {
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
    deserializer
        .end()
        .map_err(|err| ApiError::Malformed(format!("the body is not valid JSON: {err}")))?;
    Ok(value)
}

/// serde reports a missing field at its parent's path; the field itself is in the message.
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
    fn missing_field_is_named() {
        let err = parse_json::<Body>(br#"{"languages":[]}"#).unwrap_err();
        assert!(matches!(err, ApiError::Invalid(ref f) if f.field == "count"), "{err:?}");
    }
}
