//! Non-text contrast (WCAG 1.4.11): the focus outline and the input borders, as the style sheets
//! declare them, against every background they sit on, at 3:1 at least. The colours are read
//! from the sheets themselves (staff.css, certificate.css, link.css and availability.css), so
//! a change of colour is checked here.

use std::collections::HashMap;

const STAFF_CSS: &str = include_str!("../../assets/staff.css");
const CERTIFICATE_CSS: &str = include_str!("../../assets/certificate.css");
const LINK_CSS: &str = include_str!("../../assets/link.css");
const AVAILABILITY_CSS: &str = include_str!("../../assets/availability.css");

/// WCAG's minimum for user-interface components and focus indicators.
const MINIMUM: f64 = 3.0;

/// An sRGB colour `#rgb` or `#rrggbb` as its channels in 0..=1.
fn rgb(hex: &str) -> [f64; 3] {
    let digits = hex
        .strip_prefix('#')
        .unwrap_or_else(|| panic!("{hex:?} is not a #hex colour"));
    let full: String = match digits.len() {
        3 => digits.chars().flat_map(|c| [c, c]).collect(),
        6 => digits.to_owned(),
        _ => panic!("{hex:?} is not a #hex colour"),
    };
    let channel = |i: usize| f64::from(u8::from_str_radix(&full[i..i + 2], 16).unwrap()) / 255.0;
    [channel(0), channel(2), channel(4)]
}

/// WCAG 2.1's relative luminance.
fn luminance(hex: &str) -> f64 {
    let linear = |c: f64| {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = rgb(hex).map(linear);
    0.2126 * r + 0.7152 * g + 0.0722 * b
}

/// WCAG 2.1's contrast ratio, 1 to 21.
fn contrast(a: &str, b: &str) -> f64 {
    let (a, b) = (luminance(a), luminance(b));
    (a.max(b) + 0.05) / (a.min(b) + 0.05)
}

/// The rules of a style sheet as (selector, declarations), `@media` wrappers dropped, and its
/// custom properties.
struct Sheet {
    rules: Vec<(String, HashMap<String, String>)>,
    vars: HashMap<String, String>,
}

impl Sheet {
    fn parse(css: &str) -> Self {
        let mut text = String::new();
        let mut rest = css;
        while let Some(start) = rest.find("/*") {
            text.push_str(&rest[..start]);
            let end = rest[start..].find("*/").expect("a closed comment");
            rest = &rest[start + end + 2..];
        }
        text.push_str(rest);
        let mut rules = Vec::new();
        for chunk in text.split('}') {
            let Some((selector, body)) = chunk.rsplit_once('{') else {
                continue;
            };
            let selector = selector.rsplit('{').next().unwrap_or_default().trim().to_owned();
            let declarations: HashMap<String, String> = body
                .split(';')
                .filter_map(|d| d.split_once(':'))
                .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                .collect();
            rules.push((selector, declarations));
        }
        let vars = rules
            .iter()
            .filter(|(selector, _)| selector == ":root")
            .flat_map(|(_, d)| d.iter())
            .filter(|(k, _)| k.starts_with("--"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        Self { rules, vars }
    }

    /// The value of `property` in the first rule whose selector list has `selector`, with
    /// `var(--x)` resolved.
    fn value(&self, selector: &str, property: &str) -> String {
        let value = self
            .rules
            .iter()
            .filter(|(s, _)| s.split(',').any(|one| one.trim() == selector))
            .find_map(|(_, d)| d.get(property))
            .unwrap_or_else(|| panic!("no {property} for {selector}"));
        self.resolve(value)
    }

    fn resolve(&self, value: &str) -> String {
        let mut value = value.to_owned();
        while let Some(start) = value.find("var(") {
            let end = start + value[start..].find(')').expect("a closed var()");
            let name = &value[start + 4..end];
            let resolved = self.vars.get(name).unwrap_or_else(|| panic!("no {name}"));
            value.replace_range(start..=end, resolved);
        }
        value
    }

    /// The colour of a shorthand such as `3px solid #c25e00`.
    fn colour(&self, selector: &str, property: &str) -> String {
        let value = self.value(selector, property);
        value
            .split_whitespace()
            .find(|part| part.starts_with('#'))
            .unwrap_or_else(|| panic!("{selector} {{ {property}: {value} }} names no #hex colour"))
            .to_owned()
    }
}

fn assert_contrast(what: &str, colour: &str, backgrounds: &[(&str, String)]) {
    for (on, background) in backgrounds {
        let ratio = contrast(colour, background);
        assert!(
            ratio >= MINIMUM,
            "{what} {colour} has {ratio:.2}:1 against {on} {background}; WCAG 1.4.11 asks for {MINIMUM}:1"
        );
    }
}

#[test]
fn the_formula_gives_wcags_reference_values() {
    assert!((contrast("#000", "#fff") - 21.0).abs() < 1e-9);
    assert!((contrast("#777", "#777") - 1.0).abs() < 1e-9);
    // The amber outline this check replaced: 1.9:1 on white, as the hand check found.
    assert!((contrast("#f9ab00", "#ffffff") - 1.93).abs() < 0.01);
    assert!((contrast("#767676", "#fff") - 4.54).abs() < 0.01);
}

#[test]
fn staff_pages_focus_outline_and_input_borders_stand_out_from_their_backgrounds() {
    let sheet = Sheet::parse(STAFF_CSS);
    let page = [
        ("the page", sheet.value("body", "background")),
        ("a card", sheet.value(".card", "background")),
        ("a table", sheet.value("table", "background")),
    ];
    let boxes = [
        ("the header", sheet.value("header.top", "background")),
        ("a notice", sheet.value(".notice", "background")),
        ("an error", sheet.value(".error", "background")),
        ("a hint", sheet.value(".hint", "background")),
    ];
    let focus = sheet.colour("a:focus-visible", "outline");
    for element in ["button:focus-visible", "input:focus-visible", "select:focus-visible"] {
        assert_eq!(sheet.colour(element, "outline"), focus, "{element}");
    }
    assert_contrast("the focus outline", &focus, &page);
    assert_contrast("the focus outline", &focus, &boxes);

    let field = sheet.colour("input", "border");
    let inside = ("an input", sheet.value("input", "background"));
    assert_contrast("an input's border", &field, &page);
    assert_contrast("an input's border", &field, std::slice::from_ref(&inside));
    let button = sheet.colour("button", "border");
    assert_contrast("a button's border", &button, &page);
}

#[test]
fn link_pages_focus_outline_and_input_borders_stand_out_from_their_backgrounds() {
    let base = Sheet::parse(LINK_CSS);
    let page = [
        ("the page", base.value("body", "background")),
        ("a card", base.value(".card", "background")),
    ];
    let focus = base.colour("a:focus-visible", "outline");
    assert_eq!(base.colour("button:focus-visible", "outline"), focus);
    assert_eq!(base.colour("input:focus-visible", "outline"), focus);
    assert_contrast("the focus outline", &focus, &page);

    let form = Sheet::parse(AVAILABILITY_CSS);
    let field = form.colour("input[type=time]", "border");
    let inside = ("an input", form.value("input[type=time]", "background"));
    assert_contrast("an input's border", &field, &page);
    assert_contrast("an input's border", &field, std::slice::from_ref(&inside));
}

#[test]
fn the_certificates_focus_outline_stands_out_from_its_page() {
    let sheet = Sheet::parse(CERTIFICATE_CSS);
    let page = [
        ("the page", sheet.value("body", "background")),
        ("the sheet", sheet.value(".sheet", "background")),
    ];
    assert_contrast("the focus outline", &sheet.colour("a:focus-visible", "outline"), &page);
}
