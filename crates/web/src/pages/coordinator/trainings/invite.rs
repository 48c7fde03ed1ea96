//! The invitation forms of a training's page: by filter (training need, language, status), with
//! a preview that counts and names whom it reaches and sends nothing, or chosen volunteers.
//! Sending mails each new invitee once and answers with a redirect that says how many.

use super::detail::{Extras, page, refused};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::extract::{PathParam, parse_id};
use crate::i18n::Lang;
use crate::pages::{OrPage, PageError};
use axum::extract::{Form, State};
use axum::response::{IntoResponse, Redirect, Response};
use lp_core::access::Coordinator;
use lp_core::validation::FieldError;
use lp_registry::volunteers;
use lp_trainings::TrainingError;
use lp_trainings::input::{InvitationFilter, InvitationInput, Invitees, TrainingNeed};
use lp_trainings::invitations;
use uuid::Uuid;

/// The invitation forms as posted: `by=filter` with the filter's fields (and `preview=1` from
/// the preview button), or `by=chosen` with the ticked `volunteer_ids`. The two are told apart
/// by `by`, so an empty choice is never read as a filter that reaches everyone.
#[derive(Debug, Default, Clone)]
pub(super) struct InviteForm {
    pub(super) by: String,
    pub(super) training: String,
    pub(super) within_days: String,
    pub(super) language: String,
    pub(super) status: String,
    pub(super) preview: bool,
    pub(super) volunteer_ids: Vec<String>,
}

impl InviteForm {
    pub(super) fn blank() -> Self {
        InviteForm {
            by: "filter".to_owned(),
            within_days: lp_trainings::input::DEFAULT_EXPIRING_WITHIN_DAYS.to_string(),
            ..InviteForm::default()
        }
    }

    fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut form = InviteForm::default();
        for (key, value) in pairs {
            let value = value.trim().to_owned();
            match key.as_str() {
                "by" => form.by = value,
                "training" => form.training = value,
                "within_days" => form.within_days = value,
                "language" => form.language = value,
                "status" => form.status = value,
                "preview" => form.preview = !value.is_empty(),
                "volunteer_ids" => form.volunteer_ids.push(value),
                _ => {}
            }
        }
        form
    }

    /// The domain's input, with the fields named as the API names them (`filter.status`).
    fn to_input(&self) -> Result<InvitationInput, FieldError> {
        if self.by == "chosen" {
            let volunteer_ids = self
                .volunteer_ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    id.parse()
                        .map_err(|_| FieldError::new(format!("volunteer_ids[{i}]"), "pick volunteers from the list"))
                })
                .collect::<Result<_, _>>()?;
            return Ok(InvitationInput {
                volunteer_ids,
                filter: None,
                dry_run: self.preview,
            });
        }
        let training = match self.training.as_str() {
            "" => None,
            "untrained" => Some(TrainingNeed::Untrained),
            "expiring" => Some(TrainingNeed::Expiring),
            other => {
                return Err(FieldError::new(
                    "filter.training",
                    format!("`{other}` is not one of: untrained expiring"),
                ));
            }
        };
        // The days belong to "expiring"; with another choice the field is left as it stood.
        let within_days = match (training, self.within_days.as_str()) {
            (Some(TrainingNeed::Expiring), "") | (Some(TrainingNeed::Untrained) | None, _) => None,
            (Some(TrainingNeed::Expiring), days) => Some(
                days.parse()
                    .map_err(|_| FieldError::new("filter.within_days", "a whole number of days"))?,
            ),
        };
        let language = match self.language.as_str() {
            "" => None,
            text => Some(lp_core::languages::find(text).ok_or_else(|| {
                FieldError::new(
                    "filter.language",
                    format!("`{text}` is not a known language name or ISO 639-3 code"),
                )
            })?),
        };
        let status = match self.status.as_str() {
            "" => None,
            text => Some(
                text.parse()
                    .map_err(|e: lp_core::vocab::UnknownValue| FieldError::new("filter.status", e.to_string()))?,
            ),
        };
        Ok(InvitationInput {
            volunteer_ids: Vec::new(),
            filter: Some(InvitationFilter {
                training,
                within_days,
                language,
                status,
            }),
            dry_run: self.preview,
        })
    }
}

/// Whether an error of the invitation forms concerns the input named `input`.
pub(super) fn concerns(error: Option<&FieldError>, input: &str) -> bool {
    error.is_some_and(|e| e.field.strip_prefix("filter.").unwrap_or(&e.field) == input)
}

/// Whom a preview reaches, and how many of them were invited before.
pub(super) struct Reach {
    pub(super) chosen: bool,
    pub(super) reached: u32,
    pub(super) already: u32,
    pub(super) people: Vec<(Uuid, String)>,
}

/// Who a preview reaches, by name.
async fn reach(state: &AppState, by: &Coordinator, id: Uuid, invitees: Invitees) -> Result<Reach, TrainingError> {
    let now = state.clock.now();
    let settings = &state.trainings;
    let report = invitations::preview(&state.db, by, id, invitees.clone(), settings, now).await?;
    let (chosen, people) = match &invitees {
        Invitees::Filter(filter) => (false, invitations::reach(&state.db, by, filter, settings, now).await?),
        Invitees::Chosen(ids) => (true, volunteers::get_many(&state.db, ids).await?),
    };
    Ok(Reach {
        chosen,
        reached: report.invited + report.already_invited,
        already: report.already_invited,
        people: people.into_iter().map(|v| (v.id, v.name)).collect(),
    })
}

pub(super) async fn invite(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    PathParam(id): PathParam,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = parse_id(&id).or_page(lang)?;
    let form = InviteForm::from_pairs(pairs);
    let with_error = |form: InviteForm| {
        move |error: FieldError| Extras {
            invite: Some(form),
            invite_error: Some(error),
            ..Extras::default()
        }
    };
    let checked = form.to_input().and_then(|input| {
        let dry_run = input.dry_run;
        input.validate().map(|invitees| (invitees, dry_run))
    });
    let (invitees, dry_run) = match checked {
        Ok(checked) => checked,
        Err(error) => return page(&state, lang, &staff, &by, id, with_error(form)(error)).await,
    };
    if dry_run {
        // Counts and names only: nothing is sent or saved.
        let extras = match reach(&state, &by, id, invitees).await {
            Ok(reach) => Extras {
                invite: Some(form),
                reach: Some(reach),
                ..Extras::default()
            },
            Err(err) => refused(lang, err, with_error(form))?,
        };
        return page(&state, lang, &staff, &by, id, extras).await;
    }
    let now = state.clock.now();
    match invitations::invite(&state.db, &by, id, invitees, &state.trainings, now).await {
        Ok(report) => {
            state.mail_wake.notify_one();
            let target = format!(
                "/trainings/{id}?invited={}&already={}#invite",
                report.invited, report.already_invited
            );
            Ok(Redirect::to(&target).into_response())
        }
        Err(err) => {
            let extras = refused(lang, err, with_error(form))?;
            page(&state, lang, &staff, &by, id, extras).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lp_core::LanguageCode;
    use lp_core::vocab::VolunteerStatus;

    fn form(pairs: &[(&str, &str)]) -> InviteForm {
        InviteForm::from_pairs(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    #[test]
    fn the_filter_form_becomes_the_domains_filter() {
        let input = form(&[
            ("by", "filter"),
            ("training", "expiring"),
            ("within_days", "30"),
            ("language", "tir"),
            ("status", "active"),
            ("preview", "1"),
        ])
        .to_input()
        .unwrap();
        assert!(input.dry_run);
        let filter = input.filter.unwrap();
        assert_eq!(filter.training, Some(TrainingNeed::Expiring));
        assert_eq!(filter.within_days, Some(30));
        assert_eq!(filter.language, Some(LanguageCode::parse("tir").unwrap()));
        assert_eq!(filter.status, Some(VolunteerStatus::Active));
    }

    #[test]
    fn days_count_only_for_expiring_and_bad_values_name_their_field() {
        let untrained = form(&[("by", "filter"), ("training", "untrained"), ("within_days", "90")]);
        assert_eq!(untrained.to_input().unwrap().filter.unwrap().within_days, None);
        let bad_days = form(&[("by", "filter"), ("training", "expiring"), ("within_days", "bald")]);
        assert_eq!(bad_days.to_input().unwrap_err().field, "filter.within_days");
        let bad_language = form(&[("by", "filter"), ("language", "Quatschisch")]);
        assert_eq!(bad_language.to_input().unwrap_err().field, "filter.language");
    }

    #[test]
    fn an_empty_choice_is_refused_and_never_read_as_a_filter() {
        let input = form(&[("by", "chosen")]).to_input().unwrap();
        assert!(input.filter.is_none());
        assert_eq!(input.validate().unwrap_err().field, "volunteer_ids");
    }
}
