//! What the audit log records (DSGVO Art. 5(2), accountability): who did what to which
//! object, from where. Changes name the fields changed, never their values, so the log
//! itself holds no personal data beyond ids and the client's address.

use crate::vocab::{UnknownValue, vocabulary};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use uuid::Uuid;

vocabulary!(
    /// What was done.
    AuditAction {
        Create = "create",
        Change = "change",
        Cancel = "cancel",
        Complete = "complete",
        Erase = "erase",
        SignIn = "sign_in",
        SignInFailed = "sign_in_failed",
        View = "view",
        Export = "export",
        Accept = "accept",
        Decline = "decline",
        Withdraw = "withdraw",
        Register = "register",
        Attendance = "attendance",
        Invite = "invite",
        Unfilled = "unfilled",
        Retention = "retention",
    }
);

impl AuditAction {
    pub fn name_de(self) -> &'static str {
        match self {
            AuditAction::Create => "angelegt",
            AuditAction::Change => "geändert",
            AuditAction::Cancel => "abgesagt",
            AuditAction::Complete => "abgeschlossen",
            AuditAction::Erase => "gelöscht",
            AuditAction::SignIn => "angemeldet",
            AuditAction::SignInFailed => "Anmeldung fehlgeschlagen",
            AuditAction::View => "angesehen",
            AuditAction::Export => "exportiert",
            AuditAction::Accept => "angenommen",
            AuditAction::Decline => "abgelehnt",
            AuditAction::Withdraw => "zurückgezogen",
            AuditAction::Register => "angemeldet (Schulung)",
            AuditAction::Attendance => "Anwesenheit erfasst",
            AuditAction::Invite => "eingeladen",
            AuditAction::Unfilled => "unbesetzt",
            AuditAction::Retention => "Aufbewahrungsfrist: Angaben entfernt",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AuditAction::Create => "created",
            AuditAction::Change => "changed",
            AuditAction::Cancel => "cancelled",
            AuditAction::Complete => "completed",
            AuditAction::Erase => "erased",
            AuditAction::SignIn => "signed in",
            AuditAction::SignInFailed => "failed sign-in",
            AuditAction::View => "viewed",
            AuditAction::Export => "exported",
            AuditAction::Accept => "accepted",
            AuditAction::Decline => "declined",
            AuditAction::Withdraw => "withdrew",
            AuditAction::Register => "registered (training)",
            AuditAction::Attendance => "attendance recorded",
            AuditAction::Invite => "invited",
            AuditAction::Unfilled => "unfilled",
            AuditAction::Retention => "retention: details removed",
        }
    }
}

vocabulary!(
    /// What it was done to.
    AuditObject {
        Request = "request",
        Offer = "offer",
        Volunteer = "volunteer",
        Training = "training",
        User = "user",
        Organisation = "organisation",
    }
);

impl AuditObject {
    pub fn name_de(self) -> &'static str {
        match self {
            AuditObject::Request => "Anfrage",
            AuditObject::Offer => "Angebot",
            AuditObject::Volunteer => "Ehrenamtliche:r",
            AuditObject::Training => "Schulung",
            AuditObject::User => "Benutzer:in",
            AuditObject::Organisation => "Organisation",
        }
    }

    pub fn name_en(self) -> &'static str {
        match self {
            AuditObject::Request => "request",
            AuditObject::Offer => "offer",
            AuditObject::Volunteer => "volunteer",
            AuditObject::Training => "training",
            AuditObject::User => "user",
            AuditObject::Organisation => "organisation",
        }
    }
}

vocabulary!(
    /// The kind of actor, as stored.
    ActorKind {
        Staff = "staff",
        Volunteer = "volunteer",
        System = "system",
        Operator = "operator",
        Anonymous = "anonymous",
    }
);

/// Who acted: a staff user, a volunteer through one of their links, the service's own
/// workers (waves, deadlines, retention), the operator at the command line, or someone not
/// (yet) known, such as a failed sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Staff(Uuid),
    Volunteer(Uuid),
    System,
    Operator,
    Anonymous,
}

impl Who {
    pub fn kind(self) -> ActorKind {
        match self {
            Who::Staff(_) => ActorKind::Staff,
            Who::Volunteer(_) => ActorKind::Volunteer,
            Who::System => ActorKind::System,
            Who::Operator => ActorKind::Operator,
            Who::Anonymous => ActorKind::Anonymous,
        }
    }

    pub fn id(self) -> Option<Uuid> {
        match self {
            Who::Staff(id) | Who::Volunteer(id) => Some(id),
            Who::System | Who::Operator | Who::Anonymous => None,
        }
    }

    pub fn from_parts(kind: ActorKind, id: Option<Uuid>) -> Option<Self> {
        match (kind, id) {
            (ActorKind::Staff, Some(id)) => Some(Who::Staff(id)),
            (ActorKind::Volunteer, Some(id)) => Some(Who::Volunteer(id)),
            (ActorKind::System, _) => Some(Who::System),
            (ActorKind::Operator, _) => Some(Who::Operator),
            (ActorKind::Anonymous, _) => Some(Who::Anonymous),
            _ => None,
        }
    }
}

/// One thing to record. Built by the use case that does the thing, stored in its transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub who: Who,
    pub action: AuditAction,
    pub object: AuditObject,
    pub object_id: Option<Uuid>,
    /// For a change: the names of the fields that changed (their values are not kept).
    pub fields: Vec<String>,
    pub addr: Option<IpAddr>,
}

impl AuditEntry {
    pub fn new(who: Who, action: AuditAction, object: AuditObject, object_id: Uuid) -> Self {
        Self {
            who,
            action,
            object,
            object_id: Some(object_id),
            fields: Vec::new(),
            addr: None,
        }
    }

    pub fn fields<I, S>(mut self, fields: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.fields = fields.into_iter().map(Into::into).collect();
        self
    }

    pub fn from(mut self, addr: Option<IpAddr>) -> Self {
        self.addr = addr;
        self
    }
}

/// The top-level fields whose values differ between two states of a record, by the names
/// they serialise with, leaving out bookkeeping such as `updated_at`. Only the names go into
/// the log, never the values.
pub fn changed_fields(before: &impl Serialize, after: &impl Serialize, bookkeeping: &[&str]) -> Vec<String> {
    let (Ok(serde_json::Value::Object(before)), Ok(serde_json::Value::Object(after))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|name| !bookkeeping.contains(&name.as_str()))
        .filter(|name| before.get(*name) != after.get(*name))
        .cloned()
        .collect()
}

/// What a field an entry names is called on staff pages, German and English: the fields of
/// a volunteer and a training (as [`changed_fields`] names them), a request's details that
/// retention removes, and the parts a read or an answer concerns. A name written as
/// `training:{id}` is its first part's. `None` for a name not in this table.
pub fn field_names(field: &str) -> Option<(&'static str, &'static str)> {
    let name = field.split_once(':').map_or(field, |(name, _)| name);
    Some(match name {
        "name" => ("Name", "name"),
        "email" => ("E-Mail", "email"),
        "phone" => ("Telefon", "phone"),
        "languages" => ("Sprachen", "languages"),
        "german_level" => ("Deutschniveau", "German level"),
        "modes" => ("Einsatzarten", "modes"),
        "service_area" => ("Einsatzorte", "service area"),
        "excluded_settings" => ("ausgeschlossene Bereiche", "excluded settings"),
        "gender" => ("Geschlecht", "gender"),
        "availability" => ("Verfügbarkeit", "availability"),
        "absences" => ("Abwesenheiten", "absences"),
        "max_assignments_per_month" => ("Einsätze pro Monat", "assignments per month"),
        "confidentiality_signed_on" => ("Verschwiegenheitserklärung", "confidentiality pledge"),
        "training_completed_on" => ("Schulung anderswo", "training elsewhere"),
        "training_attended_on" => ("Schulung besucht", "training attended"),
        "status" => ("Status", "status"),
        "notes" => ("Notizen", "notes"),
        "title" => ("Titel", "title"),
        "kind" => ("Art", "kind"),
        "starts_at" => ("Beginn", "start"),
        "duration_minutes" => ("Dauer", "duration"),
        "location" => ("Ort", "location"),
        "capacity" => ("Plätze", "capacity"),
        "registration_deadline" => ("Anmeldeschluss", "registration deadline"),
        "description" => ("Beschreibung", "description"),
        "trainer" => ("Leitung", "trainer"),
        "client_ref" => ("Aktenzeichen", "client reference"),
        "address" => ("Adresse", "address"),
        "feedback" => ("Rückmeldung", "feedback"),
        "candidates" => ("Kandidatenliste", "candidates"),
        "offer" => ("Angebot", "offer"),
        "training" => ("Schulung", "training"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_have_names_and_a_training_reference_keeps_its_id() {
        assert_eq!(field_names("german_level"), Some(("Deutschniveau", "German level")));
        assert_eq!(field_names("training:0b6f"), Some(("Schulung", "training")));
        assert_eq!(field_names("picnic"), None);
    }

    #[test]
    fn a_change_names_the_fields_that_differ_and_not_the_bookkeeping() {
        let before = serde_json::json!({"name": "A", "phone": "1", "status": "active", "updated_at": 1});
        let after = serde_json::json!({"name": "A", "phone": "2", "status": "paused", "updated_at": 2, "notes": "x"});
        assert_eq!(
            changed_fields(&before, &after, &["updated_at"]),
            ["notes", "phone", "status"]
        );
    }

    #[test]
    fn who_survives_the_round_trip_through_its_stored_parts() {
        let id = Uuid::from_u128(9);
        for who in [
            Who::Staff(id),
            Who::Volunteer(id),
            Who::System,
            Who::Operator,
            Who::Anonymous,
        ] {
            assert_eq!(Who::from_parts(who.kind(), who.id()), Some(who));
        }
        assert_eq!(Who::from_parts(ActorKind::Staff, None), None);
    }
}
