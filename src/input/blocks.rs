//! Reading a CSV file without quoted fields in parallel: the file is read in
//! large blocks, each block cut at line ends into pieces, and the pieces'
//! lines parsed on all cores. Line numbers are exact: each piece starts at the
//! line that the line breaks before it give.
//!
//! A file with a quote, or a carriage return that does not end a line, is left
//! to the `csv` crate's record-by-record reader (`read_rows` returns `None`).

use super::csvfile::{Problems, Row};
use rayon::prelude::*;
use std::io::Read;
use std::path::Path;

/// Bytes read at a time.
const BLOCK: usize = 32 << 20;

/// One line of a file without quotes, split at its commas.
pub struct FastRow<'a> {
    line: u64,
    text: &'a [u8],
    fields: &'a [(usize, usize)],
}

impl Row for FastRow<'_> {
    fn raw(&self, i: usize) -> &[u8] {
        self.fields
            .get(i)
            .map(|&(a, b)| &self.text[a..b])
            .unwrap_or(b"")
    }

    fn column(&self, i: usize) -> u64 {
        let start = self.fields.get(i).map(|f| f.0).unwrap_or(0);
        let before = &self.text[..start];
        1 + if before.is_ascii() {
            before.len()
        } else {
            String::from_utf8_lossy(before).chars().count()
        } as u64
    }

    fn line(&self) -> u64 {
        self.line
    }
}

/// Whether a block can be read here: no quote, and every carriage return ends a line.
fn plain(block: &[u8]) -> bool {
    memchr::memchr(b'"', block).is_none()
        && memchr::memchr_iter(b'\r', block).all(|i| block.get(i + 1).is_none_or(|&b| b == b'\n'))
}

/// Parses the lines of one piece, the first being line `first_line`, into `out`.
fn parse_piece<T, F>(
    piece: &[u8],
    first_line: u64,
    width: usize,
    name: &str,
    parse: &F,
    out: &mut T,
) -> Problems
where
    F: Fn(&FastRow, &mut Problems, &mut T),
{
    let mut problems = Problems::new(name);
    let mut fields: Vec<(usize, usize)> = Vec::with_capacity(width);
    let mut line = first_line;
    let mut rest = piece;
    while !rest.is_empty() {
        let (text, next) = match memchr::memchr(b'\n', rest) {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        if !text.is_empty() {
            fields.clear();
            let mut start = 0;
            for comma in memchr::memchr_iter(b',', text) {
                fields.push((start, comma));
                start = comma + 1;
            }
            fields.push((start, text.len()));
            if fields.len() == width {
                parse(
                    &FastRow {
                        line,
                        text,
                        fields: &fields,
                    },
                    &mut problems,
                    out,
                );
            } else {
                problems.add(
                    line,
                    1,
                    format!(
                        "this row has {} fields, but the header names {width}",
                        fields.len()
                    ),
                );
            }
        }
        line += 1;
    }
    problems
}

/// Reads the rows after the header line in parallel, calling `parse` on each
/// with the output of its piece, and hands each piece's output to `sink` in
/// file order as soon as its block is done. `sink` is to take what it needs
/// and leave the output empty: outputs are used again for the next block, so
/// their memory is allocated once. Returns every problem, or `None`
/// when the file needs the record-by-record reader (what was sunk is then to
/// be dropped).
pub fn read_rows<T, F>(
    path: &Path,
    width: usize,
    name: &str,
    parse: F,
    sink: impl FnMut(&mut T) + Send,
    read: &dyn Fn(u64),
) -> Option<Problems>
where
    T: Default + Send,
    F: Fn(&FastRow, &mut Problems, &mut T) + Sync,
{
    let sizes = Sizes {
        block: BLOCK,
        least_piece: 1 << 20,
    };
    read_rows_in(path, width, name, sizes, parse, sink, read)
}

/// How much is read at a time, and the least a piece holds.
#[derive(Clone, Copy)]
struct Sizes {
    block: usize,
    least_piece: usize,
}

/// `read_rows` with the block size and the least piece size given.
fn read_rows_in<T, F>(
    path: &Path,
    width: usize,
    name: &str,
    sizes: Sizes,
    parse: F,
    mut sink: impl FnMut(&mut T) + Send,
    read: &dyn Fn(u64),
) -> Option<Problems>
where
    T: Default + Send,
    F: Fn(&FastRow, &mut Problems, &mut T) + Sync,
{
    let mut file = std::fs::File::open(path).ok()?;
    let block = block_size(&file, sizes);
    let mut cur: Vec<u8> = Vec::with_capacity(block + (1 << 16));
    let mut next: Vec<u8> = Vec::with_capacity(block + (1 << 16));
    let mut problems = Problems::new(name);
    let mut line = 2u64;
    let pieces_wanted = rayon::current_num_threads() * 4;
    let mut done = 0u64;
    // The outputs of the block being parsed, and of the one before, which is
    // handed to `sink` (with its problems) while the next block is parsed and read.
    let mut outs: Vec<T> = Vec::new();
    let mut previous: Vec<T> = Vec::new();
    let mut previous_problems: Vec<Problems> = Vec::new();
    let mut eof = fill(&mut file, &mut cur, block)?;
    match skip_header(&mut cur) {
        Header::Skipped(bytes) => done += bytes,
        Header::Quoted => return None,
        // No complete header line in a whole block: not a file for this reader.
        Header::Missing => return if eof { Some(problems) } else { None },
    }
    loop {
        let Some(cut) = whole_lines(&cur, eof) else {
            // A line longer than a block: read on.
            let want = cur.len() + block;
            eof = fill(&mut file, &mut cur, want)?;
            continue;
        };
        let text = &cur[..cut];
        if !plain(text) {
            return None;
        }
        let step = (text.len() / pieces_wanted).max(sizes.least_piece);
        let pieces = pieces(text, step);
        let firsts = first_lines(&pieces, &mut line);
        outs.resize_with(outs.len().max(pieces.len()), T::default);
        next.clear();
        next.extend_from_slice(&cur[cut..]);
        let last = eof;
        let (filled, found) = rayon::join(
            || {
                hand_over(
                    &mut previous,
                    &mut previous_problems,
                    &mut sink,
                    &mut problems,
                );
                if last {
                    Some(true)
                } else {
                    fill(&mut file, &mut next, block)
                }
            },
            || {
                (pieces.par_iter().zip(firsts))
                    .zip(&mut outs[..pieces.len()])
                    .map(|((p, first), out)| parse_piece(p, first, width, name, &parse, out))
                    .collect::<Vec<Problems>>()
            },
        );
        previous_problems = found;
        std::mem::swap(&mut outs, &mut previous);
        done += cut as u64;
        read(done);
        if last {
            break;
        }
        eof = filled?;
        std::mem::swap(&mut cur, &mut next);
    }
    hand_over(
        &mut previous,
        &mut previous_problems,
        &mut sink,
        &mut problems,
    );
    Some(problems)
}

/// How much of `cur` is whole lines (all of it at the end of the file);
/// `None` where it holds no line end.
fn whole_lines(cur: &[u8], eof: bool) -> Option<usize> {
    if eof {
        return Some(cur.len());
    }
    memchr::memrchr(b'\n', cur).map(|i| i + 1)
}

/// Hands each output of a block to `sink`, and its problems to `problems`.
fn hand_over<T>(
    outs: &mut [T],
    found: &mut Vec<Problems>,
    sink: &mut impl FnMut(&mut T),
    problems: &mut Problems,
) {
    for (out, p) in outs.iter_mut().zip(found.drain(..)) {
        sink(out);
        problems.absorb(p);
    }
}

/// How much to read at a time: an eighth of the file (within the limits),
/// so that reading overlaps parsing in small files too; a small file needs
/// no more than its size.
fn block_size(file: &std::fs::File, sizes: Sizes) -> usize {
    let size = file
        .metadata()
        .map(|m| m.len() as usize)
        .unwrap_or(sizes.block);
    (size / 8)
        .clamp(sizes.least_piece, sizes.block)
        .min(size + 1)
}

/// What the first block's header line was.
enum Header {
    /// Taken off the block: this many bytes.
    Skipped(u64),
    /// It has a quote: the file is for the record-by-record reader.
    Quoted,
    /// The block has no whole line.
    Missing,
}

/// Takes the header line off the first block.
fn skip_header(cur: &mut Vec<u8>) -> Header {
    let Some(nl) = memchr::memchr(b'\n', cur) else {
        return Header::Missing;
    };
    if memchr::memchr(b'"', &cur[..nl]).is_some() {
        return Header::Quoted;
    }
    cur.drain(..=nl);
    Header::Skipped(nl as u64 + 1)
}

/// `text` (whole lines) cut at line ends into pieces of about `step` bytes.
fn pieces(text: &[u8], step: usize) -> Vec<&[u8]> {
    let mut bounds = vec![0usize];
    while let Some(&last) = bounds.last() {
        if last >= text.len() {
            break;
        }
        let target = (last + step).min(text.len());
        let end = if target >= text.len() {
            text.len()
        } else {
            memchr::memchr(b'\n', &text[target..]).map_or(text.len(), |i| target + i + 1)
        };
        bounds.push(end);
    }
    bounds.windows(2).map(|w| &text[w[0]..w[1]]).collect()
}

/// The line number of each piece's first line, the first piece's being
/// `line`; `line` becomes the number of the line after the last piece.
fn first_lines(pieces: &[&[u8]], line: &mut u64) -> Vec<u64> {
    let breaks: Vec<u64> = pieces
        .par_iter()
        .map(|p| memchr::memchr_iter(b'\n', p).count() as u64)
        .collect();
    breaks
        .iter()
        .map(|b| {
            let first = *line;
            *line += b;
            first
        })
        .collect()
}

/// Reads from `file` until `buf` holds `want` bytes or the file ends;
/// `Some(true)` at the end of the file, `None` on a read error.
fn fill(file: &mut std::fs::File, buf: &mut Vec<u8>, want: usize) -> Option<bool> {
    let mut at = buf.len();
    buf.resize(want.max(at + (1 << 16)), 0);
    let mut eof = false;
    while at < buf.len() {
        match file.read(&mut buf[at..]) {
            Ok(0) => {
                eof = true;
                break;
            }
            Ok(n) => at += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return None,
        }
    }
    buf.truncate(at);
    Some(eof)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Many small blocks and pieces: every row is seen once, in order, at its line.
    #[test]
    fn lines_are_numbered_across_blocks_and_pieces() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let mut text = String::from("a,b\n");
        for k in 0..5000 {
            match k % 97 {
                0 => text.push_str("\r\n"),
                1 => text.push_str(&format!("{k}\r\n")),
                _ => text.push_str(&format!("{k},x\n")),
            }
        }
        std::fs::write(&path, &text).unwrap();
        for (block, piece) in [(64, 1), (1000, 7), (1 << 20, 1 << 20)] {
            let mut seen: Vec<(u64, String)> = Vec::new();
            let problems = read_rows_in(
                &path,
                2,
                "x.csv",
                Sizes {
                    block,
                    least_piece: piece,
                },
                |row, _, out: &mut Vec<(u64, String)>| {
                    out.push((row.line(), String::from_utf8_lossy(row.raw(0)).into_owned()));
                },
                |part: &mut Vec<(u64, String)>| seen.append(part),
                &|_| {},
            )
            .expect("a plain file");
            let expected: Vec<(u64, String)> = (0..5000u64)
                .filter(|k| k % 97 > 1)
                .map(|k| (k + 2, k.to_string()))
                .collect();
            assert_eq!(seen, expected, "block {block}");
            let errors = problems.into_errors();
            let lines: Vec<u64> = errors.errors.iter().map(|e| e.line).collect();
            let want: Vec<u64> = (0..5000u64)
                .filter(|k| k % 97 == 1)
                .map(|k| k + 2)
                .collect();
            assert_eq!(lines, want[..lines.len()].to_vec());
        }
    }

    #[test]
    fn quotes_and_lone_carriage_returns_are_left_to_the_csv_reader() {
        let dir = tempfile::tempdir().unwrap();
        for text in ["a,b\n\"1\",2\n", "a,b\n1,2\r3,4\n"] {
            let path = dir.path().join("x.csv");
            std::fs::write(&path, text).unwrap();
            let r = read_rows(&path, 2, "x.csv", |_, _, _: &mut ()| {}, |_| {}, &|_| {});
            assert!(r.is_none(), "{text:?}");
        }
    }
}
