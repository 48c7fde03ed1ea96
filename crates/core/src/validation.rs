//! A rule broken by one field of the input. Every crate reports bad input this way, so the
//! HTTP edge can answer 422 naming the field.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FieldError {
    /// The field's path in the input, e.g. `languages[1].code`.
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// Every rule an input breaks, in the order they were checked: a form shows them all at once,
/// while the API answers with the first (its `{"error": {...}}` names one field).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(Vec<FieldError>);

impl FieldErrors {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: FieldError) {
        self.0.push(error);
    }

    /// The checked value, or `None` with its error recorded.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(error) => {
                self.0.push(error);
                None
            }
        }
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn into_vec(self) -> Vec<FieldError> {
        self.0
    }
}

/// A plausible email address in the common form `local@host.domain`: a dot-atom local part
/// (letters, digits and ``!#$%&'*+-/=?^_`{|}~``, dots between) and a host name of letters,
/// digits and hyphens. Stricter than RFC 5321 allows (no quoted local parts, no IP
/// literals) so that every address accepted here is one the mailer can send to.
/// Deliverability is the mail server's to judge.
pub fn check_email(field: &str, text: &str) -> Result<String, FieldError> {
    let trimmed = text.trim();
    let valid = trimmed.len() <= 254
        && match trimmed.split_once('@') {
            Some((local, domain)) => is_dot_atom(local) && local.len() <= 64 && is_host_name(domain),
            None => false,
        };
    if valid {
        Ok(trimmed.to_ascii_lowercase())
    } else {
        Err(FieldError::new(field, format!("`{trimmed}` is not an email address")))
    }
}

fn is_dot_atom(text: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+-/=?^_`{|}~";
    !text.is_empty()
        && text
            .split('.')
            .all(|atom| !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)))
}

fn is_host_name(text: &str) -> bool {
    let labels: Vec<&str> = text.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

/// A required single-line text of bounded length, trimmed.
pub fn check_text(field: &str, text: &str, max_chars: usize) -> Result<String, FieldError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    check_optional_text(field, Some(trimmed), max_chars).map(|t| t.unwrap_or_default())
}

/// An optional text of bounded length; blank counts as absent.
pub fn check_optional_text(field: &str, text: Option<&str>, max_chars: usize) -> Result<Option<String>, FieldError> {
    let Some(trimmed) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if trimmed.chars().count() > max_chars {
        return Err(FieldError::new(
            field,
            format!("must be at most {max_chars} characters"),
        ));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t' && c != '\r')
    {
        return Err(FieldError::new(field, "must not contain control characters"));
    }
    Ok(Some(trimmed.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_is_trimmed_and_lowercased() {
        assert_eq!(
            check_email("email", " Selam@Example.org ").unwrap(),
            "selam@example.org"
        );
    }

    #[test]
    fn malformed_email_names_the_field() {
        for bad in [
            "",
            "selam",
            "selam@",
            "@example.org",
            "a b@example.org",
            "a@b@c.org",
            "a@localhost",
        ] {
            let err = check_email("email", bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }

    #[test]
    fn field_errors_keep_every_error_in_order() {
        let mut errors = FieldErrors::new();
        assert_eq!(errors.check(check_text("name", "Selam", 10)), Some("Selam".to_owned()));
        assert!(errors.is_empty());
        assert_eq!(errors.check(check_text("name", " ", 10)), None);
        errors.push(FieldError::new("email", "is taken"));
        let fields: Vec<String> = errors.into_vec().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "email"]);
    }

    #[test]
    fn blank_required_text_is_refused() {
        assert_eq!(check_text("name", "   ", 10).unwrap_err().field, "name");
        assert_eq!(
            check_text("name", "Selam", 3).unwrap_err().message,
            "must be at most 3 characters"
        );
        assert_eq!(check_optional_text("notes", Some("  "), 10).unwrap(), None);
    }
}
