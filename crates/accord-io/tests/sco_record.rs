//! The embedded SCO record: it passes every check, and answers the questions
//! the article and the history pose.

use accord_core::{NaiveDate, Record, Sphere, Status, query};

fn record() -> Record {
    accord_io::embedded::sco_record().unwrap_or_else(|errs| {
        panic!(
            "embedded record invalid:\n{}",
            errs.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
        )
    })
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn holders(r: &Record, date: &str, status: Status) -> Vec<String> {
    let mut v: Vec<String> = query::status_on(r, "SCO", day(date))
        .into_iter()
        .filter(|h| h.status == status)
        .map(|h| h.actor.to_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn the_embedded_record_passes_every_check() {
    let r = record();
    assert!(accord_core::check::check(&r).is_empty());
    assert!(r.instruments.len() >= 40, "at least 40 instruments and proposals");
    assert!(r.bodies.len() >= 15, "at least 15 bodies");
}

#[test]
fn the_embedded_files_are_all_the_record_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/sco/record");
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = accord_io::embedded::SCO_RECORD_FILES
        .iter()
        .map(|(p, _)| p.rsplit('/').next().unwrap().to_owned())
        .collect();
    embedded.sort();
    assert_eq!(on_disk, embedded, "a record file is not embedded");
}

#[test]
fn june_2009_six_members_and_four_observers() {
    let r = record();
    assert_eq!(
        holders(&r, "2009-06-16", Status::Member),
        ["CHN", "KAZ", "KGZ", "RUS", "TJK", "UZB"]
    );
    assert_eq!(
        holders(&r, "2009-06-16", Status::Observer),
        ["IND", "IRN", "MNG", "PAK"]
    );
}

#[test]
fn june_2010_belarus_and_sri_lanka_are_dialogue_partners() {
    assert_eq!(
        holders(&record(), "2010-06-01", Status::DialoguePartner),
        ["BLR", "LKA"]
    );
}

#[test]
fn june_2017_india_and_pakistan_are_members() {
    let members = holders(&record(), "2017-06-10", Status::Member);
    assert!(members.contains(&"IND".to_owned()) && members.contains(&"PAK".to_owned()));
    assert_eq!(members.len(), 8);
}

#[test]
fn july_2024_ten_members() {
    let members = holders(&record(), "2024-07-05", Status::Member);
    assert_eq!(members.len(), 10, "{members:?}");
    assert!(members.contains(&"BLR".to_owned()) && members.contains(&"IRN".to_owned()));
}

#[test]
fn the_2010_gap_shows_the_economic_programs_never_carried_out() {
    let rows = query::gap(&record(), "SCO", day("2010-06-01"));
    let economy = rows
        .iter()
        .find(|r| r.sphere == Some(Sphere::Economy))
        .expect("an economy row");
    assert!(economy.stalled >= 120, "{economy:?}");
    assert!(economy.carried_out < economy.proposed / 10, "{economy:?}");
    let programs = record()
        .instruments
        .into_iter()
        .find(|i| i.count == 120)
        .expect("the 120 programs");
    assert_eq!(programs.sphere, Sphere::Economy);
    assert!(
        programs
            .status_on(day("2010-06-01"))
            .is_some_and(|c| c.status == accord_core::InstrumentStatus::Stalled)
    );
}

#[test]
fn timelines_search_and_show() {
    let r = record();
    let ind = query::timeline(&r, "IND");
    assert!(ind.iter().any(|m| m.status == Status::Observer) && ind.iter().any(|m| m.status == Status::Member));
    // Names in all three languages are searchable.
    for text in ["Russia", "Российская", "俄罗斯"] {
        assert!(
            query::search(&r, text)
                .iter()
                .any(|e| matches!(e, accord_core::EntryRef::Actor(a) if a.id.as_str() == "RUS")),
            "{text}"
        );
    }
    let index = r.index();
    assert!(index.entry(&r, "RUS").is_some());
    assert!(index.entry(&r, "CSTO").is_some());
    // The CSTO with its members in 2010.
    let csto: Vec<_> = query::status_on(&r, "CSTO", day("2010-06-01"))
        .into_iter()
        .map(|h| h.actor)
        .collect();
    assert_eq!(csto.len(), 7, "{csto:?}");
}
