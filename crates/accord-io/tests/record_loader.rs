//! The record loader: valid files load; every kind of mistake is reported
//! with the right file, line and column; no input makes it panic.

use accord_io::record::{Diagnostic, SourceFile, load_record};
use proptest::prelude::*;

const GOOD: &str = r#"
[[source]]
id = "facts-2017"
publisher = "TASS"
title = "India and Pakistan become members"
date = "2017-06-09"
address = "tass.com/world/950697"

[[actor]]
id = "SCO"
kind = "organization"
name = { en = "Shanghai Cooperation Organization", ru = "ШОС", zh = "上海合作组织" }
sources = ["seed:introduction"]
verified = ["seed:introduction"]

[[actor]]
id = "RUS"
kind = "state"
name = { en = "Russia", ru = "Россия", zh = "俄罗斯" }
sources = ["seed:introduction"]
verified = ["seed:introduction"]

[[actor]]
id = "IND"
kind = "state"
name = { en = "India", ru = "Индия", zh = "印度" }
sources = ["seed:enlargement"]
verified = ["seed:enlargement"]

[[organization]]
id = "SCO"
founded = "2001-06-15"
decision_rule = "consensus"
sources = ["seed:introduction"]
verified = ["seed:introduction"]

[[organization.status]]
kind = "member"
vote = true
speak = true
attend = true
since = "2001-06-15"
sources = ["seed:introduction"]

[[organization.status]]
kind = "observer"
vote = false
speak = true
attend = true
since = "2004"
sources = ["seed:enlargement"]

[[membership]]
actor = "RUS"
org = "SCO"
status = "member"
from = "2001-06-15"
sources = ["seed:introduction"]
verified = ["seed:introduction"]

[[membership]]
actor = "IND"
org = "SCO"
status = "observer"
from = "2005-07-05"
to = "2017-06-09"
sources = ["seed:enlargement"]
verified = ["seed:enlargement"]

[[membership]]
actor = "IND"
org = "SCO"
status = "member"
from = "2017-06-09"
sources = ["facts-2017"]
verified = ["facts-2017"]

[[instrument]]
id = "programs"
kind = "program"
org = "SCO"
name = { en = "120 economic programs" }
sphere = "economy"
count = 120
sources = ["seed:economy"]
verified = ["seed:economy"]

[[instrument.amount]]
value = 900000000
currency = "USD"

[[instrument.life]]
date = "2003"
status = "adopted"
sources = ["seed:economy"]

[[instrument.life]]
date = "2009"
status = "stalled"
sources = ["seed:economy"]
"#;

fn load(text: &str) -> Result<accord_core::Record, Vec<Diagnostic>> {
    load_record(&[SourceFile {
        name: "test.toml".into(),
        text: text.into(),
    }])
}

fn errors(text: &str) -> Vec<Diagnostic> {
    load(text).expect_err("the document should be rejected")
}

/// Line and column of the first occurrence of `needle` in `text` (1-based).
fn position_of(text: &str, needle: &str) -> (usize, usize) {
    let offset = text.find(needle).expect("needle in text");
    accord_io::record::line_column(text, offset)
}

#[test]
fn a_valid_record_loads_and_answers_queries() {
    let record = load(GOOD).expect("valid");
    assert_eq!(record.actors.len(), 3);
    let day = chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    let holders = accord_core::query::status_on(&record, "SCO", day);
    assert_eq!(holders.len(), 2);
    let gap = accord_core::query::gap(&record, "SCO", day);
    let economy = gap
        .iter()
        .find(|r| r.sphere == Some(accord_core::Sphere::Economy))
        .unwrap();
    assert_eq!((economy.proposed, economy.carried_out, economy.stalled), (120, 0, 120));
}

#[test]
fn unknown_reference_points_at_the_value() {
    let text = GOOD.replace(
        "actor = \"IND\"\norg = \"SCO\"\nstatus = \"observer\"",
        "actor = \"INX\"\norg = \"SCO\"\nstatus = \"observer\"",
    );
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    let (line, col) = position_of(&text, "\"INX\"");
    assert_eq!((errs[0].line, errs[0].column), (line, col));
    assert!(errs[0].message.contains("unknown actor `INX`"), "{}", errs[0].message);
    assert_eq!(errs[0].file, "test.toml");
}

#[test]
fn overlapping_statuses_are_reported() {
    let text = GOOD.replace("to = \"2017-06-09\"", "to = \"2018-01-01\"");
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].message.contains("one actor holds one status at a time"),
        "{}",
        errs[0].message
    );
    assert_eq!(errs[0].line, position_of(&text, "from = \"2017-06-09\"").0);
}

#[test]
fn impossible_dates_are_reported() {
    // An end before its start, and a status before the organization existed.
    let text = GOOD.replace("to = \"2017-06-09\"", "to = \"2004-01-01\"").replace(
        "status = \"member\"\nfrom = \"2001-06-15\"",
        "status = \"member\"\nfrom = \"1999-01-01\"",
    );
    let errs = errors(&text);
    let messages: Vec<&str> = errs.iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("ends (2004-01-01) on or before it starts")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("SCO did not exist before 2001-06-15")),
        "{messages:?}"
    );
    // An observer before the status was created.
    let text = GOOD.replace("from = \"2005-07-05\"", "from = \"2003-07-05\"");
    let errs = errors(&text);
    assert!(errs[0].message.contains("created on 2004"), "{errs:?}");
}

#[test]
fn missing_and_unknown_sources_are_reported() {
    let text = GOOD.replace("sources = [\"facts-2017\"]", "sources = []");
    let errs = errors(&text);
    assert!(errs[0].message.starts_with("no source"), "{errs:?}");
    let text = GOOD.replace("sources = [\"facts-2017\"]", "sources = [\"nowhere\"]");
    let errs = errors(&text);
    assert!(errs[0].message.contains("unknown source `nowhere`"), "{errs:?}");
    assert_eq!((errs[0].line, errs[0].column), position_of(&text, "\"nowhere\""));
    let text = GOOD.replace("sources = [\"facts-2017\"]", "sources = [\"seed:fn99\"]");
    assert!(errors(&text)[0].message.contains("seed:fn1 … seed:fn17"));
}

#[test]
fn duplicate_ids_are_reported() {
    let text = GOOD.replace("id = \"programs\"", "id = \"facts-2017\"");
    let errs = errors(&text);
    assert!(
        errs.iter().any(|e| e.message.contains("duplicate id `facts-2017`")),
        "{errs:?}"
    );
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let text = GOOD
        .replace("from = \"2005-07-05\"", "from = \"2005-13-05\"")
        .replace("currency = \"USD\"", "currency = \"usd\"")
        .replace("sources = [\"facts-2017\"]", "sources = [\"nowhere\"]");
    let errs = errors(&text);
    assert_eq!(errs.len(), 3, "{errs:?}");
    assert!(
        errs[0].message.contains("`2005-13-05` is not a calendar date"),
        "{errs:?}"
    );
    assert!(errs.iter().any(|e| e.message.contains("ISO 4217")));
}

#[test]
fn syntax_and_type_errors_are_located() {
    let errs = errors("[[actor]]\nid = \"RUS\"\nkind = \"empire\"\n");
    assert_eq!(errs[0].line, 3, "{errs:?}");
    assert!(errs[0].message.contains("empire"), "{}", errs[0].message);
    let errs = errors("[[actor]\n");
    assert_eq!(errs[0].line, 1);
    let errs = errors("[[actor]]\nid = \"RUS\"\nkind = \"state\"\nnmae = 1\n");
    assert!(errs[0].message.contains("nmae"), "{}", errs[0].message);
}

#[test]
fn errors_name_the_right_file() {
    let files = [
        SourceFile { name: "a.toml".into(), text: GOOD.into() },
        SourceFile { name: "b.toml".into(), text: "[[event]]\nid = \"x\"\nkind = \"summit\"\norg = \"CSTO\"\ndate = \"2009\"\ncity = \"Moscow\"\nsources = [\"seed:security\"]\nverified = [\"seed:security\"]\n".into() },
    ];
    let errs = load_record(&files).unwrap_err();
    assert_eq!(errs.len(), 1);
    assert_eq!((errs[0].file.as_str(), errs[0].line, errs[0].column), ("b.toml", 4, 7));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let _ = load(&text);
    }

    /// Well-formed TOML with wrong values: any line of the valid document
    /// replaced by a plausible but wrong assignment.
    #[test]
    fn wrong_values_never_panic(line in 0usize..110, key in "[a-z_]{1,8}", value in prop_oneof![
        Just("\"\"".to_owned()), Just("-1".to_owned()), Just("1e400".to_owned()), Just("[]".to_owned()),
        Just("\"2009-02-30\"".to_owned()), Just("\"RUS\"".to_owned()), Just("{ en = \"\" }".to_owned()),
        "\"[a-zA-Z0-9:-]{0,12}\"",
    ]) {
        let mut lines: Vec<String> = GOOD.lines().map(str::to_owned).collect();
        let i = line % lines.len();
        if lines[i].contains(" = ") {
            let k = lines[i].split(" = ").next().unwrap_or("").to_owned();
            lines[i] = format!("{} = {value}", if key.len() % 2 == 0 { k } else { key.clone() });
        }
        let text = lines.join("\n");
        if let Err(errs) = load(&text) {
            for e in errs {
                prop_assert!(e.line >= 1 && e.line <= text.lines().count() + 1);
                prop_assert!(!e.message.is_empty());
            }
        }
    }
}

// ------------------------------------------------ the audit rules (issue 14)

#[test]
fn an_entry_without_verified_sources_or_caveat_is_reported_at_the_entry() {
    let text = GOOD.replacen("verified = [\"seed:enlargement\"]\n", "", 1);
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].message.starts_with("not verified"), "{}", errs[0].message);
    // A caveat saying why it cannot be confirmed is enough.
    let text = GOOD.replacen(
        "verified = [\"seed:enlargement\"]\n",
        "caveat = \"No outside source names India's SCO name.\"\n",
        1,
    );
    assert!(load(&text).is_ok());
    // A verified citation must exist.
    let text = GOOD.replacen("verified = [\"facts-2017\"]", "verified = [\"nowhere\"]", 1);
    let errs = errors(&text);
    assert!(errs[0].message.contains("unknown source `nowhere`"), "{errs:?}");
    assert_eq!((errs[0].line, errs[0].column), position_of(&text, "\"nowhere\""));
}

#[test]
fn a_source_needs_a_full_address_or_a_reference() {
    for bad in [
        "thehindu.com article27381151",
        "en.inform.kz",
        "uzdaily.com/en/sco-members…",
    ] {
        let text = GOOD.replace("address = \"tass.com/world/950697\"", &format!("address = \"{bad}\""));
        let errs = errors(&text);
        assert_eq!(errs.len(), 1, "{bad}: {errs:?}");
        assert!(errs[0].message.contains("not a full address"), "{}", errs[0].message);
        assert_eq!(errs[0].line, position_of(&text, "address =").0);
    }
    let text = GOOD.replace("address = \"tass.com/world/950697\"\n", "");
    assert!(errors(&text)[0].message.contains("full `address`"));
    let text = GOOD.replace(
        "address = \"tass.com/world/950697\"",
        "reference = \"A. Author, Title of the Book, Publisher, City, 2010, p. 5.\"",
    );
    assert!(load(&text).is_ok());
    for good in [
        "tass.com/world/950697",
        "https://www.thehindu.com/a/article27381151.ece",
        "cis-legislation.com/document.fwx?rgn=6909",
    ] {
        assert!(accord_core::check::is_full_address(good), "{good}");
    }
}

const EVENT: &str = r#"
[[event]]
id = "summit-2009"
kind = "summit"
org = "SCO"
date = "2009-06-15"
city = "Yekaterinburg"
attendance = [
  { actor = "RUS", capacity = "member", sources = ["seed:security"] },
  { actor = "IND", capacity = "observer", sources = ["seed:security"] },
]
sources = ["seed:security"]
verified = ["seed:security"]
"#;

#[test]
fn attendance_is_read_and_its_capacity_checked_against_the_memberships() {
    let text = format!("{GOOD}{EVENT}");
    let record = load(&text).expect("valid");
    assert_eq!(record.events[0].attendance.len(), 2);
    assert_eq!(record.events[0].attendance[1].capacity, accord_core::Status::Observer);
    let text = format!("{GOOD}{}", EVENT.replace("\"observer\"", "\"member\""));
    let errs = errors(&text);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].message.contains("its status in SCO was `observer`"),
        "{}",
        errs[0].message
    );
    let text = format!("{GOOD}{}", EVENT.replace("actor = \"IND\"", "actor = \"INX\""));
    assert!(errors(&text)[0].message.contains("unknown actor `INX`"));
}

#[test]
fn a_guest_period_starts_at_a_meeting_attended_as_a_guest() {
    let guest_status = "\n[[organization.status]]\nkind = \"guest\"\nvote = false\nspeak = true\nattend = true\nsince = \"2004\"\nsources = [\"seed:enlargement\"]\n";
    let base = GOOD.replacen("\n[[membership]]", &format!("{guest_status}\n[[membership]]"), 1);
    let afg = "\n[[actor]]\nid = \"AFG\"\nkind = \"state\"\nname = { en = \"Afghanistan\", ru = \"Афганистан\", zh = \"阿富汗\" }\nsources = [\"seed:security\"]\nverified = [\"seed:security\"]\n\n[[membership]]\nactor = \"AFG\"\norg = \"SCO\"\nstatus = \"guest\"\nfrom = \"2009-06-15\"\nsources = [\"seed:security\"]\nverified = [\"seed:security\"]\n";
    let attended = EVENT.replace(
        "  { actor = \"IND\"",
        "  { actor = \"AFG\", capacity = \"guest\", sources = [\"seed:security\"] },\n  { actor = \"IND\"",
    );
    assert!(load(&format!("{base}{afg}{attended}")).is_ok());
    let errs = errors(&format!("{base}{afg}{EVENT}"));
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(errs[0].message.contains("attended as a guest"), "{}", errs[0].message);
}

proptest! {
    #[test]
    fn is_full_address_never_panics(s in "\\PC{0,60}") {
        let _ = accord_core::check::is_full_address(&s);
    }
}
