//! The coordinator's reports page: a period picker that works as a plain GET form, the
//! charts (SVG drawn on the server) each with its numbers as a table below, and every table
//! as CSV and XLSX. The printable Ehrenamtsnachweis per volunteer and year is in [`nachweis`].

mod nachweis;
#[cfg(test)]
mod tests;

use super::{Layout, OrPage, PageError, render};
use crate::AppState;
use crate::auth::{CoordinatorPage, SignedIn};
use crate::error::ApiError;
use crate::i18n::{Lang, texts};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use lp_core::validation::FieldError;
use lp_reports::tables::{self, Cell, Locale, Table, TableId};
use lp_reports::{Period, Summary, charts, export};
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/reports", get(page))
        .route("/reports/export/{file}", get(download))
        .route("/volunteers/{id}/nachweis/{year}", get(nachweis::show))
}

texts! {
    pub struct ReportTexts {
        reports: "Berichte" / "Reports",
        period: "Zeitraum" / "Period",
        kind: "Art des Zeitraums" / "Kind of period",
        month: "Monat" / "Month",
        quarter: "Quartal" / "Quarter",
        year: "Jahr" / "Year",
        custom: "frei" / "custom",
        from: "von" / "from",
        to: "bis" / "to",
        show: "Anzeigen" / "Show",
        download: "Herunterladen:" / "Download:",
        print: "Zum Drucken: Strg+P / ⌘P. Diagramme und Tabellen sind auch schwarz-weiß lesbar." / "To print: Ctrl+P / ⌘P. Charts and tables read in black and white too.",
        selected_by: "Gezählt werden die Anfragen, deren Termin im Zeitraum beginnt (Ortszeit Europe/Berlin)." / "Counted are the requests whose appointment starts in the period (local time, Europe/Berlin).",
        overview: "Überblick" / "Overview",
        overview_note: "Besetzungsquote: besetzte unter den entschiedenen Anfragen. Offene Anfragen zählen noch nicht; eine vor jeder Zusage stornierte Anfrage zählt als ungedeckt." / "Fill rate: filled among decided requests. Open requests do not count yet; one cancelled before anyone accepted counts as unmet.",
        per_month: "Pro Monat" / "Per month",
        per_month_note: "Weiße Säulen: Anfragen; schwarze Säulen: besetzt; darüber die Besetzungsquote." / "White bars: requests; black bars: filled; above them the fill rate.",
        languages: "Sprachen" / "Languages",
        languages_note: "Die zehn meistangefragten Sprachen; die Tabelle nennt alle." / "The ten most requested languages; the table lists all.",
        unmet: "Ungedeckter Bedarf – wo anwerben?" / "Unmet demand – where to recruit?",
        unmet_note: "Ungedeckt: unbesetzt oder vor jeder Zusage storniert. „Niemand kam in Frage“: kein Angebot ging hinaus, weil niemand die Regeln erfüllte (überschneidet sich mit den anderen). Aktive Sprecher/innen zählen auch die Sprachen derselben Makrosprache." / "Unmet: unfilled, or cancelled before anyone accepted. “No one eligible”: no offer went out because nobody met the rules (overlaps with the others). Active speakers include the languages of the same macrolanguage.",
        time_to_fill: "Zeit bis zur Besetzung" / "Time to fill",
        time_to_fill_note: "Vom Eingang der Anfrage bis zur Zusage, die gilt." / "From filing the request to the acceptance that holds.",
        hours: "Stunden der Ehrenamtlichen" / "Volunteers' hours",
        hours_note: "Bestätigte Einsatzminuten erledigter Anfragen. Gelöschte Ehrenamtliche stehen nur zusammengefasst in einer Zeile; ihre Minuten bleiben in den Summen." / "Confirmed minutes of completed requests. Erased volunteers appear only together, in one row; their minutes stay in the totals.",
        payout: "Aufwandsentschädigung" / "Expense allowance",
        per_assignment: "pro Einsatz" / "per assignment",
        per_started: "je angefangene" / "per started",
        minutes: "Minuten" / "minutes",
        no_requests: "Im Zeitraum beginnt kein Termin." / "No appointment starts in the period.",
        fix: "Bitte korrigieren:" / "Please correct:",
    }
}

pub(crate) fn locale(lang: Lang) -> Locale {
    match lang {
        Lang::De => Locale::De,
        Lang::En => Locale::En,
    }
}

/// The picker's fields as sent; which ones count depends on `kind`.
#[derive(Debug, Default, Clone, Deserialize)]
struct PeriodForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    month: String,
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

impl PeriodForm {
    /// What the form asks for; without any field, this year. A link with only `from` and
    /// `to` (as the exports use) is a custom period.
    fn kind(&self) -> &str {
        match self.kind.as_str() {
            "" if !self.from.is_empty() || !self.to.is_empty() => "custom",
            "" => "year",
            kind => kind,
        }
    }

    fn resolve(&self, today: NaiveDate) -> Result<Period, FieldError> {
        let number = |field: &str, text: &str, default: u32, range: std::ops::RangeInclusive<u32>| {
            let text = text.trim();
            if text.is_empty() {
                return Ok(default);
            }
            text.parse::<u32>().ok().filter(|n| range.contains(n)).ok_or_else(|| {
                FieldError::new(
                    field,
                    format!("must be a number from {} to {}", range.start(), range.end()),
                )
            })
        };
        let year = || number("year", &self.year, today.year() as u32, 2000..=2100).map(|y| y as i32);
        let missing = |field: &str| FieldError::new(field, "is not a valid period");
        match self.kind() {
            "year" => Period::year(year()?).ok_or_else(|| missing("year")),
            "month" => {
                let month = number("month", &self.month, today.month(), 1..=12)?;
                Period::month(year()?, month).ok_or_else(|| missing("month"))
            }
            "quarter" => {
                let quarter = number("quarter", &self.quarter, today.month().div_ceil(3), 1..=4)?;
                Period::quarter(year()?, quarter).ok_or_else(|| missing("quarter"))
            }
            "custom" => Period::parse(Some(&self.from), Some(&self.to)),
            _ => Err(FieldError::new("kind", "must be month, quarter, year or custom")),
        }
    }
}

/// A choice of a select, marked when the form holds it.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct CellView {
    text: String,
    number: bool,
}

struct TableView {
    slug: &'static str,
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<CellView>>,
    total: Option<Vec<CellView>>,
    csv: String,
    xlsx: String,
}

/// A part of the page: a heading, a note, at most one chart and its tables.
struct Section {
    id: &'static str,
    title: &'static str,
    note: String,
    chart: Option<String>,
    tables: Vec<TableView>,
}

#[derive(Template)]
#[template(path = "staff/reports.html")]
struct ReportsPage {
    layout: Layout,
    t: &'static ReportTexts,
    kind: String,
    year: String,
    months: Vec<Choice>,
    quarters: Vec<Choice>,
    from: String,
    to: String,
    error: Option<FieldError>,
    period: String,
    empty: bool,
    sections: Vec<Section>,
}

fn cells(row: &[Cell], locale: Locale) -> Vec<CellView> {
    row.iter()
        .map(|cell| CellView {
            text: cell.display(locale),
            // A missing number stands in a number's column.
            number: cell.is_number() || *cell == Cell::Missing,
        })
        .collect()
}

fn table_view(table: Table, period: &Period, locale: Locale) -> TableView {
    let query = format!("from={}&to={}", period.from(), period.to());
    let slug = table.id.slug();
    TableView {
        slug,
        csv: format!("/reports/export/{slug}.csv?{query}"),
        xlsx: format!("/reports/export/{slug}.xlsx?{query}"),
        rows: table.rows.iter().map(|r| cells(r, locale)).collect(),
        total: table.total.as_deref().map(|r| cells(r, locale)),
        title: table.title,
        headers: table.headers,
    }
}

fn sections(summary: &Summary, period: &Period, lang: Lang) -> Result<Vec<Section>, ApiError> {
    let t = ReportTexts::of(lang);
    let locale = locale(lang);
    let mut charts = charts::charts(summary, locale).into_iter();
    let mut chart = || -> Result<Option<String>, ApiError> {
        charts.next().map(|c| c.svg(locale)).transpose().map_err(ApiError::from)
    };
    let tables = |ids: &[TableId]| -> Vec<TableView> {
        ids.iter()
            .filter_map(|id| tables::table(summary, *id, locale))
            .map(|table| table_view(table, period, locale))
            .collect()
    };
    let mut sections = vec![
        Section {
            id: "overview",
            title: t.overview,
            note: t.overview_note.to_owned(),
            chart: None,
            tables: tables(&[TableId::KeyFigures, TableId::Status]),
        },
        Section {
            id: "months",
            title: t.per_month,
            note: t.per_month_note.to_owned(),
            chart: chart()?,
            tables: tables(&[TableId::Months]),
        },
        Section {
            id: "languages",
            title: t.languages,
            note: t.languages_note.to_owned(),
            chart: chart()?,
            tables: tables(&[TableId::Languages]),
        },
        Section {
            id: "unmet",
            title: t.unmet,
            note: t.unmet_note.to_owned(),
            chart: chart()?,
            tables: tables(&[TableId::Unmet]),
        },
        Section {
            id: "time-to-fill",
            title: t.time_to_fill,
            note: t.time_to_fill_note.to_owned(),
            chart: chart()?,
            tables: tables(&[TableId::TimeToFill]),
        },
        Section {
            id: "hours",
            title: t.hours,
            note: t.hours_note.to_owned(),
            chart: None,
            tables: tables(&[TableId::Volunteers, TableId::Organisations, TableId::Settings]),
        },
    ];
    if let Some(payout) = &summary.payout {
        let euros = tables::Cell::euros(u64::from(payout.rule.cents)).display(locale);
        let rule = match payout.rule.per_started_minutes {
            Some(block) => format!("{euros} € {} {block} {}", t.per_started, t.minutes),
            None => format!("{euros} € {}", t.per_assignment),
        };
        sections.push(Section {
            id: "payout",
            title: t.payout,
            note: rule,
            chart: None,
            tables: tables(&[TableId::Payout]),
        });
    }
    Ok(sections)
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    SignedIn(staff): SignedIn,
    CoordinatorPage(by): CoordinatorPage,
    Query(form): Query<PeriodForm>,
) -> Result<Response, PageError> {
    let t = ReportTexts::of(lang);
    let today = state.today();
    let resolved = form.resolve(today);
    let (period, error) = match resolved {
        Ok(period) => (Some(period), None),
        Err(error) => (None, Some(error)),
    };
    let here = match &period {
        Some(p) => format!("/reports?from={}&to={}", p.from(), p.to()),
        None => "/reports".to_owned(),
    };
    let (sections, empty, shown) = match &period {
        Some(p) => {
            let summary = lp_reports::summary(&state.db, &by, p, &state.reports)
                .await
                .or_page(lang)?;
            let sections = sections(&summary, p, lang).or_page(lang)?;
            (
                sections,
                summary.requests == 0,
                format!("{} – {}", lang.day(p.from()), lang.day(p.to())),
            )
        }
        None => (Vec::new(), false, String::new()),
    };
    let shown_period = period.unwrap_or_else(|| Period::year(today.year()).expect("this year is a period"));
    let kind = form.kind().to_owned();
    let month_selected = form.month.parse().unwrap_or_else(|_| shown_period.from().month());
    let quarter_selected = form
        .quarter
        .parse()
        .unwrap_or_else(|_| shown_period.from().month().div_ceil(3));
    let locale = locale(lang);
    let months = (1..=12)
        .map(|m| Choice {
            value: m.to_string(),
            label: tables::month_name(&format!("2000-{m:02}"), locale).replace(" 2000", ""),
            selected: m == month_selected,
        })
        .collect();
    let quarters = (1..=4u32)
        .map(|q| Choice {
            value: q.to_string(),
            label: format!("Q{q}"),
            selected: q == quarter_selected,
        })
        .collect();
    let failed = error.is_some();
    let mut response = render(&ReportsPage {
        layout: Layout::new(lang, &staff, t.reports, here),
        t,
        year: if form.year.is_empty() {
            shown_period.from().year().to_string()
        } else {
            form.year.clone()
        },
        from: if form.from.is_empty() {
            shown_period.from().to_string()
        } else {
            form.from.clone()
        },
        to: if form.to.is_empty() {
            shown_period.to().to_string()
        } else {
            form.to.clone()
        },
        kind,
        months,
        quarters,
        error,
        period: shown,
        empty,
        sections,
    });
    if failed {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

#[derive(Debug, Default, Deserialize)]
struct ExportQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

/// `/reports/export/{table}.csv` or `.xlsx`, for `from` and `to`. Exports hold names, so they
/// are never cached.
async fn download(
    State(state): State<AppState>,
    lang: Lang,
    CoordinatorPage(by): CoordinatorPage,
    Path(file): Path<String>,
    Query(query): Query<ExportQuery>,
) -> Result<Response, PageError> {
    let Some((slug, extension)) = file.rsplit_once('.') else {
        return Err(PageError::new(lang, ApiError::NotFound));
    };
    let id = TableId::parse(slug).ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    if !matches!(extension, "csv" | "xlsx") {
        return Err(PageError::new(lang, ApiError::NotFound));
    }
    let period = Period::parse(query.from.as_deref(), query.to.as_deref()).or_page(lang)?;
    let summary = lp_reports::summary(&state.db, &by, &period, &state.reports)
        .await
        .or_page(lang)?;
    // The payout table exists only with an allowance configured.
    let table = tables::table(&summary, id, locale(lang)).ok_or_else(|| PageError::new(lang, ApiError::NotFound))?;
    let stem = table.file_stem(period.from(), period.to());
    let (content_type, body) = match extension {
        "csv" => ("text/csv; charset=utf-8", export::csv(&table).or_page(lang)?),
        _ => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            export::xlsx(&table).or_page(lang)?,
        ),
    };
    Ok((
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{extension}\""),
            ),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

/// One year of a volunteer, as their page lists it.
pub(crate) struct YearView {
    pub volunteer_id: String,
    pub year: i32,
    pub assignments: u32,
    pub hours: String,
    /// "Behörde 3 (4,5), Schule 1 (1,0)": assignments and hours per setting.
    pub settings: String,
    pub trainings: String,
    /// Nothing to confirm: the Nachweis link is left out.
    pub empty: bool,
}

/// Every year with activity, and this one, latest first.
pub(crate) async fn volunteer_years(
    state: &AppState,
    lang: Lang,
    by: &lp_core::access::Coordinator,
    volunteer: &lp_registry::volunteers::Volunteer,
) -> Result<Vec<YearView>, PageError> {
    let locale = locale(lang);
    let hours = |minutes: u64| Cell::hours(minutes).display(locale);
    let records =
        match lp_reports::volunteer_year::volunteer_years(&state.db, by, volunteer.id, state.today(), &state.reports)
            .await
        {
            Ok(records) => records,
            // An erased volunteer has no record to show.
            Err(lp_reports::ReportError::NotFound) => return Ok(Vec::new()),
            Err(err) => return Err(PageError::new(lang, err)),
        };
    let mut years = Vec::new();
    for record in records {
        let year = record.year;
        years.push(YearView {
            volunteer_id: volunteer.id.to_string(),
            year,
            assignments: record.assignments,
            hours: hours(record.minutes),
            settings: record
                .by_setting
                .iter()
                .map(|s| {
                    let name = lang.pick(s.setting.name_de(), s.setting.name_en());
                    format!("{name} {} ({})", s.assignments, hours(s.minutes))
                })
                .collect::<Vec<_>>()
                .join(", "),
            trainings: record
                .trainings
                .iter()
                .map(|t| format!("{} ({})", t.title, lang.day(t.day)))
                .collect::<Vec<_>>()
                .join(", "),
            empty: record.is_empty(),
        });
    }
    Ok(years)
}
