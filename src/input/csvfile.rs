//! A CSV file with a header row, read record by record, every problem
//! collected as `file:line:column: message`.

use std::fmt;
use std::path::Path;

/// At most this many problems are listed per file; the rest are counted.
pub const MAX_ERRORS_PER_FILE: usize = 100;

/// One problem in an input file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputError {
    pub file: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// Every problem found in the inputs of one command.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputErrors {
    pub errors: Vec<InputError>,
    /// Problems beyond the per-file limit, counted but not listed, by file.
    pub more: Vec<(String, usize)>,
}

impl InputErrors {
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn extend(&mut self, other: InputErrors) {
        self.errors.extend(other.errors);
        self.more.extend(other.more);
    }
}

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for e in &self.errors {
            writeln!(f, "{e}")?;
        }
        for (file, n) in &self.more {
            writeln!(
                f,
                "{file}: {n} more problem{} not listed",
                if *n == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

/// Collects the problems of one file, up to the limit.
pub struct Problems {
    pub file: String,
    errors: Vec<InputError>,
    dropped: usize,
}

impl Problems {
    pub fn new(file: &str) -> Problems {
        Problems {
            file: file.to_string(),
            errors: Vec::new(),
            dropped: 0,
        }
    }

    pub fn add(&mut self, line: u64, column: u64, message: impl Into<String>) {
        if self.errors.len() < MAX_ERRORS_PER_FILE {
            self.errors.push(InputError {
                file: self.file.clone(),
                line,
                column,
                message: message.into(),
            });
        } else {
            self.dropped += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty() && self.dropped == 0
    }

    /// Takes the problems of a later part of the same file, within the limit.
    pub fn absorb(&mut self, other: Problems) {
        let room = MAX_ERRORS_PER_FILE.saturating_sub(self.errors.len());
        let over = other.errors.len().saturating_sub(room);
        self.errors.extend(other.errors.into_iter().take(room));
        self.dropped += over + other.dropped;
    }

    /// The problems, in file order.
    pub fn into_errors(mut self) -> InputErrors {
        self.errors.sort_by_key(|e| (e.line, e.column));
        InputErrors {
            more: if self.dropped > 0 {
                vec![(self.file, self.dropped)]
            } else {
                Vec::new()
            },
            errors: self.errors,
        }
    }
}

/// A column the reader wants: its name and whether it must be there.
pub struct Want<'a> {
    pub name: &'a str,
    pub required: bool,
}

/// An open CSV file whose header has been read and matched to the wanted columns.
pub struct CsvFile {
    reader: csv::Reader<Box<dyn std::io::Read + Send>>,
    /// For each wanted column, its index in the file.
    pub columns: Vec<Option<usize>>,
    pub width: usize,
    record: csv::ByteRecord,
    cursor: std::cell::RefCell<LineCursor>,
}

/// Finds the line of a byte offset by counting line breaks in a second read
/// of the file. Used only to locate problems, so a clean file is read once.
pub struct LineCursor {
    path: std::path::PathBuf,
    reader: Option<std::io::BufReader<std::fs::File>>,
    /// Bytes read so far, and the line the next byte is on.
    pos: u64,
    line: u64,
}

impl LineCursor {
    fn new(path: &Path) -> LineCursor {
        LineCursor {
            path: path.to_path_buf(),
            reader: None,
            pos: 0,
            line: 1,
        }
    }

    /// The 1-based line holding byte `offset`.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        use std::io::BufRead;
        if offset < self.pos || self.reader.is_none() {
            let Ok(f) = std::fs::File::open(&self.path) else {
                return 0;
            };
            self.reader = Some(std::io::BufReader::with_capacity(1 << 16, f));
            self.pos = 0;
            self.line = 1;
        }
        let Some(reader) = self.reader.as_mut() else {
            return 0;
        };
        while self.pos < offset {
            let Ok(buf) = reader.fill_buf() else { break };
            if buf.is_empty() {
                break;
            }
            let take = buf.len().min((offset - self.pos) as usize);
            self.line += buf[..take].iter().filter(|&&b| b == b'\n').count() as u64;
            self.pos += take as u64;
            reader.consume(take);
        }
        self.line
    }

    /// The line of a record whose reading began at `offset`: the reader's
    /// position includes the blank lines it skipped before the record.
    pub fn record_line(&mut self, offset: u64) -> u64 {
        use std::io::BufRead;
        let line = self.line_at(offset);
        if self.pos != offset {
            return line;
        }
        let Some(reader) = self.reader.as_mut() else {
            return line;
        };
        while let Ok(buf) = reader.fill_buf() {
            let skip = buf
                .iter()
                .take_while(|&&b| b == b'\n' || b == b'\r')
                .count();
            if skip == 0 {
                break;
            }
            let whole = skip == buf.len();
            self.line += buf[..skip].iter().filter(|&&b| b == b'\n').count() as u64;
            self.pos += skip as u64;
            reader.consume(skip);
            if !whole {
                break;
            }
        }
        self.line
    }
}

/// One record: where it starts, and its fields as bytes.
pub struct Record<'r> {
    /// Byte offset of the record in the file.
    pub byte: u64,
    record: &'r csv::ByteRecord,
    cursor: &'r std::cell::RefCell<LineCursor>,
}

/// A row of a CSV file, however it was read: its fields and where they are.
pub trait Row {
    /// The raw bytes of field `i`.
    fn raw(&self, i: usize) -> &[u8];
    /// The 1-based column (in characters) where field `i` starts.
    fn column(&self, i: usize) -> u64;
    /// The 1-based line the row starts on.
    fn line(&self) -> u64;
}

impl Row for Record<'_> {
    fn line(&self) -> u64 {
        self.cursor.borrow_mut().record_line(self.byte)
    }

    fn raw(&self, i: usize) -> &[u8] {
        self.record.get(i).unwrap_or(b"")
    }

    /// Approximate for quoted fields (the quotes are not counted).
    fn column(&self, i: usize) -> u64 {
        let mut col = 1u64;
        for j in 0..i.min(self.record.len()) {
            let f = self.record.get(j).unwrap_or(b"");
            col += String::from_utf8_lossy(f).chars().count() as u64 + 1;
        }
        col
    }
}

impl CsvFile {
    /// Opens `path` and matches its header to `want`. Problems with the file
    /// or its header go to `problems`; `None` when nothing more can be read.
    pub fn open(path: &Path, want: &[Want], problems: &mut Problems) -> Option<CsvFile> {
        let file = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                problems.add(
                    1,
                    1,
                    format!("cannot read the file: {}", crate::io_reason(&e)),
                );
                return None;
            }
        };
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            problems.add(1, 1, "cannot read the file: it is a directory");
            return None;
        }
        let reader: Box<dyn std::io::Read + Send> =
            Box::new(std::io::BufReader::with_capacity(1 << 20, file));
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(reader);
        let mut header = csv::ByteRecord::new();
        match reader.read_byte_record(&mut header) {
            Ok(true) => {}
            Ok(false) => {
                problems.add(
                    1,
                    1,
                    "the file is empty: it needs a header row naming its columns",
                );
                return None;
            }
            Err(e) => {
                problems.add(1, 1, csv_error(&e));
                return None;
            }
        }
        // A UTF-8 byte order mark before the first name is allowed.
        let names: Vec<Result<String, u64>> = header
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let f = if i == 0 {
                    f.strip_prefix(b"\xef\xbb\xbf").unwrap_or(f)
                } else {
                    f
                };
                std::str::from_utf8(f)
                    .map(|s| s.trim().to_string())
                    .map_err(|_| i as u64)
            })
            .collect();
        let cursor = std::cell::RefCell::new(LineCursor::new(path));
        let rec = Record {
            byte: 0,
            record: &header,
            cursor: &cursor,
        };
        let mut ok = true;
        for (i, n) in names.iter().enumerate() {
            if n.is_err() {
                problems.add(1, rec.column(i), "the header is not UTF-8 text");
                ok = false;
            }
        }
        let names: Vec<String> = names.into_iter().map(|n| n.unwrap_or_default()).collect();
        if names.len() == 1 && (names[0].contains(';') || names[0].contains('\t')) {
            let sep = if names[0].contains(';') {
                "semicolons"
            } else {
                "tabs"
            };
            problems.add(
                1,
                1,
                format!("the columns are separated by {sep}; the file must be comma-separated CSV"),
            );
            return None;
        }
        for (i, n) in names.iter().enumerate() {
            if let Some(j) = names[..i].iter().position(|m| m == n)
                && want.iter().any(|w| w.name == n)
            {
                problems.add(
                    1,
                    rec.column(i),
                    format!("column `{n}` appears twice (first at 1:{})", rec.column(j)),
                );
                ok = false;
            }
        }
        let mut columns = Vec::new();
        for w in want {
            let idx = names.iter().position(|n| n == w.name);
            if idx.is_none() && w.required {
                let mut msg = format!("missing column `{}`", w.name);
                if let Some(close) =
                    crate::diagnostic::did_you_mean(w.name, names.iter().map(String::as_str))
                {
                    msg.push_str(&format!(" (is `{close}` meant?)"));
                }
                problems.add(1, 1, msg);
                ok = false;
            }
            columns.push(idx);
        }
        if !ok {
            return None;
        }
        Some(CsvFile {
            reader,
            columns,
            width: names.len(),
            record: csv::ByteRecord::new(),
            cursor,
        })
    }

    /// The next record with the right number of fields; wrong ones are reported and skipped.
    pub fn next(&mut self, problems: &mut Problems) -> Option<Record<'_>> {
        loop {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {
                    let byte = self.record.position().map(|p| p.byte()).unwrap_or(0);
                    if self.record.len() != self.width {
                        let line = self.cursor.borrow_mut().record_line(byte);
                        problems.add(
                            line,
                            1,
                            format!(
                                "this row has {} fields, but the header names {}",
                                self.record.len(),
                                self.width
                            ),
                        );
                        continue;
                    }
                    return Some(Record {
                        byte,
                        record: &self.record,
                        cursor: &self.cursor,
                    });
                }
                Err(e) => {
                    let byte = e.position().map(|p| p.byte()).unwrap_or(0);
                    let line = self.cursor.borrow_mut().record_line(byte);
                    problems.add(line, 1, csv_error(&e));
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return None;
                    }
                }
            }
        }
    }
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Io(io) => format!("cannot read the file: {}", crate::io_reason(io)),
        csv::ErrorKind::Utf8 { .. } => "the text is not UTF-8".to_string(),
        _ => "the row is not valid CSV".to_string(),
    }
}

/// A field as text, or a problem if it is not UTF-8.
pub fn text<'a, R: Row + ?Sized>(
    rec: &'a R,
    i: usize,
    column: &str,
    problems: &mut Problems,
) -> Option<&'a str> {
    match std::str::from_utf8(rec.raw(i)) {
        Ok(s) => Some(s),
        Err(_) => {
            problems.add(
                rec.line(),
                rec.column(i),
                format!("`{column}` is not UTF-8 text"),
            );
            None
        }
    }
}

/// A value as a message shows it: at most 40 characters, then `…`.
/// Checks that a text field written to the output files does not begin with
/// a character that makes a spreadsheet run the cell as a formula (`=`, `+`,
/// `-`, `@`; a tab or carriage return is trimmed away before this). Such a
/// value is refused at input, so the outputs can repeat ids exactly.
pub fn check_not_formula<R: Row + ?Sized>(
    rec: &R,
    i: usize,
    column: &str,
    value: &str,
    problems: &mut Problems,
) -> bool {
    let Some(first) = value
        .chars()
        .next()
        .filter(|c| matches!(c, '=' | '+' | '-' | '@'))
    else {
        return true;
    };
    problems.add(
        rec.line(),
        rec.column(i),
        format!(
            "`{column}` is `{}`, which begins with `{first}`: a spreadsheet would run it as a formula; begin it with a letter or a digit",
            shown(value)
        ),
    );
    false
}

/// A value as a message quotes it: at most 40 characters, control
/// characters written visibly.
pub fn shown(value: &str) -> String {
    let mut chars = value.chars();
    let head: String = chars.by_ref().take(40).collect();
    let head = crate::terminal_text::escape(&head).into_owned();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// A date `YYYY-MM-DD`, or a problem naming the column.
pub fn date<R: Row + ?Sized>(
    rec: &R,
    i: usize,
    column: &str,
    problems: &mut Problems,
) -> Option<chrono::NaiveDate> {
    let raw = rec.raw(i);
    if let Some(d) = parse_iso_date(raw) {
        return Some(d);
    }
    let shown = String::from_utf8_lossy(raw);
    let shown: String = shown.chars().take(40).collect();
    let why = if raw.is_empty() {
        format!("`{column}` is empty; it needs a date such as 2019-01-28")
    } else if let Some(why) = not_a_day(raw) {
        format!("`{column}` is `{shown}`, which is not a day in the calendar: {why}")
    } else {
        format!("`{column}` is `{shown}`, not a date written YYYY-MM-DD")
    };
    problems.add(rec.line(), rec.column(i), why);
    None
}

/// Why `raw`, written `YYYY-MM-DD`, names no day of the calendar
/// (`there is no month 13`, `February 2019 has 28 days`); `None` when it is
/// not written so, or is a day.
pub fn not_a_day(raw: &[u8]) -> Option<String> {
    let raw = raw.trim_ascii();
    let text = std::str::from_utf8(raw).ok()?;
    if raw.len() != 10 || raw[4] != b'-' || raw[7] != b'-' || parse_iso_date(raw).is_some() {
        return None;
    }
    let y: i32 = text[0..4].parse().ok()?;
    let m: u32 = text[5..7].parse().ok()?;
    let d: u32 = text[8..10].parse().ok()?;
    if !(1..=12).contains(&m) {
        return Some(format!("there is no month {m}"));
    }
    if d == 0 {
        return Some("days are numbered from 1".to_string());
    }
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1)?;
    let next = first.checked_add_months(chrono::Months::new(1))?;
    let days = (next - first).num_days();
    Some(format!("{} has {days} days", first.format("%B %Y")))
}

/// Parses exactly `YYYY-MM-DD` (with surrounding spaces allowed).
pub fn parse_iso_date(raw: &[u8]) -> Option<chrono::NaiveDate> {
    let raw = raw.trim_ascii();
    if raw.len() != 10 || raw[4] != b'-' || raw[7] != b'-' {
        return None;
    }
    let num = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, &b| {
            b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0'))
        })
    };
    let y = num(&raw[0..4])?;
    let m = num(&raw[5..7])?;
    let d = num(&raw[8..10])?;
    super::day_table::ymd(y, m, d)
}

#[cfg(test)]
mod tests {
    use super::parse_iso_date;

    #[test]
    fn dates_are_those_of_the_calendar() {
        // Every month and day field from 00 to 32, over four centuries and
        // the ends of the four-digit years (leap years of each kind).
        let years = (0..=10).chain(1600..=2400).chain(9990..=9999);
        for y in years {
            for m in 0..=13 {
                for d in 0..=32 {
                    let text = format!("{y:04}-{m:02}-{d:02}");
                    assert_eq!(
                        parse_iso_date(text.as_bytes()),
                        chrono::NaiveDate::from_ymd_opt(y, m, d),
                        "{text}"
                    );
                }
            }
        }
        for bad in [
            "2019-2-01",
            "2019-0a-01",
            "19-02-01",
            "2019/02/01",
            "2019-02-01x",
        ] {
            assert_eq!(parse_iso_date(bad.as_bytes()), None, "{bad}");
        }
        assert!(parse_iso_date(b" 2019-02-01 ").is_some(), "spaces around");
    }
}
