//! A table as a file: CSV the way German Excel opens it (UTF-8 with a byte order mark,
//! semicolons, decimal commas), and XLSX with the numbers as numbers.

use crate::ReportError;
use crate::tables::{Cell, Locale, Table};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

/// German Excel reads UTF-8 only after this mark; without it umlauts break.
const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn csv(table: &Table) -> Result<Vec<u8>, ReportError> {
    let mut writer = csv::WriterBuilder::new().delimiter(b';').from_writer(BOM.to_vec());
    let failed = |e: csv::Error| ReportError::Export(e.to_string());
    writer.write_record(&table.headers).map_err(failed)?;
    for row in table.all_rows() {
        // Decimal commas whatever the page's language: the file is for German Excel.
        writer
            .write_record(row.iter().map(|cell| cell.display(Locale::De)))
            .map_err(failed)?;
    }
    writer.into_inner().map_err(|e| ReportError::Export(e.to_string()))
}

pub fn xlsx(table: &Table) -> Result<Vec<u8>, ReportError> {
    write_xlsx(table).map_err(|e| ReportError::Export(e.to_string()))
}

fn write_xlsx(table: &Table) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name(&table.title))?;
    let bold = Format::new().set_bold();
    for (col, header) in table.headers.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, header, &bold)?;
        let width = if col == 0 {
            36
        } else {
            header.chars().count().max(10) + 2
        };
        sheet.set_column_width(col as u16, width as f64)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let rows = table
        .rows
        .iter()
        .map(|r| (r, false))
        .chain(table.total.iter().map(|r| (r, true)));
    for (index, (row, is_total)) in rows.enumerate() {
        let at = index as u32 + 1;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            let format = match cell {
                Cell::Decimal { places, .. } => Format::new().set_num_format(match places {
                    0 => "0",
                    1 => "0.0",
                    _ => "#,##0.00",
                }),
                _ => Format::new(),
            };
            let format = if is_total { format.set_bold() } else { format };
            match cell {
                Cell::Text(text) => sheet.write_string_with_format(at, col, text, &format)?,
                Cell::Int(_) | Cell::Decimal { .. } => {
                    sheet.write_number_with_format(at, col, cell.number().unwrap_or_default(), &format)?
                }
                Cell::Missing => sheet.write_string_with_format(at, col, "–", &format)?,
            };
        }
    }
    workbook.save_to_buffer()
}

/// Excel's sheet names: at most 31 characters, none of `[ ] : * ? / \`.
fn sheet_name(title: &str) -> String {
    title
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .take(31)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tables::TableId;

    fn sample() -> Table {
        Table {
            id: TableId::Volunteers,
            title: "Stunden pro Ehrenamtliche/r".to_owned(),
            headers: vec!["Name".into(), "Einsätze".into(), "Stunden".into()],
            rows: vec![vec![
                Cell::Text("Özlem; K.".into()),
                Cell::Int(3),
                Cell::Decimal { value: 2.25, places: 1 },
            ]],
            total: Some(vec![
                Cell::Text("Summe".into()),
                Cell::Int(3),
                Cell::Decimal { value: 2.25, places: 1 },
            ]),
        }
    }

    #[test]
    fn csv_is_for_german_excel() {
        let bytes = csv(&sample()).unwrap();
        assert!(bytes.starts_with(BOM));
        let text = String::from_utf8(bytes[BOM.len()..].to_vec()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Name;Einsätze;Stunden");
        // A semicolon inside a value is quoted; 2.25 is shown as 2,3 (two decimals round up).
        assert_eq!(lines[1], "\"Özlem; K.\";3;2,3");
        assert_eq!(lines[2], "Summe;3;2,3");
    }

    #[test]
    fn sheet_names_are_what_excel_allows() {
        assert_eq!(sheet_name("Stunden pro Ehrenamtliche/r"), "Stunden pro Ehrenamtliche-r");
        assert_eq!(sheet_name(&"x".repeat(40)).len(), 31);
    }

    #[test]
    fn xlsx_is_a_zip_archive() {
        let bytes = xlsx(&sample()).unwrap();
        assert_eq!(&bytes[..2], b"PK");
    }
}
