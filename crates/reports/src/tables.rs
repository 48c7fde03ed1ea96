//! The one table model of every report: a title, column headers and rows of typed cells, made
//! from a [`Summary`] in German or English. The HTML table under each chart, the CSV and the
//! XLSX export are all written from it, so they cannot disagree.

use crate::rules::hours;
use crate::summary::{RateView, StatusCounts, Summary};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Locale {
    #[default]
    De,
    En,
}

impl Locale {
    pub fn pick<T>(self, de: T, en: T) -> T {
        match self {
            Locale::De => de,
            Locale::En => en,
        }
    }
}

/// One value. Numbers keep their type to the XLSX; text shows them with a decimal comma in
/// German and a point in English.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    Decimal {
        value: f64,
        places: u8,
    },
    /// No value, e.g. a rate while nothing is decided.
    Missing,
}

impl Cell {
    fn percent(rate: Option<f64>) -> Cell {
        rate.map_or(Cell::Missing, |r| Cell::Decimal {
            value: r * 100.0,
            places: 1,
        })
    }

    /// Minutes as hours with one decimal: every table, page and mail shows hours this way.
    pub fn hours(minutes: u64) -> Cell {
        Cell::Decimal {
            value: hours(minutes),
            places: 1,
        }
    }

    /// Cents as euros with two decimals.
    pub fn euros(cents: u64) -> Cell {
        Cell::Decimal {
            value: cents as f64 / 100.0,
            places: 2,
        }
    }

    fn text(text: impl Into<String>) -> Cell {
        Cell::Text(text.into())
    }

    /// As the HTML table shows it, without thousands separators.
    pub fn display(&self, locale: Locale) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Decimal { places, .. } => {
                let text = format!("{:.*}", usize::from(*places), self.number().unwrap_or_default());
                match locale {
                    Locale::De => text.replace('.', ","),
                    Locale::En => text,
                }
            }
            Cell::Missing => "–".to_owned(),
        }
    }

    /// The number as shown: rounded half away from zero to its places, so the HTML, the CSV and
    /// the XLSX hold the very same value.
    pub fn number(&self) -> Option<f64> {
        match self {
            Cell::Int(n) => Some(*n as f64),
            Cell::Decimal { value, places } => {
                let scale = 10f64.powi(i32::from(*places));
                Some((value * scale).round() / scale)
            }
            Cell::Text(_) | Cell::Missing => None,
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Cell::Int(_) | Cell::Decimal { .. })
    }
}

/// The tables a summary has, in the page's order; each has a slug for its export's URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableId {
    KeyFigures,
    Months,
    Languages,
    Status,
    Unmet,
    TimeToFill,
    Volunteers,
    Organisations,
    Settings,
    Payout,
}

impl TableId {
    pub const ALL: [TableId; 10] = [
        TableId::KeyFigures,
        TableId::Months,
        TableId::Languages,
        TableId::Status,
        TableId::Unmet,
        TableId::TimeToFill,
        TableId::Volunteers,
        TableId::Organisations,
        TableId::Settings,
        TableId::Payout,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            TableId::KeyFigures => "key-figures",
            TableId::Months => "months",
            TableId::Languages => "languages",
            TableId::Status => "status",
            TableId::Unmet => "unmet",
            TableId::TimeToFill => "time-to-fill",
            TableId::Volunteers => "volunteers",
            TableId::Organisations => "organisations",
            TableId::Settings => "settings",
            TableId::Payout => "payout",
        }
    }

    pub fn parse(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|id| id.slug() == slug)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub id: TableId,
    pub title: String,
    pub headers: Vec<String>,
    /// The first cell of each row names it.
    pub rows: Vec<Vec<Cell>>,
    /// The sums, shown last and bold.
    pub total: Option<Vec<Cell>>,
}

impl Table {
    /// The rows and then the total, as the exports write them.
    pub fn all_rows(&self) -> impl Iterator<Item = &Vec<Cell>> {
        self.rows.iter().chain(self.total.iter())
    }

    /// A file name for its exports: `linguapool-languages-2026-01-01-2026-12-31`.
    pub fn file_stem(&self, from: NaiveDate, to: NaiveDate) -> String {
        format!("linguapool-{}-{from}-{to}", self.id.slug())
    }
}

/// Every table of the summary; the payout only when an allowance is configured.
pub fn tables(summary: &Summary, locale: Locale) -> Vec<Table> {
    TableId::ALL
        .into_iter()
        .filter_map(|id| table(summary, id, locale))
        .collect()
}

pub fn table(summary: &Summary, id: TableId, locale: Locale) -> Option<Table> {
    let l = |de: &str, en: &str| locale.pick(de, en).to_owned();
    let count = |n: u32| Cell::Int(u64::from(n));
    let (title, headers, rows, total) = match id {
        TableId::KeyFigures => {
            let t = &summary.time_to_fill;
            let hours_of = |minutes: Option<f64>| {
                minutes.map_or(Cell::Missing, |m| Cell::Decimal {
                    value: m / 60.0,
                    places: 1,
                })
            };
            let rows = vec![
                vec![Cell::text(l("Anfragen", "Requests")), count(summary.requests)],
                vec![
                    Cell::text(l("davon entschieden", "of which decided")),
                    count(summary.fill_rate.decided),
                ],
                vec![
                    Cell::text(l("davon besetzt", "of which filled")),
                    count(summary.fill_rate.filled),
                ],
                vec![
                    Cell::text(l("Besetzungsquote (%)", "Fill rate (%)")),
                    Cell::percent(summary.fill_rate.rate),
                ],
                vec![
                    Cell::text(l(
                        "Zeit bis zur Besetzung, Median (Stunden)",
                        "Time to fill, median (hours)",
                    )),
                    hours_of(t.median_minutes),
                ],
                vec![
                    Cell::text(l(
                        "Zeit bis zur Besetzung, 90. Perzentil (Stunden)",
                        "Time to fill, 90th percentile (hours)",
                    )),
                    hours_of(t.p90_minutes),
                ],
                vec![
                    Cell::text(l("Einsätze mit bestätigter Dauer", "Assignments with confirmed time")),
                    count(summary.hours.assignments),
                ],
                vec![Cell::text(l("Stunden", "Hours")), Cell::hours(summary.hours.minutes)],
            ];
            (
                l("Kennzahlen", "Key figures"),
                vec![l("Kennzahl", "Figure"), l("Wert", "Value")],
                rows,
                None,
            )
        }
        TableId::Months => {
            let rows = summary
                .by_month
                .iter()
                .map(|m| {
                    vec![
                        Cell::Text(month_name(&m.month, locale)),
                        count(m.requests),
                        count(m.fill_rate.filled),
                        count(m.fill_rate.decided),
                        Cell::percent(m.fill_rate.rate),
                    ]
                })
                .collect();
            (
                l(
                    "Anfragen und Besetzungsquote pro Monat",
                    "Requests and fill rate per month",
                ),
                vec![
                    l("Monat", "Month"),
                    l("Anfragen", "Requests"),
                    l("besetzt", "filled"),
                    l("entschieden", "decided"),
                    l("Besetzungsquote (%)", "Fill rate (%)"),
                ],
                rows,
                Some(rate_total(l("Summe", "Total"), summary.requests, &summary.fill_rate)),
            )
        }
        TableId::Languages => {
            let rows = summary
                .by_language
                .iter()
                .map(|row| {
                    let mut cells = vec![
                        Cell::Text(language_label(row.name_de, row.name_en, row.language.as_str(), locale)),
                        count(row.requests),
                    ];
                    cells.extend(status_cells(&row.by_status));
                    cells.push(Cell::percent(row.fill_rate.rate));
                    cells
                })
                .collect();
            let mut total = vec![Cell::text(l("Summe", "Total")), count(summary.requests)];
            total.extend(status_cells(&summary.by_status));
            total.push(Cell::percent(summary.fill_rate.rate));
            let mut headers = vec![l("Sprache", "Language"), l("Anfragen", "Requests")];
            headers.extend(status_headers(locale));
            headers.push(l("Besetzungsquote (%)", "Fill rate (%)"));
            (
                l("Anfragen pro Sprache", "Requests per language"),
                headers,
                rows,
                Some(total),
            )
        }
        TableId::Status => {
            let share =
                |n: u32| Cell::percent((summary.requests > 0).then(|| f64::from(n) / f64::from(summary.requests)));
            let names = status_headers(locale);
            let counts = status_counts(&summary.by_status);
            let rows = names
                .into_iter()
                .zip(counts)
                .map(|(name, n)| vec![Cell::Text(name), count(n), share(n)])
                .collect();
            (
                l("Anfragen nach Stand", "Requests by state"),
                vec![
                    l("Stand", "State"),
                    l("Anfragen", "Requests"),
                    l("Anteil (%)", "Share (%)"),
                ],
                rows,
                Some(vec![
                    Cell::text(l("Summe", "Total")),
                    count(summary.requests),
                    share(summary.requests),
                ]),
            )
        }
        TableId::Unmet => {
            let rows = summary
                .unmet_by_language
                .iter()
                .map(|row| {
                    vec![
                        Cell::Text(language_label(row.name_de, row.name_en, row.language.as_str(), locale)),
                        count(row.requests),
                        count(row.unfilled),
                        count(row.cancelled_without_interpreter),
                        count(row.unmet),
                        count(row.no_one_eligible),
                        count(row.active_speakers),
                    ]
                })
                .collect();
            (
                l(
                    "Ungedeckter Bedarf pro Sprache und aktive Sprecher/innen",
                    "Unmet demand per language and active speakers",
                ),
                vec![
                    l("Sprache", "Language"),
                    l("Anfragen", "Requests"),
                    l("unbesetzt", "unfilled"),
                    l("storniert ohne Dolmetscher/in", "cancelled without interpreter"),
                    l("ungedeckt", "unmet"),
                    l("niemand kam in Frage", "no one eligible"),
                    l("aktive Sprecher/innen", "active speakers"),
                ],
                rows,
                None,
            )
        }
        TableId::TimeToFill => {
            let t = &summary.time_to_fill;
            let labels = [
                l("unter 1 Stunde", "under 1 hour"),
                l("1 bis 4 Stunden", "1 to 4 hours"),
                l("4 bis 24 Stunden", "4 to 24 hours"),
                l("1 bis 3 Tage", "1 to 3 days"),
                l("3 Tage und mehr", "3 days or more"),
            ];
            let share = |n: u32| Cell::percent((t.count > 0).then(|| f64::from(n) / f64::from(t.count)));
            let rows = labels
                .into_iter()
                .zip(t.bands)
                .map(|(label, n)| vec![Cell::Text(label), count(n), share(n)])
                .collect();
            (
                l("Zeit bis zur Besetzung", "Time to fill"),
                vec![
                    l("Zeit bis zur Besetzung", "Time to fill"),
                    l("Anfragen", "Requests"),
                    l("Anteil (%)", "Share (%)"),
                ],
                rows,
                Some(vec![Cell::text(l("Summe", "Total")), count(t.count), share(t.count)]),
            )
        }
        TableId::Volunteers => {
            let h = &summary.hours;
            let mut rows: Vec<Vec<Cell>> = h
                .volunteers
                .iter()
                .map(|v| hours_row(v.name.clone(), v.assignments, v.minutes))
                .collect();
            if h.erased.volunteers > 0 {
                rows.push(hours_row(
                    format!("gelöscht / erased ({})", h.erased.volunteers),
                    h.erased.assignments,
                    h.erased.minutes,
                ));
            }
            (
                l("Stunden pro Ehrenamtliche/r", "Hours per volunteer"),
                hours_headers(l("Name", "Name"), locale),
                rows,
                Some(hours_row(l("Summe", "Total"), h.assignments, h.minutes)),
            )
        }
        TableId::Organisations => {
            let h = &summary.hours;
            let rows = h
                .by_organisation
                .iter()
                .map(|o| hours_row(o.name.clone(), o.assignments, o.minutes))
                .collect();
            (
                l("Stunden pro Organisation", "Hours per organisation"),
                hours_headers(l("Organisation", "Organisation"), locale),
                rows,
                Some(hours_row(l("Summe", "Total"), h.assignments, h.minutes)),
            )
        }
        TableId::Settings => {
            let h = &summary.hours;
            let rows = h
                .by_setting
                .iter()
                .map(|s| hours_row(locale.pick(s.name_de, s.name_en).to_owned(), s.assignments, s.minutes))
                .collect();
            (
                l("Stunden pro Einsatzbereich", "Hours per setting"),
                hours_headers(l("Bereich", "Setting"), locale),
                rows,
                Some(hours_row(l("Summe", "Total"), h.assignments, h.minutes)),
            )
        }
        TableId::Payout => {
            let payout = summary.payout.as_ref()?;
            let row = |name: String, assignments: u32, minutes: u64, cents: u64| {
                vec![
                    Cell::Text(name),
                    count(assignments),
                    Cell::Int(minutes),
                    Cell::euros(cents),
                ]
            };
            let mut rows: Vec<Vec<Cell>> = payout
                .volunteers
                .iter()
                .map(|p| row(p.name.clone(), p.assignments, p.minutes, p.cents))
                .collect();
            let e = payout.erased;
            if e.volunteers > 0 {
                rows.push(row(
                    format!("gelöscht / erased ({})", e.volunteers),
                    e.assignments,
                    e.minutes,
                    e.cents,
                ));
            }
            let (assignments, minutes) = (summary.hours.assignments, summary.hours.minutes);
            (
                l("Aufwandsentschädigung", "Expense allowance"),
                vec![
                    l("Name", "Name"),
                    l("Einsätze", "Assignments"),
                    l("Minuten", "Minutes"),
                    l("Betrag (€)", "Amount (€)"),
                ],
                rows,
                Some(row(l("Summe", "Total"), assignments, minutes, payout.total_cents)),
            )
        }
    };
    Some(Table {
        id,
        title,
        headers,
        rows,
        total,
    })
}

fn rate_total(label: String, requests: u32, rate: &RateView) -> Vec<Cell> {
    vec![
        Cell::Text(label),
        Cell::Int(u64::from(requests)),
        Cell::Int(u64::from(rate.filled)),
        Cell::Int(u64::from(rate.decided)),
        Cell::percent(rate.rate),
    ]
}

fn status_counts(s: &StatusCounts) -> [u32; 5] {
    [s.open, s.assigned, s.completed, s.cancelled, s.unfilled]
}

fn status_cells(s: &StatusCounts) -> impl Iterator<Item = Cell> {
    status_counts(s).into_iter().map(|n| Cell::Int(u64::from(n)))
}

fn status_headers(locale: Locale) -> Vec<String> {
    use lp_core::vocab::RequestStatus as S;
    [S::Open, S::Assigned, S::Completed, S::Cancelled, S::Unfilled]
        .into_iter()
        .map(|s| locale.pick(s.name_de(), s.name_en()).to_owned())
        .collect()
}

fn hours_headers(first: String, locale: Locale) -> Vec<String> {
    vec![
        first,
        locale.pick("Einsätze", "Assignments").to_owned(),
        locale.pick("Minuten", "Minutes").to_owned(),
        locale.pick("Stunden", "Hours").to_owned(),
    ]
}

fn hours_row(name: String, assignments: u32, minutes: u64) -> Vec<Cell> {
    vec![
        Cell::Text(name),
        Cell::Int(u64::from(assignments)),
        Cell::Int(minutes),
        Cell::hours(minutes),
    ]
}

/// "Arabisch (ara)".
pub fn language_label(name_de: &str, name_en: &str, code: &str, locale: Locale) -> String {
    format!("{} ({code})", locale.pick(name_de, name_en))
}

/// `2026-03` as "März 2026" or "March 2026".
pub fn month_name(month: &str, locale: Locale) -> String {
    let (year, number) = month.split_once('-').unwrap_or((month, "1"));
    let number = number.parse::<u32>().unwrap_or(1);
    let name = locale.pick(lp_core::when::month_de(number), lp_core::when::month_en(number));
    format!("{name} {year}")
}

/// The month's short name for a chart's axis: "Mär" or "Mar".
pub fn month_short(month: &str, locale: Locale) -> String {
    let name = month_name(month, locale);
    name.chars().take(3).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_follow_the_locale() {
        let cell = Cell::Decimal {
            value: 83.333,
            places: 1,
        };
        assert_eq!(cell.display(Locale::De), "83,3");
        assert_eq!(cell.display(Locale::En), "83.3");
        assert_eq!(Cell::euros(2400).display(Locale::De), "24,00");
        assert_eq!(Cell::Missing.display(Locale::De), "–");
    }

    #[test]
    fn slugs_round_trip() {
        for id in TableId::ALL {
            assert_eq!(TableId::parse(id.slug()), Some(id));
        }
        assert_eq!(TableId::parse("secrets"), None);
    }

    #[test]
    fn months_are_named() {
        assert_eq!(month_name("2026-03", Locale::De), "März 2026");
        assert_eq!(month_name("2026-12", Locale::En), "December 2026");
        assert_eq!(month_short("2026-03", Locale::De), "Mär");
    }
}
