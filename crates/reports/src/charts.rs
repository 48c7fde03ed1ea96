//! The report's charts as SVG, drawn with plotters' SVG backend: bars in black, grey and white
//! outline with their values written on them, so a black-and-white print reads without
//! colour. Each SVG is an image with a title and a text alternative that lists its numbers;
//! the page puts the same numbers in a table below.

use crate::ReportError;
use crate::summary::Summary;
use crate::tables::{Locale, language_label, month_short};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Bars of one series in a chart: how they are filled tells the series apart in print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    Solid,
    Grey,
    Outline,
}

#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<u32>,
    pub fill: Fill,
}

/// Categories (months, languages, bands) with one bar per series in each.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// The SVG's id; its title and description get `-title` and `-desc`.
    pub id: &'static str,
    pub title: String,
    pub categories: Vec<String>,
    pub series: Vec<Series>,
    /// Written above each category, e.g. the month's fill rate.
    pub notes: Option<Vec<String>>,
    /// Categories down the side (long language names) instead of along the bottom.
    pub horizontal: bool,
}

const WIDTH: u32 = 760;
const FONT: &str = "sans-serif";
const INK: RGBColor = RGBColor(0x1b, 0x1d, 0x21);
const GREY: RGBColor = RGBColor(0x8a, 0x8f, 0x98);

impl BarChart {
    fn height(&self) -> u32 {
        if self.horizontal {
            let per_category = 10 + 18 * self.series.len() as u32;
            90 + per_category * self.categories.len().max(1) as u32
        } else {
            340
        }
    }

    /// The text alternative: every value, in words.
    pub fn description(&self, locale: Locale) -> String {
        if self.categories.is_empty() {
            return locale
                .pick("Keine Daten im Zeitraum.", "No data in the period.")
                .to_owned();
        }
        let parts: Vec<String> = self
            .categories
            .iter()
            .enumerate()
            .map(|(i, category)| {
                let values: Vec<String> = self
                    .series
                    .iter()
                    .map(|s| format!("{} {}", s.name, s.values.get(i).copied().unwrap_or(0)))
                    .collect();
                let note = self
                    .notes
                    .as_ref()
                    .and_then(|n| n.get(i))
                    .filter(|n| !n.is_empty())
                    .map(|n| format!(", {n}"))
                    .unwrap_or_default();
                format!("{category}: {}{note}", values.join(", "))
            })
            .collect();
        format!("{}. {}.", self.title, parts.join("; "))
    }

    /// The chart as an inline `<svg>` element.
    pub fn svg(&self, locale: Locale) -> Result<String, ReportError> {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (WIDTH, self.height())).into_drawing_area();
            self.draw(&root)
                .map_err(|e| ReportError::Export(format!("chart {}: {e}", self.id)))?;
            root.present()
                .map_err(|e| ReportError::Export(format!("chart {}: {e}", self.id)))?;
        }
        Ok(accessible(&out, self.id, &self.title, &self.description(locale)))
    }

    fn max(&self) -> u32 {
        self.series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .max()
            .unwrap_or(0)
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        root.fill(&WHITE)?;
        let top = nice_top(self.max());
        let n = self.categories.len().max(1) as f64;
        let label = (FONT, 14).into_font().color(&INK);
        let legend_height = 34;
        let body = root.margin(legend_height, 12, 12, 16);
        self.legend(root, &label)?;
        let groups = self.series.len().max(1) as f64;
        let bar = 0.8 / groups;
        if self.horizontal {
            let left = 230;
            let mut chart = ChartBuilder::on(&body)
                .x_label_area_size(28)
                .y_label_area_size(left)
                .build_cartesian_2d(0f64..f64::from(top), 0f64..n)?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .y_labels(0)
                .x_labels(label_count(top))
                .x_label_formatter(&|v| format!("{v:.0}"))
                .x_label_style(label.clone())
                .light_line_style(WHITE)
                .axis_style(INK)
                .draw()?;
            for (i, category) in self.categories.iter().enumerate() {
                // The first category at the top.
                let row = n - 1.0 - i as f64;
                let (px, py) = chart.backend_coord(&(0.0, row + 0.5));
                let style = label.clone().pos(Pos::new(HPos::Right, VPos::Center));
                root.draw(&Text::new(truncate(category, 30), (px - 8, py), style))?;
                for (k, series) in self.series.iter().enumerate() {
                    let value = f64::from(series.values.get(i).copied().unwrap_or(0));
                    let y0 = row + 0.9 - bar * (k as f64 + 1.0);
                    chart.draw_series(bars(series.fill, [(0.0, y0), (value, y0 + bar * 0.9)]))?;
                    let at = chart.backend_coord(&(value, y0 + bar * 0.45));
                    let style = label.clone().pos(Pos::new(HPos::Left, VPos::Center));
                    root.draw(&Text::new(format!("{value:.0}"), (at.0 + 6, at.1), style))?;
                }
            }
        } else {
            let mut chart = ChartBuilder::on(&body)
                .x_label_area_size(30)
                .y_label_area_size(44)
                .build_cartesian_2d(0f64..n, 0f64..f64::from(top) * 1.12)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(0)
                .y_labels(label_count(top))
                .y_label_formatter(&|v| format!("{v:.0}"))
                .y_label_style(label.clone())
                .light_line_style(WHITE)
                .axis_style(INK)
                .draw()?;
            for (i, category) in self.categories.iter().enumerate() {
                let x = i as f64;
                let (cx, cy) = chart.backend_coord(&(x + 0.5, 0.0));
                let style = label.clone().pos(Pos::new(HPos::Center, VPos::Top));
                root.draw(&Text::new(category.clone(), (cx, cy + 8), style))?;
                let mut highest = 0.0f64;
                for (k, series) in self.series.iter().enumerate() {
                    let value = f64::from(series.values.get(i).copied().unwrap_or(0));
                    highest = highest.max(value);
                    let x0 = x + 0.1 + bar * k as f64;
                    chart.draw_series(bars(series.fill, [(x0 + bar * 0.05, 0.0), (x0 + bar * 0.95, value)]))?;
                    let at = chart.backend_coord(&(x0 + bar / 2.0, value));
                    let style = (FONT, 12)
                        .into_font()
                        .color(&INK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom));
                    root.draw(&Text::new(format!("{value:.0}"), (at.0, at.1 - 3), style))?;
                }
                if let Some(note) = self.notes.as_ref().and_then(|n| n.get(i)).filter(|n| !n.is_empty()) {
                    let at = chart.backend_coord(&(x + 0.5, f64::from(top) * 1.12));
                    let style = (FONT, 12)
                        .into_font()
                        .color(&INK)
                        .pos(Pos::new(HPos::Center, VPos::Top));
                    root.draw(&Text::new(note.clone(), (at.0, at.1 + 2), style))?;
                }
            }
        }
        Ok(())
    }

    /// A swatch and a name per series, across the top.
    fn legend<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        label: &TextStyle,
    ) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
        let mut x = 16;
        for series in &self.series {
            root.draw(&swatch(series.fill, [(x, 10), (x + 16, 26)]))?;
            if series.fill == Fill::Outline {
                root.draw(&Rectangle::new([(x, 10), (x + 16, 26)], INK.stroke_width(1)))?;
            }
            let style = label.clone().pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(series.name.clone(), (x + 22, 18), style))?;
            x += 40 + 8 * series.name.chars().count() as i32;
        }
        Ok(())
    }
}

fn style_of(fill: Fill) -> ShapeStyle {
    match fill {
        Fill::Solid => INK.filled(),
        Fill::Grey => GREY.filled(),
        Fill::Outline => WHITE.filled(),
    }
}

fn swatch(fill: Fill, corners: [(i32, i32); 2]) -> Rectangle<(i32, i32)> {
    Rectangle::new(corners, style_of(fill))
}

/// One bar: filled, and for the outlined series a black border around white.
fn bars(fill: Fill, corners: [(f64, f64); 2]) -> Vec<Rectangle<(f64, f64)>> {
    let mut shapes = vec![Rectangle::new(corners, style_of(fill))];
    if fill == Fill::Outline {
        shapes.push(Rectangle::new(corners, INK.stroke_width(2)));
    }
    shapes
}

/// The axis end: a round number above the highest value, at least 1.
fn nice_top(max: u32) -> u32 {
    let max = max.max(1);
    let mut step = 1;
    loop {
        for factor in [1, 2, 5] {
            let candidate = step * factor;
            if candidate >= max && (candidate <= 10 || candidate % 5 == 0) {
                return candidate;
            }
        }
        step *= 10;
        if step > 1_000_000_000 {
            return max;
        }
    }
}

/// Ticks at whole numbers: one per unit up to 5, else about five.
fn label_count(top: u32) -> usize {
    if top <= 5 { top as usize + 1 } else { 6 }
}

fn truncate(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_owned();
    }
    let mut short: String = text.chars().take(chars - 1).collect();
    short.push('…');
    short
}

/// Gives the SVG its role and text alternative. plotters writes the opening tag first; the
/// title and description go right after it.
fn accessible(svg: &str, id: &str, title: &str, description: &str) -> String {
    let escape = |text: &str| {
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let Some(end) = svg.find('>') else {
        return svg.to_owned();
    };
    let (open, rest) = svg.split_at(end);
    let open = open.replacen(
        "<svg ",
        &format!("<svg id=\"{id}\" class=\"chart\" role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" "),
        1,
    );
    format!(
        "{open}><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        escape(title),
        escape(description),
        &rest[1..]
    )
}

/// How many languages the language charts show; the tables list all.
pub const TOP_LANGUAGES: usize = 10;

/// The four charts of the reports page, in its order.
pub fn charts(summary: &Summary, locale: Locale) -> Vec<BarChart> {
    let l = |de: &str, en: &str| locale.pick(de, en).to_owned();
    let percent = |rate: Option<f64>| rate.map(|r| format!("{} %", (r * 100.0).round())).unwrap_or_default();
    let months = BarChart {
        id: "chart-months",
        title: l(
            "Anfragen und Besetzungsquote pro Monat",
            "Requests and fill rate per month",
        ),
        categories: summary
            .by_month
            .iter()
            .map(|m| {
                // Two Decembers in one chart need their years.
                let spans_years =
                    summary.by_month.first().map(|f| &f.month[..4]) != summary.by_month.last().map(|l| &l.month[..4]);
                let short = month_short(&m.month, locale);
                if spans_years {
                    format!("{short} {}", &m.month[2..4])
                } else {
                    short
                }
            })
            .collect(),
        series: vec![
            Series {
                name: l("Anfragen", "Requests"),
                values: summary.by_month.iter().map(|m| m.requests).collect(),
                fill: Fill::Outline,
            },
            Series {
                name: l("besetzt", "filled"),
                values: summary.by_month.iter().map(|m| m.fill_rate.filled).collect(),
                fill: Fill::Solid,
            },
        ],
        notes: Some(summary.by_month.iter().map(|m| percent(m.fill_rate.rate)).collect()),
        horizontal: false,
    };
    let top: Vec<_> = summary.by_language.iter().take(TOP_LANGUAGES).collect();
    let languages = BarChart {
        id: "chart-languages",
        title: l("Meistangefragte Sprachen", "Top languages"),
        categories: top
            .iter()
            .map(|r| language_label(r.name_de, r.name_en, r.language.as_str(), locale))
            .collect(),
        series: vec![
            Series {
                name: l("Anfragen", "Requests"),
                values: top.iter().map(|r| r.requests).collect(),
                fill: Fill::Grey,
            },
            Series {
                name: l("besetzt", "filled"),
                values: top.iter().map(|r| r.fill_rate.filled).collect(),
                fill: Fill::Solid,
            },
        ],
        notes: None,
        horizontal: true,
    };
    let unmet: Vec<_> = summary.unmet_by_language.iter().take(TOP_LANGUAGES).collect();
    let unmet = BarChart {
        id: "chart-unmet",
        title: l(
            "Ungedeckter Bedarf und aktive Sprecher/innen",
            "Unmet demand and active speakers",
        ),
        categories: unmet
            .iter()
            .map(|r| language_label(r.name_de, r.name_en, r.language.as_str(), locale))
            .collect(),
        series: vec![
            Series {
                name: l("ungedeckt", "unmet"),
                values: unmet.iter().map(|r| r.unmet).collect(),
                fill: Fill::Solid,
            },
            Series {
                name: l("niemand kam in Frage", "no one eligible"),
                values: unmet.iter().map(|r| r.no_one_eligible).collect(),
                fill: Fill::Grey,
            },
            Series {
                name: l("aktive Sprecher/innen", "active speakers"),
                values: unmet.iter().map(|r| r.active_speakers).collect(),
                fill: Fill::Outline,
            },
        ],
        notes: None,
        horizontal: true,
    };
    let bands = [
        l("< 1 Std.", "< 1 h"),
        l("1–4 Std.", "1–4 h"),
        l("4–24 Std.", "4–24 h"),
        l("1–3 Tage", "1–3 days"),
        l("≥ 3 Tage", "≥ 3 days"),
    ];
    let fill = BarChart {
        id: "chart-time-to-fill",
        title: l("Zeit bis zur Besetzung", "Time to fill"),
        categories: bands.to_vec(),
        series: vec![Series {
            name: l("Anfragen", "Requests"),
            values: summary.time_to_fill.bands.to_vec(),
            fill: Fill::Solid,
        }],
        notes: None,
        horizontal: false,
    };
    vec![months, languages, unmet, fill]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart() -> BarChart {
        BarChart {
            id: "chart-test",
            title: "Anfragen & Besetzung".to_owned(),
            categories: vec!["Jan".into(), "Feb".into()],
            series: vec![
                Series {
                    name: "Anfragen".into(),
                    values: vec![4, 7],
                    fill: Fill::Outline,
                },
                Series {
                    name: "besetzt".into(),
                    values: vec![3, 7],
                    fill: Fill::Solid,
                },
            ],
            notes: Some(vec!["75 %".into(), "100 %".into()]),
            horizontal: false,
        }
    }

    #[test]
    fn svg_is_an_image_with_a_text_alternative() {
        let svg = chart().svg(Locale::De).unwrap();
        assert!(
            svg.starts_with("<svg id=\"chart-test\" class=\"chart\" role=\"img\""),
            "{svg}"
        );
        assert!(svg.contains("aria-labelledby=\"chart-test-title chart-test-desc\""));
        assert!(svg.contains("<title id=\"chart-test-title\">Anfragen &amp; Besetzung</title>"));
        assert!(svg.contains(
            "<desc id=\"chart-test-desc\">Anfragen &amp; Besetzung. Jan: Anfragen 4, besetzt 3, 75 %; \
             Feb: Anfragen 7, besetzt 7, 100 %.</desc>"
        ));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Values are written on the bars, so print needs no colour.
        assert!(svg.contains(">\n7\n</text>"), "{svg}");
    }

    #[test]
    fn horizontal_chart_grows_with_its_categories() {
        let mut chart = chart();
        chart.horizontal = true;
        let small = chart.height();
        chart.categories.push("Mär".into());
        assert!(chart.height() > small);
        assert!(chart.svg(Locale::En).unwrap().contains("role=\"img\""));
    }

    #[test]
    fn axis_tops_are_round() {
        assert_eq!(nice_top(0), 1);
        assert_eq!(nice_top(3), 5);
        assert_eq!(nice_top(7), 10);
        assert_eq!(nice_top(11), 20);
        assert_eq!(nice_top(230), 500);
    }
}
