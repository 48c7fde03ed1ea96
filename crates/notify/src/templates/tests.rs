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
        series_dates: Vec::new(),
        accept_window_minutes: 0,
    }
}

/// A volunteer's calendar subscription, as the confirmations carry it.
const CALENDAR_URL: &str = "http://127.0.0.1:8080/calendar/Y2FsZW5kYXI.ics";

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
        video_url: None,
        calendar_url: Some(CALENDAR_URL.to_owned()),
        request_id: "7f1c2a9e-1111-4222-8333-944455556666".to_owned(),
        more_dates: Vec::new(),
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
fn offer_with_an_acceptance_window_says_the_job_goes_to_the_fairest_not_the_first() {
    let email = OfferMail {
        accept_window_minutes: 10,
        ..offer()
    }
    .email();
    for body in [&email.text, &email.html] {
        assert!(body.contains("10 Minuten lang Zusagen"), "{body}");
        assert!(body.contains("acceptances for 10 minutes"), "{body}");
        assert!(!body.contains("Wer zuerst annimmt"), "{body}");
    }
    let first_wins = offer().email();
    assert!(
        first_wins
            .text
            .contains("Wer zuerst annimmt, bekommt den Einsatz. Das Angebot gilt bis")
    );
    assert!(
        first_wins
            .text
            .contains("The first person to accept gets the job. The offer is open until")
    );
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
fn a_video_appointment_gives_both_sides_the_same_meeting_link_and_the_calendar_entry_too() {
    let url = "https://video.winnenden.example/linguapool-3f9a0c1d2e4b5a6978867564534231ab";
    let confirmation = AssignmentConfirmedMail {
        mode_de: "Video".to_owned(),
        mode_en: "video".to_owned(),
        town: None,
        address: None,
        video_url: Some(url.to_owned()),
        ..confirmed()
    }
    .email();
    for body in [&confirmation.text, &confirmation.html] {
        let (de, en) = halves(
            body,
            if body.contains("<hr") {
                HTML_DIVIDER
            } else {
                TEXT_DIVIDER
            },
        );
        assert!(de.contains("Videolink") && de.contains(url), "{de}");
        assert!(en.contains("Video link") && en.contains(url), "{en}");
    }
    let ics = confirmation.attachment.unwrap().body;
    let unfolded = ics.replace("\r\n ", "");
    assert!(unfolded.contains(&format!("URL:{url}")), "{ics}");
    assert!(unfolded.contains(&format!("LOCATION:{url}")), "{ics}");
    let found = InterpreterFoundMail {
        to: "cw@example.org".into(),
        caseworker_name: "Jörg Müller".into(),
        language_de: "Tigrinya".into(),
        language_en: "Tigrinya".into(),
        starts_at: at("2026-12-03T09:00:00Z"),
        client_ref: None,
        volunteer_name: "Selam".into(),
        volunteer_phone: None,
        request_url: "http://127.0.0.1:8080/requests/1".into(),
        video_url: Some(url.to_owned()),
        series_taken: Vec::new(),
        series_released: Vec::new(),
    }
    .email();
    assert!(found.text.contains(url) && found.html.contains(url));
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
            video_url: None,
            series_taken: Vec::new(),
            series_released: Vec::new(),
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
            video_url: None,
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

// The training mails.

const TRAINING_LINK: &str = "http://127.0.0.1:8080/t/dHJhaW5pbmc";

fn training_facts() -> TrainingFacts {
    TrainingFacts {
        training_id: "0b6f3d2c-2222-4333-8444-955566667777".to_owned(),
        title: "Dolmetschen im Sozialbereich".to_owned(),
        kind_de: "Grundschulung".to_owned(),
        kind_en: "basic training".to_owned(),
        // Saturday, 10:00 in Berlin, three hours.
        starts_at: at("2027-01-16T09:00:00Z"),
        duration_minutes: 180,
        location: "Rathaus Winnenden, Sitzungssaal".to_owned(),
        trainer: Some("Dr. Ayşe Yılmaz".to_owned()),
    }
}

fn invitation() -> TrainingInvitationMail {
    TrainingInvitationMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        training: training_facts(),
        registration_deadline: at("2027-01-09T22:59:00Z"),
        description: Some("Rollen, Schweigepflicht und Grenzen.\nMit Übungen in kleinen Gruppen.".to_owned()),
        link_url: TRAINING_LINK.to_owned(),
    }
}

fn registered() -> TrainingRegisteredMail {
    TrainingRegisteredMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        training: training_facts(),
        link_url: Some(TRAINING_LINK.to_owned()),
        calendar_url: Some(CALENDAR_URL.to_owned()),
    }
}

fn moved_up() -> TrainingMovedUpMail {
    TrainingMovedUpMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        training: training_facts(),
        calendar_url: Some(CALENDAR_URL.to_owned()),
    }
}

fn waiting() -> TrainingWaitingMail {
    TrainingWaitingMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        training: training_facts(),
        position: 3,
        link_url: Some(TRAINING_LINK.to_owned()),
    }
}

fn training_reminder() -> TrainingReminderMail {
    TrainingReminderMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        training: training_facts(),
    }
}

fn training_cancelled(was_waiting: bool) -> TrainingCancelledMail {
    TrainingCancelledMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        training: training_facts(),
        was_waiting,
    }
}

fn expiring(next_refresher: Option<NextRefresher>) -> TrainingExpiringMail {
    TrainingExpiringMail {
        to: "selam@example.org".to_owned(),
        volunteer_name: "Selam Tesfaye".to_owned(),
        valid_until: NaiveDate::from_ymd_opt(2027, 1, 31).unwrap(),
        next_refresher,
    }
}

fn refresher() -> NextRefresher {
    NextRefresher {
        training: TrainingFacts {
            training_id: "5d4c3b2a-3333-4444-8555-a66677778888".to_owned(),
            title: "Auffrischung: Dolmetschen im Sozialbereich".to_owned(),
            kind_de: "Auffrischung".to_owned(),
            kind_en: "refresher".to_owned(),
            // Wednesday, 18:00 in Berlin.
            starts_at: at("2027-01-20T17:00:00Z"),
            duration_minutes: 120,
            location: "Volkshochschule Waiblingen".to_owned(),
            trainer: None,
        },
        link_url: Some("http://127.0.0.1:8080/t/cmVmcmVzaGVy".to_owned()),
    }
}

/// Every training mail with a training, in one shape for the shared checks.
fn training_mails(training: &TrainingFacts) -> Vec<Email> {
    vec![
        TrainingInvitationMail {
            training: training.clone(),
            ..invitation()
        }
        .email(),
        TrainingRegisteredMail {
            training: training.clone(),
            ..registered()
        }
        .email(),
        TrainingMovedUpMail {
            training: training.clone(),
            ..moved_up()
        }
        .email(),
        TrainingWaitingMail {
            training: training.clone(),
            ..waiting()
        }
        .email(),
        TrainingReminderMail {
            training: training.clone(),
            ..training_reminder()
        }
        .email(),
        TrainingCancelledMail {
            training: training.clone(),
            ..training_cancelled(false)
        }
        .email(),
        TrainingCancelledMail {
            training: training.clone(),
            ..training_cancelled(true)
        }
        .email(),
    ]
}

#[test]
fn training_mails_have_german_before_english_with_the_facts_in_both() {
    let mails = training_mails(&training_facts());
    let kinds: Vec<&str> = mails.iter().map(|m| m.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "training_invitation",
            "training_registered",
            "training_moved_up",
            "training_waiting",
            "training_reminder",
            "training_cancelled",
            "training_cancelled"
        ]
    );
    for mail in &mails {
        for (body, divider) in [(&mail.text, TEXT_DIVIDER), (&mail.html, HTML_DIVIDER)] {
            let (de, en) = halves(body, divider);
            assert!(de.contains("Hallo Selam Tesfaye"), "{}: {de}", mail.kind);
            assert!(en.contains("Hello Selam Tesfaye"), "{}: {en}", mail.kind);
            assert!(!de.contains("Hello") && !en.contains("Hallo"), "{}", mail.kind);
            for half in [de, en] {
                assert!(half.contains("Dolmetschen im Sozialbereich"), "{}: {half}", mail.kind);
                assert!(
                    half.contains("Rathaus Winnenden, Sitzungssaal"),
                    "{}: {half}",
                    mail.kind
                );
            }
            assert!(
                de.contains("Samstag, 16. Januar 2027, 10:00 Uhr"),
                "{}: {de}",
                mail.kind
            );
            assert!(en.contains("Saturday, 16 January 2027, 10:00"), "{}: {en}", mail.kind);
        }
        assert!(
            mail.subject.contains("Dolmetschen im Sozialbereich"),
            "{}",
            mail.subject
        );
        assert!(
            mail.subject.contains("16.01.2027") && mail.subject.contains(" – "),
            "{}",
            mail.subject
        );
        assert!(!mail.text.contains("{{") && !mail.html.contains("{%"), "{}", mail.kind);
    }
    // All but the cancellations give the full facts.
    for mail in &mails[..5] {
        let (de, en) = halves(&mail.text, TEXT_DIVIDER);
        assert!(de.contains("  Art:      Grundschulung\n"), "{}: {de}", mail.kind);
        assert!(de.contains("  Dauer:    180 Minuten\n"), "{}: {de}", mail.kind);
        assert!(de.contains("  Leitung:  Dr. Ayşe Yılmaz\n"), "{}: {de}", mail.kind);
        assert!(en.contains("  Type:     basic training\n"), "{}: {en}", mail.kind);
        assert!(en.contains("  Duration: 180 minutes\n"), "{}: {en}", mail.kind);
        assert!(en.contains("  Trainer:  Dr. Ayşe Yılmaz\n"), "{}: {en}", mail.kind);
        let (de, en) = halves(&mail.html, HTML_DIVIDER);
        assert!(
            de.contains("Grundschulung") && de.contains("180 Minuten"),
            "{}",
            mail.kind
        );
        assert!(
            en.contains("basic training") && en.contains("180 minutes"),
            "{}",
            mail.kind
        );
    }
}

#[test]
fn training_mails_without_trainer_leave_out_the_trainer_line() {
    let training = TrainingFacts {
        trainer: None,
        ..training_facts()
    };
    for mail in training_mails(&training) {
        assert!(
            !mail.text.contains("Leitung") && !mail.text.contains("Trainer:"),
            "{}",
            mail.text
        );
        assert!(
            !mail.html.contains("Leitung") && !mail.html.contains(">Trainer<"),
            "{}",
            mail.kind
        );
    }
    let email = TrainingWaitingMail { training, ..waiting() }.email();
    assert!(
        email
            .text
            .contains("  Ort:      Rathaus Winnenden, Sitzungssaal\n\nSobald ein Platz"),
        "{}",
        email.text
    );
}

#[test]
fn training_mails_with_a_link_carry_it_in_both_languages_of_both_parts() {
    let mails = training_mails(&training_facts());
    // Only the answers to a link action carry it: the plain token exists only then.
    let (with_link, without): (Vec<&Email>, Vec<&Email>) = mails
        .iter()
        .partition(|m| ["training_invitation", "training_registered", "training_waiting"].contains(&m.kind.as_str()));
    assert_eq!(with_link.len(), 3);
    for mail in with_link {
        for (body, divider) in [(&mail.text, TEXT_DIVIDER), (&mail.html, HTML_DIVIDER)] {
            let (de, en) = halves(body, divider);
            assert!(
                de.contains(TRAINING_LINK),
                "{}: German part lacks the link:\n{de}",
                mail.kind
            );
            assert!(
                en.contains(TRAINING_LINK),
                "{}: English part lacks the link:\n{en}",
                mail.kind
            );
        }
        assert!(
            mail.html.contains(&format!("href=\"{TRAINING_LINK}\"")),
            "{}",
            mail.kind
        );
    }
    // Moved up and reminded point to the invitation's link; a cancelled training has nothing
    // left to do on its page.
    for mail in without {
        assert!(
            !mail.text.contains("/t/") && !mail.html.contains("/t/"),
            "{}",
            mail.kind
        );
        if mail.kind == "training_cancelled" {
            assert!(mail.attachment.is_none());
        }
    }
}

#[test]
fn training_html_escapes_the_title_and_the_text_keeps_it() {
    let training = TrainingFacts {
        title: "Rollen <b>& Grenzen".to_owned(),
        ..training_facts()
    };
    let mut mails = training_mails(&training);
    mails.push(
        expiring(Some(NextRefresher {
            training: training.clone(),
            ..refresher()
        }))
        .email(),
    );
    for mail in &mails {
        assert!(!mail.html.contains("<b>"), "{}: {}", mail.kind, mail.html);
        assert!(
            mail.html.contains("Rollen &#60;b&#62;&#38; Grenzen"),
            "{}: {}",
            mail.kind,
            mail.html
        );
        assert!(
            mail.text.contains("Rollen <b>& Grenzen"),
            "{}: {}",
            mail.kind,
            mail.text
        );
    }
}

#[test]
fn training_invitation_names_the_buttons_the_deadline_and_the_description() {
    let mail = invitation();
    let email = mail.email();
    assert_eq!(
        email.subject,
        "Einladung: Dolmetschen im Sozialbereich am 16.01.2027 – Invitation to a training"
    );
    assert!(email.text.contains("„Anmelden“ und „Absagen“"), "{}", email.text);
    assert!(email.text.contains("\"Register\" and \"Decline\""), "{}", email.text);
    assert!(email.html.contains("„Anmelden“ und „Absagen“") && email.html.contains("“Register” and “Decline”"));
    // 22:59 UTC is 23:59 in Berlin.
    let (de, en) = halves(&email.text, TEXT_DIVIDER);
    assert!(de.contains("bis Samstag, 9. Januar 2027, 23:59 Uhr möglich"), "{de}");
    assert!(en.contains("open until Saturday, 9 January 2027, 23:59"), "{en}");
    assert!(
        de.contains("Rollen, Schweigepflicht und Grenzen.\nMit Übungen in kleinen Gruppen.")
            && en.contains("Mit Übungen"),
        "{}",
        email.text
    );
    assert!(email.html.contains("white-space:pre-line;\">Rollen, Schweigepflicht"));
    assert!(email.attachment.is_none());

    let without = TrainingInvitationMail {
        description: None,
        ..invitation()
    }
    .email();
    assert!(!without.text.contains("Schweigepflicht") && !without.html.contains("pre-line"));
    assert!(
        without
            .text
            .contains("  Leitung:  Dr. Ayşe Yılmaz\n\nMöchten Sie teilnehmen?"),
        "{}",
        without.text
    );
}

#[test]
fn training_registered_and_moved_up_say_how_to_cancel_and_attach_the_entry() {
    let registered = registered().email();
    let moved_up = moved_up().email();
    assert!(registered.text.contains("Sie sind für die Schulung angemeldet"));
    assert!(registered.text.contains("you are registered for the training"));
    assert!(
        moved_up
            .text
            .contains("von der Warteliste nachgerückt und jetzt angemeldet")
    );
    assert!(
        moved_up
            .text
            .contains("moved up from the waiting list and are now registered")
    );
    assert!(moved_up.html.contains("ein Platz frei geworden") && moved_up.html.contains("a place has become free"));
    for body in [&registered.text, &registered.html] {
        assert!(body.contains(
            "Wenn Sie doch nicht kommen können, sagen Sie bitte über diesen Link ab, damit jemand von der Warteliste nachrücken kann"
        ));
    }
    // Moving up is not an answer to the volunteer's link, whose plain token is gone by then.
    for body in [&moved_up.text, &moved_up.html] {
        assert!(
            body.contains("sagen Sie bitte über den Link in Ihrer Einladung ab"),
            "{body}"
        );
        assert!(
            body.contains("please cancel through the link in your invitation"),
            "{body}"
        );
    }
    for email in [&registered, &moved_up] {
        for body in [&email.text, &email.html] {
            assert!(body.contains("so that someone from the waiting list can take your place"));
            assert!(body.contains("schulung.ics"), "{}", email.kind);
        }
        let attachment = email.attachment.as_ref().expect("an .ics attachment");
        assert_eq!(attachment.filename, "schulung.ics");
        assert_eq!(attachment.content_type, "text/calendar; charset=utf-8; method=PUBLISH");
    }
}

/// The properties of the one VEVENT of an iCalendar body, by name (see [`parse_ics`]).
fn parse_ics_event(ics: &str) -> std::collections::BTreeMap<String, String> {
    let mut events = parse_ics(ics);
    assert_eq!(events.len(), 1, "{ics}");
    events.pop().unwrap()
}

/// Reads an iCalendar body as far as these tests need it: CRLF lines of at most 75 octets,
/// unfolded into `NAME[;PARAM…]:VALUE` properties, with balanced BEGIN/END. Returns the
/// properties of each VEVENT, by name.
fn parse_ics(ics: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    assert!(ics.ends_with("\r\n"), "{ics}");
    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line too long: {line}");
        assert!(!line.contains('\n'));
    }
    let mut open: Vec<String> = Vec::new();
    let mut events = Vec::new();
    for line in unfold(ics).lines() {
        let (name, value) = line.split_once(':').unwrap_or_else(|| panic!("not a property: {line}"));
        let name = name.split(';').next().unwrap();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_uppercase() || c == '-'),
            "bad name: {line}"
        );
        match name {
            "BEGIN" => {
                open.push(value.to_owned());
                if value == "VEVENT" {
                    events.push(std::collections::BTreeMap::new());
                }
            }
            "END" => assert_eq!(open.pop().as_deref(), Some(value), "unbalanced: {ics}"),
            _ if open.last().map(String::as_str) == Some("VEVENT") => {
                let previous = events.last_mut().unwrap().insert(name.to_owned(), value.to_owned());
                assert!(previous.is_none(), "{name} twice");
            }
            _ => assert_eq!(open, ["VCALENDAR"], "property outside the calendar: {line}"),
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    events
}

#[test]
fn training_ics_is_a_parseable_event_with_a_stable_uid_and_no_link() {
    for email in [registered().email(), moved_up().email()] {
        let ics = email.attachment.unwrap().body;
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("METHOD:PUBLISH\r\n"));
        let event = parse_ics_event(&ics);
        assert_eq!(event["UID"], "training-0b6f3d2c-2222-4333-8444-955566667777@linguapool");
        assert_eq!(event["SUMMARY"], "Dolmetschen im Sozialbereich");
        assert_eq!(event["DTSTART"], "20270116T090000Z");
        assert_eq!(event["DTEND"], "20270116T120000Z");
        assert_eq!(event["LOCATION"], "Rathaus Winnenden\\, Sitzungssaal");
        assert_eq!(
            event["DESCRIPTION"],
            "Grundschulung / basic training\\nLeitung / Trainer: Dr. Ayşe Yılmaz"
        );
        assert!(event.contains_key("DTSTAMP"));
        assert!(!ics.contains("/t/") && !ics.contains("dHJhaW5pbmc"), "{ics}");
    }
    let without_trainer = TrainingRegisteredMail {
        training: TrainingFacts {
            trainer: None,
            ..training_facts()
        },
        ..registered()
    };
    let event = parse_ics_event(&without_trainer.email().attachment.unwrap().body);
    assert_eq!(event["DESCRIPTION"], "Grundschulung / basic training");
}

#[test]
fn training_waiting_mail_shows_the_position() {
    let email = waiting().email();
    assert_eq!(email.kind, "training_waiting");
    let (de, en) = halves(&email.text, TEXT_DIVIDER);
    assert!(de.contains("Sie sind Nummer 3 auf der Warteliste"), "{de}");
    assert!(en.contains("You are number 3 on the waiting list"), "{en}");
    assert!(de.contains("bekommen eine E-Mail") && en.contains("get an email"));
    let (de, en) = halves(&email.html, HTML_DIVIDER);
    assert!(de.contains("<strong>Nummer 3</strong>") && en.contains("<strong>number 3</strong>"));
    assert!(email.text.contains("Warteliste stehen möchten") && email.text.contains("leave it through this link"));
    assert!(email.attachment.is_none());
    let twelfth = TrainingWaitingMail {
        position: 12,
        ..waiting()
    }
    .email();
    assert!(twelfth.text.contains("Nummer 12") && twelfth.html.contains("number 12"));
}

#[test]
fn training_reminder_says_tomorrow_and_how_to_cancel() {
    let email = training_reminder().email();
    assert_eq!(
        email.subject,
        "Erinnerung: Dolmetschen im Sozialbereich morgen, 16.01.2027 – Reminder: training tomorrow"
    );
    let (de, en) = halves(&email.text, TEXT_DIVIDER);
    assert!(
        de.contains("morgen ist Ihre Schulung") && de.contains("über den Link in Ihrer Einladung ab"),
        "{de}"
    );
    assert!(
        en.contains("your training is tomorrow") && en.contains("please cancel through the link in your invitation"),
        "{en}"
    );
    assert!(email.attachment.is_none());
}

#[test]
fn training_cancelled_tells_registered_from_waiting() {
    let registered = training_cancelled(false).email();
    let waiting = training_cancelled(true).email();
    for email in [&registered, &waiting] {
        assert_eq!(email.kind, "training_cancelled");
        assert!(
            email.text.contains("wurde von der Koordination abgesagt"),
            "{}",
            email.text
        );
        assert!(
            email.text.contains("has been cancelled by the coordinator"),
            "{}",
            email.text
        );
        assert!(email.html.contains("<strong>abgesagt</strong>") && email.html.contains("<strong>cancelled</strong>"));
    }
    for body in [&registered.text, &registered.html] {
        assert!(body.contains("Sie waren dafür angemeldet") && body.contains("You were registered for it"));
        assert!(body.contains("aus Ihrem Kalender") && body.contains("remove it from your calendar"));
        assert!(!body.contains("Warteliste") && !body.contains("waiting list"));
    }
    for body in [&waiting.text, &waiting.html] {
        assert!(body.contains("Sie standen dafür auf der Warteliste") && body.contains("You were on the waiting list"));
        assert!(!body.contains("angemeldet") && !body.contains("registered"));
        assert!(!body.contains("Kalender") && !body.contains("calendar"));
    }
    assert!(registered.text.contains(
        "die Schulung „Dolmetschen im Sozialbereich“ am Samstag, 16. Januar 2027, 10:00 Uhr (Rathaus Winnenden, Sitzungssaal) wurde"
    ));
    assert!(registered.text.contains(
        "the training \"Dolmetschen im Sozialbereich\" on Saturday, 16 January 2027, 10:00 (Rathaus Winnenden, Sitzungssaal) has been"
    ));
}

#[test]
fn training_expiring_with_a_next_refresher_names_it_with_its_link() {
    let mail = expiring(Some(refresher()));
    let email = mail.email();
    assert_eq!(email.kind, "training_expiring");
    assert_eq!(email.to, "selam@example.org");
    assert!(
        email.subject.contains("31.01.2027") && email.subject.contains(" – "),
        "{}",
        email.subject
    );
    let link = "http://127.0.0.1:8080/t/cmVmcmVzaGVy";
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        assert!(de.contains("Hallo Selam Tesfaye") && en.contains("Hello Selam Tesfaye"));
        assert!(
            de.contains("31.01.2027") && de.contains("Auffrischungsschulung"),
            "{de}"
        );
        assert!(
            en.contains("31 January 2027") && en.contains("refresher training"),
            "{en}"
        );
        for half in [de, en] {
            assert!(half.contains("Auffrischung: Dolmetschen im Sozialbereich"), "{half}");
            assert!(
                half.contains("Volkshochschule Waiblingen") && half.contains(link),
                "{half}"
            );
        }
        assert!(de.contains("Mittwoch, 20. Januar 2027, 18:00 Uhr"), "{de}");
        assert!(en.contains("Wednesday, 20 January 2027, 18:00"), "{en}");
        assert!(!de.contains("laden wir Sie ein") && !en.contains("We will invite you"));
    }
    assert!(email.html.contains(&format!("href=\"{link}\"")));
    assert!(email.text.contains("  Dauer:    120 Minuten\n") && !email.text.contains("Leitung"));
    assert!(email.attachment.is_none());
}

#[test]
fn training_expiring_for_someone_invited_already_points_to_that_invitation() {
    let email = expiring(Some(NextRefresher {
        link_url: None,
        ..refresher()
    }))
    .email();
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        assert!(de.contains("Auffrischung: Dolmetschen im Sozialbereich"), "{de}");
        assert!(de.contains("Ihre Einladung dazu haben Sie schon bekommen"), "{de}");
        assert!(en.contains("You have been invited to it already"), "{en}");
        assert!(!body.contains("/t/"), "{body}");
    }
}

#[test]
fn training_expiring_without_a_next_refresher_promises_an_invitation() {
    let email = expiring(None).email();
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        assert!(
            de.contains("gilt noch bis einschließlich") && de.contains("31.01.2027"),
            "{de}"
        );
        assert!(
            en.contains("valid up to and including") && en.contains("31 January 2027"),
            "{en}"
        );
        assert!(
            de.contains("Sobald die nächste Auffrischungsschulung geplant ist, laden wir Sie ein."),
            "{de}"
        );
        assert!(
            en.contains("We will invite you as soon as the next refresher is scheduled."),
            "{en}"
        );
    }
    assert!(!email.text.contains("/t/") && !email.html.contains("href=\"http"));
    assert!(!email.text.contains("Schulung:") && !email.html.contains("<table"));
    // Single-digit days and months keep their zero in German only.
    let march = TrainingExpiringMail {
        valid_until: NaiveDate::from_ymd_opt(2027, 3, 5).unwrap(),
        ..expiring(None)
    }
    .email();
    assert!(
        march.text.contains("05.03.2027") && march.text.contains("5 March 2027"),
        "{}",
        march.text
    );
}

#[test]
fn training_debug_output_leaves_out_the_links() {
    let debug = [
        format!("{:?}", invitation()),
        format!("{:?}", registered()),
        format!("{:?}", moved_up()),
        format!("{:?}", waiting()),
        format!("{:?}", training_reminder()),
        format!("{:?}", training_cancelled(false)),
        format!("{:?}", expiring(Some(refresher()))),
        format!("{:?}", invitation().email()),
    ];
    for debug in &debug {
        assert!(!debug.contains("/t/"), "{debug}");
    }
    assert!(debug[0].contains("TrainingInvitationMail") && debug[0].contains("0b6f3d2c"));
    assert!(debug[6].contains("NextRefresher") && debug[6].contains("Auffrischung"));
}

fn nachweis(record: Option<NachweisRecord>) -> NachweisMail {
    NachweisMail {
        to: "selam@example.org".into(),
        volunteer_name: "Selam Tesfaye".into(),
        year: 2026,
        organisation: "Dolmetscherpool Teststadt".into(),
        organisation_address: Some("Marktplatz 1, 12345 Teststadt".into()),
        coordinator: "K. Koordinatorin".into(),
        record,
        issued_on: "23.11.2026".into(),
    }
}

#[test]
fn nachweis_mail_confirms_the_years_figures_in_both_languages() {
    let record = NachweisRecord {
        assignments: 3,
        hours_de: "2,5".into(),
        hours_en: "2.5".into(),
        settings: vec![NachweisSetting {
            de: "Gesundheit".into(),
            en: "medical".into(),
            assignments: 3,
            hours_de: "2,5".into(),
            hours_en: "2.5".into(),
        }],
        trainings: vec![NachweisTraining {
            day: "10.03.2026".into(),
            title: "Grundschulung Dolmetschen".into(),
            kind_de: "Grundschulung".into(),
            kind_en: "basic training".into(),
        }],
        allowance: Some(("24,00".into(), "24.00".into())),
    };
    let mail = nachweis(Some(record));
    let email = mail.email();
    assert_eq!(email.kind, "nachweis");
    assert!(email.subject.contains("Ehrenamtsnachweis 2026 – "), "{}", email.subject);
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        for expected in [
            "Hallo Selam Tesfaye",
            "Ehrenamtsnachweis 2026",
            "Dolmetscherpool Teststadt",
            "K. Koordinatorin",
            "Einsätze",
            "2,5",
            "Gesundheit: 3 Einsätze, 2,5 Stunden",
            "Grundschulung Dolmetschen",
            "10.03.2026",
            "24,00 €",
            "Ausgestellt am 23.11.2026",
        ] {
            assert!(de.contains(expected), "{expected} missing in {de}");
        }
        for expected in [
            "Hello Selam Tesfaye",
            "volunteered as a community interpreter in 2026",
            "medical: 3 assignments, 2.5 hours",
            "basic training",
            "€24.00",
            "Issued on 23.11.2026",
        ] {
            assert!(en.contains(expected), "{expected} missing in {en}");
        }
        assert!(!de.contains("nichts zu bestätigen"));
    }
    assert!(email.html.contains(r#"<div lang="en">"#));
    let debug = format!("{mail:?}");
    assert!(
        !debug.contains("selam@") && !debug.contains("Selam") && !debug.contains("2,5"),
        "{debug}"
    );
}

#[test]
fn nachweis_mail_of_a_year_without_activity_says_there_is_nothing_to_confirm() {
    let email = nachweis(None).email();
    for (body, divider) in [(&email.text, TEXT_DIVIDER), (&email.html, HTML_DIVIDER)] {
        let (de, en) = halves(body, divider);
        assert!(
            de.contains("nichts zu bestätigen") && !de.contains("Hiermit wird bestätigt"),
            "{de}"
        );
        assert!(
            en.contains("nothing to confirm") && !en.contains("This confirms"),
            "{en}"
        );
    }
}

#[test]
fn confirmations_carry_the_calendar_subscription_in_both_languages() {
    for email in [confirmed().email(), registered().email(), moved_up().email()] {
        let (de, en) = halves(&email.text, TEXT_DIVIDER);
        assert!(
            de.contains("Ihr persönlicher Kalender") && de.contains(CALENDAR_URL),
            "{de}"
        );
        assert!(en.contains("Your own calendar") && en.contains(CALENDAR_URL), "{en}");
        let (de, en) = halves(&email.html, HTML_DIVIDER);
        assert!(de.contains(&format!("href=\"{CALENDAR_URL}\"")), "{de}");
        assert!(en.contains(&format!("href=\"{CALENDAR_URL}\"")), "{en}");
        // The subscription is not part of the attached entry: it syncs to other calendars.
        assert!(!email.attachment.unwrap().body.contains("/calendar/"));
    }
    let without = AssignmentConfirmedMail {
        calendar_url: None,
        ..confirmed()
    }
    .email();
    assert!(!without.text.contains("Kalender-App") && !without.html.contains("Kalender-App"));
    assert!(
        without.text.contains(".ics).\n\nFalls Sie doch nicht können"),
        "{}",
        without.text
    );
}

#[test]
fn feed_holds_each_assignment_and_training_with_the_attachments_uids() {
    let feed = CalendarFeed {
        assignments: vec![FeedAssignment {
            request_id: "7f1c2a9e-1111-4222-8333-944455556666".to_owned(),
            language_de: "Tigrinya".to_owned(),
            language_en: "Tigrinya".to_owned(),
            starts_at: at("2026-12-03T09:00:00Z"),
            duration_minutes: 90,
            mode_de: "vor Ort".to_owned(),
            mode_en: "on site".to_owned(),
            town: Some("Winnenden".to_owned()),
            address: Some("Marktplatz 1".to_owned()),
            organisation_name: "Stadt Winnenden".to_owned(),
            video_url: None,
        }],
        trainings: vec![training_facts()],
    };
    let ics = feed.ics(at("2026-11-30T12:00:00Z"));
    let unfolded = unfold(&ics);
    assert!(unfolded.starts_with("BEGIN:VCALENDAR\r\n") && unfolded.ends_with("END:VCALENDAR\r\n"));
    assert!(unfolded.contains("X-WR-CALNAME:Dolmetscherpool – Meine Einsätze / My jobs\r\n"));
    assert!(unfolded.contains("REFRESH-INTERVAL;VALUE=DURATION:"));
    let events = parse_ics(&ics);
    assert_eq!(events.len(), 2, "{ics}");
    let job = &events[0];
    // The same UID as the confirmation's attachment: one entry per request.
    let attached = parse_ics_event(&confirmed().email().attachment.unwrap().body);
    assert_eq!(job["UID"], attached["UID"]);
    assert_eq!(job["SUMMARY"], "Dolmetschen Tigrinya / Interpreting Tigrinya");
    assert_eq!(job["DTSTART"], "20261203T090000Z");
    assert_eq!(job["DTEND"], "20261203T103000Z");
    assert_eq!(job["LOCATION"], "Marktplatz 1\\, Winnenden");
    assert_eq!(job["DESCRIPTION"], "Stadt Winnenden\\nvor Ort / on site");
    assert_eq!(job["DTSTAMP"], "20261130T120000Z");
    let training = &events[1];
    assert_eq!(
        training["UID"],
        "training-0b6f3d2c-2222-4333-8444-955566667777@linguapool"
    );
    assert_eq!(training["SUMMARY"], "Dolmetschen im Sozialbereich");
    let empty = CalendarFeed {
        assignments: Vec::new(),
        trainings: Vec::new(),
    }
    .ics(at("2026-11-30T12:00:00Z"));
    assert!(parse_ics(&empty).is_empty() && empty.contains("BEGIN:VCALENDAR"));
}

#[test]
fn registration_mails_of_an_invitation_from_before_derived_links_point_to_the_invitation() {
    let mails = [
        TrainingRegisteredMail {
            link_url: None,
            ..registered()
        }
        .email(),
        TrainingWaitingMail {
            link_url: None,
            ..waiting()
        }
        .email(),
    ];
    for mail in mails {
        for body in [&mail.text, &mail.html] {
            assert!(!body.contains(TRAINING_LINK), "{body}");
            assert!(
                body.contains("Link in Ihrer Einladung") && body.contains("link in your invitation"),
                "{body}"
            );
        }
    }
}
