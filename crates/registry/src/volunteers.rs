//! Volunteers: who they are, what they speak, when and where they can interpret.

use crate::RegistryError;
use crate::entities::{volunteer, volunteer_language};
use crate::training::{TrainingInfo, training_info};
use chrono::{DateTime, NaiveDate, Utc};
use lp_core::LanguageCode;
use lp_core::access::Coordinator;
use lp_core::audit::{AuditAction, AuditEntry, AuditObject, changed_fields};
use lp_core::time::{DateRange, WeeklySlot};
use lp_core::validation::{FieldError, FieldErrors, check_email, check_optional_text, check_text};
use lp_core::vocab::{Gender, GermanLevel, Mode, Proficiency, Setting, TrainingStatus, VolunteerStatus};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerLanguage {
    pub code: LanguageCode,
    pub proficiency: Proficiency,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dialect: Option<String>,
}

/// A volunteer as stored. Serialises to the SPEC's shape (the API adds `training`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Volunteer {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
    pub languages: Vec<VolunteerLanguage>,
    pub german_level: GermanLevel,
    pub modes: Vec<Mode>,
    pub service_area: Vec<String>,
    pub excluded_settings: Vec<Setting>,
    pub gender: Option<Gender>,
    pub availability: Vec<WeeklySlot>,
    pub absences: Vec<DateRange>,
    pub max_assignments_per_month: Option<u32>,
    pub confidentiality_signed_on: Option<NaiveDate>,
    /// A basic training taken elsewhere, recorded by the coordinator.
    pub training_completed_on: Option<NaiveDate>,
    /// The day of the last basic or refresher training this volunteer attended here
    /// (`lp_trainings` keeps it, from the attendance it records).
    pub training_attended_on: Option<NaiveDate>,
    pub status: VolunteerStatus,
    pub notes: Option<String>,
    /// When a mail server last refused the address for good: offers would not reach them, so
    /// the cascade skips them until the address is changed or the flag cleared.
    pub email_bounced_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Volunteer {
    /// Speaks `language` or a member of the same macrolanguage, at any level: who a language
    /// filter (the registry's list, a training invitation) means.
    pub fn speaks(&self, language: LanguageCode) -> bool {
        self.languages.iter().any(|l| l.code.fit_for(language).is_some())
    }

    pub fn training(&self, today: NaiveDate, validity_months: u32) -> TrainingInfo {
        // The later of the two counts: a refresher here renews a course taken elsewhere.
        let last = self.training_completed_on.max(self.training_attended_on);
        training_info(last, today, validity_months)
    }
}

/// The body of `POST /volunteers`, and what a `PATCH` is merged into. Typed fields reject
/// unknown languages and values while parsing; [`VolunteerInput::validate`] does the rest.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VolunteerInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Unique among volunteers.
    #[schema(format = Email, example = "selam@example.org")]
    pub email: String,
    #[serde(default)]
    pub phone: Option<String>,
    pub languages: Vec<VolunteerLanguage>,
    pub german_level: GermanLevel,
    pub modes: Vec<Mode>,
    #[serde(default)]
    pub service_area: Vec<String>,
    #[serde(default)]
    pub excluded_settings: Vec<Setting>,
    #[serde(default)]
    pub gender: Option<Gender>,
    #[serde(default)]
    pub availability: Vec<WeeklySlot>,
    #[serde(default)]
    pub absences: Vec<DateRange>,
    #[serde(default)]
    pub max_assignments_per_month: Option<i64>,
    #[serde(default)]
    pub confidentiality_signed_on: Option<NaiveDate>,
    #[serde(default)]
    pub training_completed_on: Option<NaiveDate>,
    /// `applicant` when left out.
    #[serde(default = "new_volunteer_status")]
    pub status: VolunteerStatus,
    #[serde(default)]
    pub notes: Option<String>,
}

fn new_volunteer_status() -> VolunteerStatus {
    VolunteerStatus::Applicant
}

/// Checked input, ready to store.
#[derive(Debug, Clone)]
pub struct ValidVolunteer(VolunteerInput);

impl VolunteerInput {
    /// The first broken rule, as the API reports it.
    pub fn validate(self) -> Result<ValidVolunteer, FieldError> {
        self.validate_all()
            .map_err(|errors| errors.into_iter().next().expect("a refusal names at least one field"))
    }

    /// Every broken rule, in the order [`validate`](Self::validate) checks them (so its error is
    /// the first of these): the coordinator's form shows them all at once.
    pub fn validate_all(mut self) -> Result<ValidVolunteer, Vec<FieldError>> {
        let mut errors = FieldErrors::new();
        if let Some(name) = errors.check(check_text("name", &self.name, 200)) {
            self.name = name;
        }
        if let Some(email) = errors.check(check_email("email", &self.email)) {
            self.email = email;
        }
        if let Some(phone) = errors.check(check_optional_text("phone", self.phone.as_deref(), 40)) {
            if let Some(phone) = &phone
                && !phone.chars().all(|c| c.is_ascii_digit() || " +-/()".contains(c))
            {
                errors.push(FieldError::new(
                    "phone",
                    "may contain only digits, spaces and + - / ( )",
                ));
            }
            self.phone = phone;
        }
        if self.languages.is_empty() {
            errors.push(FieldError::new("languages", "must name at least one language"));
        }
        let mut seen = HashSet::new();
        for (i, language) in self.languages.iter_mut().enumerate() {
            if !seen.insert(language.code) {
                errors.push(FieldError::new(format!("languages[{i}].code"), "is listed twice"));
            }
            let field = format!("languages[{i}].dialect");
            if let Some(dialect) = errors.check(check_optional_text(&field, language.dialect.as_deref(), 100)) {
                language.dialect = dialect;
            }
        }
        if self.modes.is_empty() {
            errors.push(FieldError::new(
                "modes",
                "must name at least one of on_site, phone, video",
            ));
        }
        dedup(&mut self.modes);
        dedup(&mut self.excluded_settings);
        let mut towns = Vec::with_capacity(self.service_area.len());
        for (i, town) in self.service_area.iter().enumerate() {
            let Some(town) = errors.check(check_text(&format!("service_area[{i}]"), town, 100)) else {
                continue;
            };
            if !towns.iter().any(|t: &String| t.eq_ignore_ascii_case(&town)) {
                towns.push(town);
            }
        }
        // Asked of the towns as given: a wrong one is its own error, not a missing town.
        if self.modes.contains(&Mode::OnSite) && self.service_area.is_empty() {
            errors.push(FieldError::new(
                "service_area",
                "must name at least one town for on-site work",
            ));
        }
        self.service_area = towns;
        if let Some(max) = self.max_assignments_per_month
            && !(1..=100).contains(&max)
        {
            errors.push(FieldError::new(
                "max_assignments_per_month",
                "must be between 1 and 100",
            ));
        }
        // The slots and the absences each on their own, so that both may be named.
        errors.check(check_schedule(&self.availability, &[]));
        errors.check(check_schedule(&[], &self.absences));
        if let Some(notes) = errors.check(check_optional_text("notes", self.notes.as_deref(), 4000)) {
            self.notes = notes;
        }
        if errors.is_empty() {
            Ok(ValidVolunteer(self))
        } else {
            Err(errors.into_vec())
        }
    }
}

/// Most weekly windows a volunteer keeps: far more than anyone needs, few enough that the
/// volunteer's own page stays short.
pub const MAX_SLOTS: usize = 50;
/// Most absences a volunteer keeps.
pub const MAX_ABSENCES: usize = 100;

/// The rules on availability and absences beyond those their parsing enforces (a slot ends
/// after it starts, an absence does not end before it begins: `WeeklySlot::parse`,
/// `DateRange::new`). Shared by the coordinator's API and the volunteer's own page.
pub fn check_schedule(availability: &[WeeklySlot], absences: &[DateRange]) -> Result<(), FieldError> {
    if availability.len() > MAX_SLOTS {
        return Err(FieldError::new(
            "availability",
            format!("may hold at most {MAX_SLOTS} time ranges"),
        ));
    }
    if absences.len() > MAX_ABSENCES {
        return Err(FieldError::new(
            "absences",
            format!("may hold at most {MAX_ABSENCES} date ranges"),
        ));
    }
    Ok(())
}

fn dedup<T: Ord>(items: &mut Vec<T>) {
    items.sort();
    items.dedup();
}

impl From<&Volunteer> for VolunteerInput {
    fn from(v: &Volunteer) -> Self {
        Self {
            name: v.name.clone(),
            email: v.email.clone(),
            phone: v.phone.clone(),
            languages: v.languages.clone(),
            german_level: v.german_level,
            modes: v.modes.clone(),
            service_area: v.service_area.clone(),
            excluded_settings: v.excluded_settings.clone(),
            gender: v.gender,
            availability: v.availability.clone(),
            absences: v.absences.clone(),
            max_assignments_per_month: v.max_assignments_per_month.map(i64::from),
            confidentiality_signed_on: v.confidentiality_signed_on,
            training_completed_on: v.training_completed_on,
            status: v.status,
            notes: v.notes.clone(),
        }
    }
}

/// Filters of `GET /volunteers`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VolunteerFilter {
    /// Speaks this language, or a member of the same macrolanguage.
    #[param(inline)]
    pub language: Option<LanguageCode>,
    #[param(inline)]
    pub status: Option<VolunteerStatus>,
    /// Training status as of today.
    #[param(inline)]
    pub training: Option<TrainingStatus>,
}

fn email_taken(email: &str) -> RegistryError {
    RegistryError::Conflict(format!("a volunteer with email `{email}` exists already"))
}

/// Stores a new volunteer with its languages, in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    by: &Coordinator,
    input: ValidVolunteer,
    now: DateTime<Utc>,
) -> Result<Volunteer, RegistryError> {
    let input = input.0;
    let id = Uuid::new_v4();
    let txn = lp_db::begin_write(db).await?;
    let row = volunteer::ActiveModel {
        id: Set(id),
        created_at: Set(now),
        ..row_values(&input, now)
    };
    match volunteer::Entity::insert(row).exec_without_returning(&*txn).await {
        Ok(_) => {}
        Err(err) if lp_db::is_unique_violation(&err) => return Err(email_taken(&input.email)),
        Err(err) => return Err(err.into()),
    }
    insert_languages(&*txn, id, &input.languages).await?;
    crate::pool_changes::record(&*txn, &[id], now).await?;
    let entry = AuditEntry::new(by.who(), AuditAction::Create, AuditObject::Volunteer, id).from(by.addr());
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    get(db, id).await?.ok_or(RegistryError::NotFound)
}

/// Replaces every field of a volunteer (a `PATCH` is merged into the current values first).
pub async fn update(
    db: &DatabaseConnection,
    by: &Coordinator,
    id: Uuid,
    input: ValidVolunteer,
    now: DateTime<Utc>,
) -> Result<Volunteer, RegistryError> {
    let input = input.0;
    let txn = lp_db::begin_write(db).await?;
    let before = get(&*txn, id).await?.ok_or(RegistryError::NotFound)?;
    let mut row = volunteer::ActiveModel {
        id: Set(id),
        ..row_values(&input, now)
    };
    // A new address may work: the bounce flag was about the old one.
    if input.email != before.email {
        row.email_bounced_at = Set(None);
    }
    match volunteer::Entity::update(row).exec(&*txn).await {
        Ok(_) => {}
        Err(sea_orm::DbErr::RecordNotUpdated) => return Err(RegistryError::NotFound),
        Err(err) if lp_db::is_unique_violation(&err) => return Err(email_taken(&input.email)),
        Err(err) => return Err(err.into()),
    }
    volunteer_language::Entity::delete_many()
        .filter(volunteer_language::Column::VolunteerId.eq(id))
        .exec(&*txn)
        .await?;
    insert_languages(&*txn, id, &input.languages).await?;
    crate::pool_changes::record(&*txn, &[id], now).await?;
    let after = get(&*txn, id).await?.ok_or(RegistryError::NotFound)?;
    let changed = changed_fields(&before, &after, &["updated_at"]);
    let entry = AuditEntry::new(by.who(), AuditAction::Change, AuditObject::Volunteer, id)
        .fields(changed)
        .from(by.addr());
    lp_audit::record(&*txn, &entry, now).await?;
    txn.commit().await?;
    Ok(after)
}

fn row_values(input: &VolunteerInput, now: DateTime<Utc>) -> volunteer::ActiveModel {
    volunteer::ActiveModel {
        name: Set(input.name.clone()),
        email: Set(input.email.clone()),
        phone: Set(input.phone.clone()),
        german_level: Set(input.german_level.as_str().to_owned()),
        modes: Set(to_json(&input.modes)),
        service_area: Set(to_json(&input.service_area)),
        excluded_settings: Set(to_json(&input.excluded_settings)),
        gender: Set(input.gender.map(|g| g.as_str().to_owned())),
        availability: Set(to_json(&input.availability)),
        absences: Set(to_json(&input.absences)),
        max_assignments_per_month: Set(input.max_assignments_per_month.map(|m| m as i32)),
        confidentiality_signed_on: Set(input.confidentiality_signed_on),
        training_completed_on: Set(input.training_completed_on),
        status: Set(input.status.as_str().to_owned()),
        notes: Set(input.notes.clone()),
        updated_at: Set(now),
        ..Default::default()
    }
}

async fn insert_languages(
    db: &impl ConnectionTrait,
    volunteer_id: Uuid,
    languages: &[VolunteerLanguage],
) -> Result<(), RegistryError> {
    let rows = languages.iter().map(|l| volunteer_language::ActiveModel {
        volunteer_id: Set(volunteer_id),
        code: Set(l.code.as_str().to_owned()),
        proficiency: Set(l.proficiency.as_str().to_owned()),
        dialect: Set(l.dialect.clone()),
    });
    volunteer_language::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Volunteer>, RegistryError> {
    let Some(row) = volunteer::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let languages = volunteer_language::Entity::find()
        .filter(volunteer_language::Column::VolunteerId.eq(id))
        .order_by_asc(volunteer_language::Column::Code)
        .all(db)
        .await?;
    Ok(Some(to_domain(row, languages)?))
}

/// Locks a volunteer's row until the transaction ends, so that two acceptances by the same
/// volunteer are checked one after the other on PostgreSQL. (SQLite has one writer at a time
/// and no row locks; the query builder leaves the lock out there.)
pub async fn lock(txn: &impl ConnectionTrait, id: Uuid) -> Result<(), RegistryError> {
    volunteer::Entity::find_by_id(id).lock_exclusive().one(txn).await?;
    Ok(())
}

/// Several volunteers by id, e.g. the recipients of offers.
pub async fn get_many(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<Vec<Volunteer>, RegistryError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    with_languages(db, rows).await
}

/// How staff reach a volunteer: the name and phone shown on a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub phone: Option<String>,
}

/// The contacts of several volunteers in one query, for listing requests and offers.
pub async fn contacts(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashMap<Uuid, Contact>, RegistryError> {
    let mut contacts = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<(Uuid, String, Option<String>)> = volunteer::Entity::find()
            .select_only()
            .column(volunteer::Column::Id)
            .column(volunteer::Column::Name)
            .column(volunteer::Column::Phone)
            .filter(volunteer::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        contacts.extend(rows.into_iter().map(|(id, name, phone)| (id, Contact { name, phone })));
    }
    Ok(contacts)
}

/// A volunteer's record opened by a coordinator (their page, the API): a read of personal
/// data, so it goes to the audit log.
pub async fn view(
    db: &DatabaseConnection,
    by: &Coordinator,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Option<Volunteer>, RegistryError> {
    let Some(volunteer) = get(db, id).await? else {
        return Ok(None);
    };
    let entry = AuditEntry::new(by.who(), AuditAction::View, AuditObject::Volunteer, id).from(by.addr());
    lp_audit::record_view(db, &entry, now).await?;
    Ok(Some(volunteer))
}

/// Which of these volunteers were erased: reports leave them out of their personal tables
/// and count their hours only in the totals.
pub async fn erased(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<HashSet<Uuid>, RegistryError> {
    let mut erased = HashSet::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Uuid> = volunteer::Entity::find()
            .select_only()
            .column(volunteer::Column::Id)
            .filter(volunteer::Column::Id.is_in(chunk.iter().copied()))
            .filter(volunteer::Column::ErasedAt.is_not_null())
            .into_tuple()
            .all(db)
            .await?;
        erased.extend(rows);
    }
    Ok(erased)
}

/// Every volunteer with one of the given statuses, e.g. the active pool the matcher ranks.
pub async fn with_status(
    db: &impl ConnectionTrait,
    statuses: &[VolunteerStatus],
) -> Result<Vec<Volunteer>, RegistryError> {
    let rows = volunteer::Entity::find()
        .filter(volunteer::Column::Status.is_in(statuses.iter().map(|s| s.as_str())))
        .order_by_asc(volunteer::Column::Id)
        .all(db)
        .await?;
    with_languages(db, rows).await
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: &VolunteerFilter,
    today: NaiveDate,
    validity_months: u32,
) -> Result<Vec<Volunteer>, RegistryError> {
    let mut query = volunteer::Entity::find()
        .order_by_asc(volunteer::Column::Name)
        .order_by_asc(volunteer::Column::Id);
    if let Some(status) = filter.status {
        query = query.filter(volunteer::Column::Status.eq(status.as_str()));
    }
    let all = with_languages(db, query.all(db).await?).await?;
    Ok(all
        .into_iter()
        .filter(|v| filter.language.is_none_or(|wanted| v.speaks(wanted)))
        .filter(|v| {
            filter
                .training
                .is_none_or(|wanted| v.training(today, validity_months).status == wanted)
        })
        .collect())
}

async fn with_languages(
    db: &impl ConnectionTrait,
    rows: Vec<volunteer::Model>,
) -> Result<Vec<Volunteer>, RegistryError> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let mut by_volunteer: HashMap<Uuid, Vec<volunteer_language::Model>> = HashMap::new();
    // Chunked so a large pool stays under the databases' bound-parameter limits.
    for chunk in ids.chunks(500) {
        let languages = volunteer_language::Entity::find()
            .filter(volunteer_language::Column::VolunteerId.is_in(chunk.iter().copied()))
            .order_by_asc(volunteer_language::Column::Code)
            .all(db)
            .await?;
        for language in languages {
            by_volunteer.entry(language.volunteer_id).or_default().push(language);
        }
    }
    rows.into_iter()
        .map(|row| {
            let languages = by_volunteer.remove(&row.id).unwrap_or_default();
            to_domain(row, languages)
        })
        .collect()
}

/// Volunteers not retired whose last training (here or elsewhere) lies between `from` and
/// `to`: those whose validity ends in a window, found by the dates rather than a pass over all.
pub async fn trained_between(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Volunteer>, RegistryError> {
    use sea_orm::Condition;
    let rows = volunteer::Entity::find()
        .filter(volunteer::Column::Status.ne(VolunteerStatus::Retired.as_str()))
        .filter(
            Condition::any()
                .add(volunteer::Column::TrainingCompletedOn.between(from, to))
                .add(volunteer::Column::TrainingAttendedOn.between(from, to)),
        )
        .order_by_asc(volunteer::Column::Id)
        .all(db)
        .await?;
    with_languages(db, rows).await
}

/// Records the day of the volunteer's last attended basic or refresher training (`None` when
/// none counts any more), in the caller's transaction, and bumps the pool's version so every
/// instance's next ranking sees the new training status.
pub async fn set_training_attended_on(
    txn: &impl ConnectionTrait,
    id: Uuid,
    attended_on: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> Result<(), RegistryError> {
    volunteer::Entity::update_many()
        .col_expr(
            volunteer::Column::TrainingAttendedOn,
            sea_orm::sea_query::Expr::value(attended_on),
        )
        .col_expr(volunteer::Column::UpdatedAt, sea_orm::sea_query::Expr::value(now))
        .filter(volunteer::Column::Id.eq(id))
        .exec(txn)
        .await?;
    crate::pool_changes::record(txn, &[id], now).await?;
    Ok(())
}

/// Erases a volunteer's personal data (DSGVO). A volunteer who never received an offer is
/// deleted outright; otherwise the row stays, anonymised and retired, so the pool's
/// statistics (languages, hours, fill rates) keep their numbers.
/// Runs in the caller's transaction (`lp_requests::erasure`), which first releases the
/// volunteer's offers and revokes their links.
pub async fn erase(
    txn: &impl ConnectionTrait,
    id: Uuid,
    has_history: bool,
    now: DateTime<Utc>,
) -> Result<(), RegistryError> {
    if has_history {
        let row = volunteer::ActiveModel {
            id: Set(id),
            name: Set("(gelöscht / erased)".to_owned()),
            email: Set(format!("erased-{id}@invalid")),
            phone: Set(None),
            gender: Set(None),
            availability: Set("[]".to_owned()),
            absences: Set("[]".to_owned()),
            service_area: Set("[]".to_owned()),
            notes: Set(None),
            status: Set(VolunteerStatus::Retired.as_str().to_owned()),
            erased_at: Set(Some(now)),
            email_bounced_at: Set(None),
            updated_at: Set(now),
            ..Default::default()
        };
        match volunteer::Entity::update(row).exec(txn).await {
            Ok(_) => {}
            Err(sea_orm::DbErr::RecordNotUpdated) => return Err(RegistryError::NotFound),
            Err(err) => return Err(err.into()),
        }
        volunteer_language::Entity::update_many()
            .col_expr(
                volunteer_language::Column::Dialect,
                sea_orm::sea_query::Expr::value(Option::<String>::None),
            )
            .filter(volunteer_language::Column::VolunteerId.eq(id))
            .exec(txn)
            .await?;
    } else {
        let deleted = volunteer::Entity::delete_by_id(id).exec(txn).await?;
        if deleted.rows_affected == 0 {
            return Err(RegistryError::NotFound);
        }
    }
    crate::pool_changes::record(txn, &[id], now).await?;
    Ok(())
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain values serialise")
}

fn from_json<T: DeserializeOwned>(column: &str, text: &str) -> Result<T, RegistryError> {
    serde_json::from_str(text).map_err(|e| sea_orm::DbErr::Custom(format!("volunteers.{column}: {e}")).into())
}

fn parse_column<T: std::str::FromStr>(column: &str, text: &str) -> Result<T, RegistryError>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e: T::Err| sea_orm::DbErr::Custom(format!("{column}: {e}")).into())
}

fn to_domain(row: volunteer::Model, languages: Vec<volunteer_language::Model>) -> Result<Volunteer, RegistryError> {
    let languages = languages
        .into_iter()
        .map(|l| {
            Ok(VolunteerLanguage {
                code: LanguageCode::parse(&l.code)
                    .map_err(|e| sea_orm::DbErr::Custom(format!("volunteer_languages.code: {e}")))?,
                proficiency: parse_column("volunteer_languages.proficiency", &l.proficiency)?,
                dialect: l.dialect,
            })
        })
        .collect::<Result<Vec<_>, RegistryError>>()?;
    Ok(Volunteer {
        id: row.id,
        name: row.name,
        email: row.email,
        phone: row.phone,
        languages,
        german_level: parse_column("volunteers.german_level", &row.german_level)?,
        modes: from_json("modes", &row.modes)?,
        service_area: from_json("service_area", &row.service_area)?,
        excluded_settings: from_json("excluded_settings", &row.excluded_settings)?,
        gender: row
            .gender
            .as_deref()
            .map(|g| parse_column("volunteers.gender", g))
            .transpose()?,
        availability: from_json("availability", &row.availability)?,
        absences: from_json("absences", &row.absences)?,
        max_assignments_per_month: row.max_assignments_per_month.map(|m| m as u32),
        confidentiality_signed_on: row.confidentiality_signed_on,
        training_completed_on: row.training_completed_on,
        training_attended_on: row.training_attended_on,
        status: parse_column("volunteers.status", &row.status)?,
        notes: row.notes,
        email_bounced_at: row.email_bounced_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> VolunteerInput {
        serde_json::from_value(serde_json::json!({
            "name": "Selam T.", "email": "Selam@Example.org", "phone": "+49 151 000000",
            "languages": [{"code": "tir", "proficiency": "native"}],
            "german_level": "B2", "modes": ["on_site", "phone"], "service_area": ["Winnenden"],
            "availability": [{"weekday": "mon", "start": "09:00", "end": "13:00"}]
        }))
        .unwrap()
    }

    #[test]
    fn valid_input_is_normalised() {
        let valid = input().validate().unwrap();
        assert_eq!(valid.0.email, "selam@example.org");
        assert_eq!(valid.0.status, VolunteerStatus::Applicant);
    }

    #[test]
    fn duplicate_language_names_its_index() {
        let mut bad = input();
        bad.languages.push(bad.languages[0].clone());
        assert_eq!(bad.validate().unwrap_err().field, "languages[1].code");
    }

    #[test]
    fn on_site_volunteer_needs_a_town() {
        let mut bad = input();
        bad.service_area.clear();
        assert_eq!(bad.validate().unwrap_err().field, "service_area");
    }

    #[test]
    fn unknown_language_fails_while_parsing() {
        let err =
            serde_json::from_value::<VolunteerLanguage>(serde_json::json!({"code": "xyz", "proficiency": "native"}))
                .unwrap_err();
        assert!(err.to_string().contains("xyz"), "{err}");
    }

    #[test]
    fn monthly_maximum_must_be_positive() {
        let mut bad = input();
        bad.max_assignments_per_month = Some(-1);
        assert_eq!(bad.validate().unwrap_err().field, "max_assignments_per_month");
    }

    #[test]
    fn every_broken_rule_is_listed_and_the_first_is_the_one_validate_reports() {
        let mut bad = input();
        bad.name = " ".to_owned();
        bad.email = "selam".to_owned();
        bad.phone = Some("call me".to_owned());
        bad.languages.push(VolunteerLanguage {
            dialect: Some("x".repeat(101)),
            ..bad.languages[0].clone()
        });
        bad.service_area = vec!["Winnenden".to_owned(), " ".to_owned()];
        bad.max_assignments_per_month = Some(0);
        bad.notes = Some("\u{7}".to_owned());
        let errors = bad.clone().validate_all().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "email",
                "phone",
                "languages[1].code",
                "languages[1].dialect",
                "service_area[1]",
                "max_assignments_per_month",
                "notes"
            ]
        );
        assert_eq!(bad.validate().unwrap_err(), errors[0]);
        assert!(input().validate_all().is_ok());
    }

    #[test]
    fn missing_languages_modes_and_towns_are_each_named() {
        let mut bad = input();
        bad.languages.clear();
        bad.modes.clear();
        let fields: Vec<String> = bad.validate_all().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["languages", "modes"]);
        let mut bad = input();
        bad.service_area = vec![" ".to_owned()];
        let fields: Vec<String> = bad.validate_all().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["service_area[0]"], "a blank town is its own error");
        let mut bad = input();
        bad.service_area.clear();
        bad.availability = vec![bad.availability[0]; MAX_SLOTS + 1];
        let day: NaiveDate = "2026-12-21".parse().unwrap();
        bad.absences = vec![DateRange::new(day, day).unwrap(); MAX_ABSENCES + 1];
        let fields: Vec<String> = bad.validate_all().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["service_area", "availability", "absences"]);
    }
}
