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

/// A plausible email address: one `@`, something before it, a dotted domain after it, no
/// white space. Deliverability is the mail server's to judge.
pub fn check_email(field: &str, text: &str) -> Result<String, FieldError> {
    let trimmed = text.trim();
    let valid = match trimmed.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !trimmed
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
        }
        None => false,
    };
    if valid && trimmed.len() <= 254 {
        Ok(trimmed.to_ascii_lowercase())
    } else {
        Err(FieldError::new(field, format!("`{trimmed}` is not an email address")))
    }
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
    fn blank_required_text_is_refused() {
        assert_eq!(check_text("name", "   ", 10).unwrap_err().field, "name");
        assert_eq!(
            check_text("name", "Selam", 3).unwrap_err().message,
            "must be at most 3 characters"
        );
        assert_eq!(check_optional_text("notes", Some("  "), 10).unwrap(), None);
    }
}
