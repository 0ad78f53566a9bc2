//! Dates as sources give them: a day, a month or only a year.

use std::{cmp::Ordering, fmt, str::FromStr};

use chrono::{Datelike, NaiveDate};
use serde::{Serialize, Serializer};

/// How much of a date the source gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    /// `2009-06-16`
    Day,
    /// `2006-03`
    Month,
    /// `2006`
    Year,
}

/// A date with the precision its source gives. For ordering and for "at
/// DATE" queries it stands for the first day of its period (`2006` =
/// 2006-01-01); it prints as given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartialDate {
    first_day: NaiveDate,
    precision: Precision,
}

impl PartialDate {
    /// A full date.
    pub fn day(date: NaiveDate) -> Self {
        PartialDate {
            first_day: date,
            precision: Precision::Day,
        }
    }

    /// The first day of the period the date stands for.
    pub fn first_day(&self) -> NaiveDate {
        self.first_day
    }

    /// How much of the date is known.
    pub fn precision(&self) -> Precision {
        self.precision
    }
}

impl Ord for PartialDate {
    fn cmp(&self, other: &Self) -> Ordering {
        self.first_day.cmp(&other.first_day)
    }
}

impl PartialOrd for PartialDate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for PartialDate {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let err = || format!("`{s}` is not a date: write YYYY-MM-DD, YYYY-MM or YYYY (e.g. 2009-06-16)");
        let parts: Vec<&str> = s.split('-').collect();
        let num = |p: &str, len: usize| -> Result<u32, String> {
            if p.len() == len && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().map_err(|_| err())
            } else {
                Err(err())
            }
        };
        let (date, precision) = match parts.as_slice() {
            [y] => (NaiveDate::from_ymd_opt(num(y, 4)? as i32, 1, 1), Precision::Year),
            [y, m] => (
                NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, 1),
                Precision::Month,
            ),
            [y, m, d] => (
                NaiveDate::from_ymd_opt(num(y, 4)? as i32, num(m, 2)?, num(d, 2)?),
                Precision::Day,
            ),
            _ => return Err(err()),
        };
        let first_day = date.ok_or_else(|| format!("`{s}` is not a calendar date"))?;
        Ok(PartialDate { first_day, precision })
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first_day;
        match self.precision {
            Precision::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            Precision::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Precision::Year => write!(f, "{:04}", d.year()),
        }
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_each_precision() {
        for s in ["2009-06-16", "2006-03", "2006"] {
            assert_eq!(s.parse::<PartialDate>().unwrap().to_string(), s);
        }
        assert!("2009-13-01".parse::<PartialDate>().is_err());
        assert!("2009-02-30".parse::<PartialDate>().is_err());
        assert!("09-06-16".parse::<PartialDate>().is_err());
        assert!("".parse::<PartialDate>().is_err());
    }

    #[test]
    fn partial_dates_order_by_first_day() {
        let y: PartialDate = "2006".parse().unwrap();
        let d: PartialDate = "2006-01-02".parse().unwrap();
        assert!(y < d);
    }
}
