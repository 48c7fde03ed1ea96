use super::*;

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn offer() -> OfferMail {
    OfferMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        language_de: "Tigrinya".to_owned(),
        language_en: "Tigrinya".to_owned(),
        // 10:00 in Berlin.
        starts_at: at("2026-12-03T09:00:00Z"),
        duration_minutes: 60,
        mode_de: "vor Ort".to_owned(),
        mode_en: "on site".to_owned(),
        town: Some("Winnenden".to_owned()),
        setting_de: "Behörde".to_owned(),
        setting_en: "authority".to_owned(),
        accept_url: "http://127.0.0.1:8080/o/Zm9vYmFyYmF6cXV4".to_owned(),
        availability_url: Some("http://127.0.0.1:8080/v/YXZhaWxhYmlsaXR5".to_owned()),
        expires_at: at("2026-12-02T17:00:00Z"),
    }
}

fn confirmed() -> AssignmentConfirmedMail {
    AssignmentConfirmedMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        language_de: "Tigrinya".to_owned(),
        language_en: "Tigrinya".to_owned(),
        starts_at: at("2026-12-03T09:00:00Z"),
        duration_minutes: 90,
        mode_de: "vor Ort".to_owned(),
        mode_en: "on site".to_owned(),
        town: Some("Winnenden".to_owned()),
        address: Some("Marktplatz 1; Zimmer 3, 2. OG".to_owned()),
        notes: Some("Termin Ausländerbehörde\nBitte 10 Minuten früher kommen".to_owned()),
        organisation_name: "Stadt Winnenden – Integrationsmanagement".to_owned(),
        caseworker_name: "Jörg Müller".to_owned(),
        caseworker_email: "j.mueller@example.org".to_owned(),
        client_ref: Some("IM-2026-0147".to_owned()),
        manage_url: Some("http://127.0.0.1:8080/o/bWFuYWdl".to_owned()),
        request_id: "7f1c2a9e-1111-4222-8333-944455556666".to_owned(),
    }
}

/// Splits a body at the divider between the German and the English part.
fn halves<'a>(body: &'a str, divider: &str) -> (&'a str, &'a str) {
    body.split_once(divider)
        .unwrap_or_else(|| panic!("no divider `{divider}` in:\n{body}"))
}

const TEXT_DIVIDER: &str = "\nEnglish\n";
const HTML_DIVIDER: &str = "<hr";

#[test]
fn offer_has_german_before_english_in_text_and_html() {
    let email = offer().email();
    let (de, en) = halves(&email.text, TEXT_DIVIDER);
    assert!(de.contains("Hallo Selam Tesfaye") && de.contains("Donnerstag, 3. Dezember 2026, 10:00 Uhr"));
    assert!(en.contains("Hello Selam Tesfaye") && en.contains("Thursday, 3 December 2026, 10:00"));
    assert!(!de.contains("Hello") && !en.contains("Hallo"));
    let (de, en) = halves(&email.html, HTML_DIVIDER);
    assert!(de.contains("Hallo Selam Tesfaye") && en.contains("Hello Selam Tesfaye"));
}

#[test]
fn offer_link_is_in_both_languages_of_both_parts() {
    let mail = offer();
    let email = mail.email();
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        assert!(de.contains(&mail.accept_url), "German part lacks the link:\n{de}");
        assert!(en.contains(&mail.accept_url), "English part lacks the link:\n{en}");
    }
    assert!(email.html.contains(&format!("href=\"{}\"", mail.accept_url)));
    assert!(email.text.contains("„Annehmen“") && email.text.contains("\"Accept\""));
    assert!(email.text.contains("Wer zuerst annimmt, bekommt den Einsatz."));
    assert!(email.text.contains(mail.availability_url.as_deref().unwrap()));
}

#[test]
fn offer_names_the_town_but_no_address_or_client() {
    let email = offer().email();
    assert_eq!(email.kind, "offer");
    assert_eq!(
        email.subject,
        "Dolmetscheinsatz Tigrinya am 03.12.2026 – Interpreting job"
    );
    for body in [&email.text, &email.html] {
        assert!(body.contains("Winnenden"));
        assert!(!body.contains("Marktplatz"));
        assert!(!body.contains("IM-2026"));
    }
    assert!(email.attachment.is_none());
}

#[test]
fn offer_without_town_leaves_out_the_place_line() {
    let mail = OfferMail {
        town: None,
        mode_de: "Telefon".into(),
        mode_en: "phone".into(),
        ..offer()
    };
    let email = mail.email();
    assert!(!email.text.contains("Ort:") && !email.text.contains("Place:"));
    assert!(
        email.text.contains("  Art:      Telefon\n  Bereich:  Behörde\n"),
        "{}",
        email.text
    );
}

#[test]
fn umlauts_survive_in_subject_text_and_html() {
    let email = confirmed().email();
    assert!(
        email
            .subject
            .starts_with("Bestätigt: Dolmetscheinsatz Tigrinya am 03.12.2026")
    );
    for body in [&email.text, &email.html] {
        assert!(body.contains("Jörg Müller"), "{body}");
        assert!(body.contains("gehört Ihnen"));
        assert!(body.contains("Stadt Winnenden – Integrationsmanagement"));
    }
    assert!(
        email
            .text
            .contains("Termin Ausländerbehörde\nBitte 10 Minuten früher kommen")
    );
}

#[test]
fn html_escapes_every_field() {
    let mail = OfferMail {
        volunteer_name: "<script>alert(1)</script>".to_owned(),
        town: Some("A & B \"Ort\"".to_owned()),
        accept_url: "http://x/o/a?b=1&c=<2>".to_owned(),
        ..offer()
    };
    let email = mail.email();
    // askama writes numeric character references.
    assert!(!email.html.contains("<script>"));
    assert!(email.html.contains("Hallo &#60;script&#62;alert(1)&#60;/script&#62;,"));
    assert!(email.html.contains("A &#38; B &#34;Ort&#34;"));
    assert!(email.html.contains("href=\"http://x/o/a?b=1&#38;c=&#60;2&#62;\""));
    assert!(!email.html.contains("c=<2>"));
    // The text part is not HTML and stays as it is.
    assert!(email.text.contains("Hallo <script>alert(1)</script>,"));
}

#[test]
fn confirmation_has_everything_for_the_day_and_a_calendar_entry() {
    let mail = confirmed();
    let email = mail.email();
    assert_eq!(email.kind, "assignment_confirmed");
    for body in [&email.text, &email.html] {
        assert!(body.contains("Marktplatz 1; Zimmer 3, 2. OG, Winnenden"));
        assert!(body.contains("IM-2026-0147"));
        assert!(body.contains("j.mueller@example.org"));
        assert!(body.contains("http://127.0.0.1:8080/o/bWFuYWdl"));
        assert!(body.contains("einsatz.ics"));
    }
    let attachment = email.attachment.expect("an .ics attachment");
    assert_eq!(attachment.filename, "einsatz.ics");
    assert!(attachment.content_type.starts_with("text/calendar"));
}

#[test]
fn confirmation_without_manage_link_points_to_the_caseworker() {
    let mail = AssignmentConfirmedMail {
        manage_url: None,
        notes: None,
        client_ref: None,
        ..confirmed()
    };
    let email = mail.email();
    assert!(
        email
            .text
            .contains("sagen Sie bitte so früh wie möglich Jörg Müller Bescheid")
    );
    assert!(email.text.contains("please tell Jörg Müller as early as possible"));
    assert!(!email.text.contains("Hinweise") && !email.text.contains("Fallkennung"));
}

/// Unfolds RFC 5545 content lines (CRLF followed by one space continues a line).
fn unfold(ics: &str) -> String {
    ics.replace("\r\n ", "")
}

#[test]
fn ics_escapes_commas_semicolons_and_newlines() {
    let ics = confirmed().email().attachment.unwrap().body;
    let lines = unfold(&ics);
    assert!(
        lines.contains("LOCATION:Marktplatz 1\\; Zimmer 3\\, 2. OG\\, Winnenden\r\n"),
        "{lines}"
    );
    assert!(lines.contains("DESCRIPTION:Stadt Winnenden – Integrationsmanagement – Jörg Müller <j.mueller@example.org>\\nvor Ort / on site\r\n"), "{lines}");
    // Every physical line ends in CRLF and holds at most 75 octets.
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line too long: {line}");
        assert!(!line.contains('\n'));
    }
}

#[test]
fn ics_is_a_published_event_in_utc_with_a_stable_uid() {
    let ics = unfold(&confirmed().email().attachment.unwrap().body);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n"));
    assert!(ics.contains("METHOD:PUBLISH\r\n"));
    assert!(ics.contains("VERSION:2.0\r\n"));
    assert!(ics.contains("UID:request-7f1c2a9e-1111-4222-8333-944455556666@linguapool\r\n"));
    assert!(ics.contains("DTSTART:20261203T090000Z\r\n"), "{ics}");
    assert!(ics.contains("DTEND:20261203T103000Z\r\n"), "{ics}");
    assert!(ics.contains("SUMMARY:Dolmetschen Tigrinya / Interpreting Tigrinya\r\n"));
    assert!(ics.contains("DTSTAMP:"));
    // Nothing for a synced calendar that it does not need.
    assert!(!ics.contains("IM-2026") && !ics.contains("/o/") && !ics.contains("Ausländerbehörde"));
    assert!(ics.trim_end().ends_with("END:VCALENDAR"));
}

#[test]
fn every_mail_renders_both_languages_with_its_kind() {
    let starts_at = at("2026-12-03T09:00:00Z");
    let mails = [
        offer().email(),
        OfferFilledMail {
            to: "a@example.org".into(),
            volunteer_name: "Selam".into(),
            language_de: "Tigrinya".into(),
            language_en: "Tigrinya".into(),
            starts_at,
            town: Some("Winnenden".into()),
        }
        .email(),
        confirmed().email(),
        InterpreterFoundMail {
            to: "cw@example.org".into(),
            caseworker_name: "Jörg Müller".into(),
            language_de: "Tigrinya".into(),
            language_en: "Tigrinya".into(),
            starts_at,
            client_ref: Some("IM-2026-0147".into()),
            volunteer_name: "Selam".into(),
            volunteer_phone: Some("+49 151 000000".into()),
            request_url: "http://127.0.0.1:8080/requests/1".into(),
        }
        .email(),
        RequestCancelledMail {
            to: "a@example.org".into(),
            volunteer_name: "Selam".into(),
            language_de: "Tigrinya".into(),
            language_en: "Tigrinya".into(),
            starts_at,
            town: None,
        }
        .email(),
        InterpreterWithdrewMail {
            to: "cw@example.org".into(),
            caseworker_name: "Jörg Müller".into(),
            language_de: "Tigrinya".into(),
            language_en: "Tigrinya".into(),
            starts_at,
            client_ref: Some("IM-2026-0147".into()),
            volunteer_name: "Selam".into(),
            request_url: "http://127.0.0.1:8080/requests/1".into(),
        }
        .email(),
        ReminderMail {
            to: "a@example.org".into(),
            volunteer_name: "Selam".into(),
            language_de: "Tigrinya".into(),
            language_en: "Tigrinya".into(),
            starts_at,
            duration_minutes: 60,
            town: Some("Winnenden".into()),
            address: Some("Marktplatz 1".into()),
            caseworker_name: "Jörg Müller".into(),
            caseworker_email: "cw@example.org".into(),
        }
        .email(),
        RequestUnfilledMail {
            to: "cw@example.org".into(),
            recipient_name: "Jörg Müller".into(),
            language_de: "Tigrinya".into(),
            language_en: "Tigrinya".into(),
            starts_at,
            client_ref: None,
            request_url: "http://127.0.0.1:8080/requests/1".into(),
        }
        .email(),
        StaffWelcomeMail {
            to: "cw@example.org".into(),
            name: "Jörg Müller".into(),
            role_de: "Fallbearbeitung".into(),
            role_en: "caseworker".into(),
            login_url: "http://127.0.0.1:8080/login".into(),
            set_password_url: "http://127.0.0.1:8080/password/s3cret-link".into(),
            valid_until: "28.11.2026".into(),
        }
        .email(),
    ];
    let kinds: Vec<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "offer",
            "offer_filled",
            "assignment_confirmed",
            "interpreter_found",
            "request_cancelled",
            "interpreter_withdrew",
            "reminder",
            "request_unfilled",
            "staff_welcome"
        ]
    );
    for mail in &mails {
        let (de, en) = halves(&mail.text, TEXT_DIVIDER);
        assert!(de.contains("Hallo "), "{}: {de}", mail.kind);
        assert!(en.contains("Hello "), "{}: {en}", mail.kind);
        let (de, en) = halves(&mail.html, HTML_DIVIDER);
        assert!(de.contains("Hallo ") && en.contains("Hello "), "{}", mail.kind);
        assert!(mail.subject.contains(" – "), "{}", mail.subject);
        assert!(!mail.text.contains("{{") && !mail.html.contains("{%"));
    }
    let welcome = &mails[8];
    let reminder = &mails[6];
    assert!(reminder.text.contains("Marktplatz 1, Winnenden") && reminder.text.contains("morgen"));
    assert!(welcome.text.contains("/password/s3cret-link") && welcome.html.contains("/password/s3cret-link"));
    assert!(welcome.text.contains("28.11.2026") && welcome.text.contains("only once"));
    assert!(mails[3].text.contains("+49 151 000000"));
}

#[test]
fn debug_output_leaves_out_bodies_and_passwords() {
    let email = offer().email();
    assert!(!format!("{email:?}").contains("/o/"));
    let welcome = StaffWelcomeMail {
        to: "cw@example.org".into(),
        name: "N".into(),
        role_de: "Koordination".into(),
        role_en: "coordinator".into(),
        login_url: "http://x/login".into(),
        set_password_url: "http://x/password/s3cret-link".into(),
        valid_until: "28.11.2026".into(),
    };
    assert!(!format!("{welcome:?}").contains("s3cret"));
}

#[test]
fn availability_link_mail_carries_its_link_in_both_languages_and_hides_it_in_debug() {
    let mail = AvailabilityLinkMail {
        to: "selam@example.org".into(),
        volunteer_name: "Selam Tesfaye".into(),
        url: "http://127.0.0.1:8080/v/YXZhaWxhYmlsaXR5".into(),
        expires_at: at("2026-12-22T09:00:00Z"),
    };
    let email = mail.email();
    assert_eq!(email.kind, "availability_link");
    assert!(email.subject.contains(" – "), "{}", email.subject);
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        assert!(de.contains("Hallo Selam Tesfaye") && de.contains(&mail.url), "{de}");
        assert!(en.contains("Hello Selam Tesfaye") && en.contains(&mail.url), "{en}");
    }
    assert!(email.text.contains("22. Dezember 2026"), "{}", email.text);
    assert!(!format!("{mail:?}").contains("/v/"));
    assert!(!format!("{email:?}").contains("/v/"));
}
