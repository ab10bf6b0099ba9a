//! Disease lists, codes, and which benefit covers which disease.

use super::Checker;
use crate::ast::{CoverItem, Header, Row, Section, StatementKind};
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::syntax::is_disease_code;

use crate::plan::{BenefitId, DiseaseId, Diseases};
use crate::source::Span;
use std::collections::HashMap;

impl Diseases {
    /// The diseases a benefit covers, in list order.
    pub fn covered_by(&self, benefit: BenefitId) -> Vec<DiseaseId> {
        (0..self.codes.len() as u32)
            .map(DiseaseId)
            .filter(|d| self.benefit[d.0 as usize] == Some(benefit))
            .collect()
    }
}

/// The most diseases the `covers` lines of a plan may name in all, a list or
/// a range counted every time it is named: far more than any plan needs, and
/// a bound on the time a check takes.
const MAX_COVERED: u64 = 1_000_000;
const MAX_COVERED_WORDS: &str = "1,000,000";

/// `CI028` → ("CI", 28, 3)
fn split_code(code: &str) -> Option<(&str, u64, usize)> {
    let digits = code.len()
        - code
            .trim_start_matches(|c: char| c.is_ascii_uppercase())
            .len();
    let (prefix, num) = code.split_at(digits);
    Some((prefix, num.parse().ok()?, num.len()))
}

/// For each prefix of the listed codes (`CI`): how many codes have it, and
/// the first and last of them in list order.
type Prefixes = HashMap<String, (usize, String, String)>;

fn prefixes(table: &Diseases) -> Prefixes {
    let mut out: Prefixes = HashMap::new();
    for code in &table.codes {
        let prefix = split_code(code).map_or("", |(p, _, _)| p);
        let entry = out
            .entry(prefix.to_string())
            .or_insert_with(|| (0, code.clone(), code.clone()));
        entry.0 += 1;
        entry.2.clone_from(code);
    }
    out
}

impl Checker<'_> {
    /// Builds the disease table and assigns each disease to the benefit that covers it.
    pub(super) fn diseases(&mut self, benefits: &[&Section]) -> Option<Diseases> {
        let (mut table, lists, mut ok) = self.disease_lists();
        let mut list_names: Vec<&str> = lists.keys().map(String::as_str).collect();
        list_names.sort();
        let mut claimed: Vec<Option<Span>> = vec![None; table.codes.len()];
        let prefixes = prefixes(&table);
        for (bi, section) in benefits.iter().enumerate() {
            let Header::Benefit { name: bname, .. } = &section.header.node else {
                continue;
            };
            let bid = BenefitId(bi as u16);
            for stmt in &section.statements {
                let StatementKind::Covers(items) = &stmt.kind else {
                    continue;
                };
                for item in items {
                    let (ids, span): (Vec<DiseaseId>, Span) = match item {
                        CoverItem::List(list) => match lists.get(&list.node) {
                            Some(ids) if self.cover(ids.len(), list.span) => {
                                (ids.clone(), list.span)
                            }
                            Some(_) => {
                                ok = false;
                                continue;
                            }
                            None => {
                                self.unknown_list(list, &list_names);
                                ok = false;
                                continue;
                            }
                        },
                        CoverItem::Code(code) => match table.lookup(&code.node) {
                            Some(_) if !self.cover(1, code.span) => {
                                ok = false;
                                continue;
                            }
                            Some(id) => (vec![id], code.span),
                            None => {
                                self.unknown_code(code.span, &code.node, &prefixes);
                                ok = false;
                                continue;
                            }
                        },
                        CoverItem::Range { from, to } => match self.code_range(from, to, &table) {
                            Some(ids) => (ids, from.span.to(to.span)),
                            None => {
                                ok = false;
                                continue;
                            }
                        },
                    };
                    ok &= self.assign(
                        &mut table,
                        &mut claimed,
                        benefits,
                        (bid, &bname.node),
                        &ids,
                        span,
                    );
                }
            }
        }
        ok.then_some(table)
    }

    /// The disease lists: every code with its name, and the codes of each
    /// list by name; false where a code is listed twice.
    fn disease_lists(&mut self) -> (Diseases, HashMap<String, Vec<DiseaseId>>, bool) {
        let mut table = Diseases::default();
        let mut spans: Vec<Span> = Vec::new();
        let mut lists: HashMap<String, Vec<DiseaseId>> = HashMap::new();
        let mut ok = true;
        let sections: Vec<&Section> = self.files.iter().flat_map(|f| f.sections.iter()).collect();
        for section in &sections {
            let Header::Diseases { name, .. } = &section.header.node else {
                continue;
            };
            let mut ids = Vec::new();
            if section.rows.is_empty() {
                self.push(
                    Diagnostic::warning(
                        "W202",
                        section.header.span,
                        format!("disease list `{}` is empty", name.node),
                    )
                    .label("no diseases under this line")
                    .help("list one disease per line, such as `CI001 \"恶性肿瘤——重度\"`"),
                );
            }
            for row in &section.rows {
                let Row::Disease {
                    code,
                    name: title,
                    span,
                } = row
                else {
                    continue;
                };
                if let Some(&first) = table.index.get(&code.node) {
                    self.push(
                        Diagnostic::error(
                            "E204",
                            code.span,
                            format!("disease `{}` is listed twice", code.node),
                        )
                        .label("listed again here")
                        .related(spans[first.0 as usize], "first listed here")
                        .help("each disease code is listed once; remove one of the rows"),
                    );
                    ok = false;
                    continue;
                }
                if title.node.trim().is_empty() {
                    self.push(
                        Diagnostic::error(
                            "E210",
                            title.span,
                            format!("disease `{}` has no name", code.node),
                        )
                        .label("empty name")
                        .help("write the disease's name, such as `\"恶性肿瘤——重度\"`"),
                    );
                }
                let id = DiseaseId(table.codes.len() as u32);
                table.index.insert(code.node.clone(), id);
                table.codes.push(code.node.clone());
                table.names.push(title.node.clone());
                table.benefit.push(None);
                spans.push(*span);
                ids.push(id);
            }
            lists.entry(name.node.clone()).or_insert(ids);
        }
        (table, lists, ok)
    }

    /// A `covers` item that names no disease list.
    fn unknown_list(&mut self, list: &crate::ast::Name, list_names: &[&str]) {
        let mut d = Diagnostic::error(
            "E202",
            list.span,
            format!("there is no disease list named `{}`", list.node),
        )
        .label("unknown disease list");
        d = match (
            list.node.split_once('-'),
            did_you_mean(&list.node, list_names.iter().copied()),
        ) {
            (Some((a, b)), _) if is_disease_code(a) && is_disease_code(b) => d.help(format!(
                "a range of codes is written with `to`: `{a} to {b}`"
            )),
            (_, Some(s)) => d.help(format!("did you mean `{s}`?")).fix(list.span, s),
            _ => d.help("declare it with `diseases NAME`, or include a file that does"),
        };
        self.push(d);
    }

    /// Gives the diseases `ids` (covered at `span`) to benefit `bid`; false,
    /// with an error, when one already belongs to another benefit.
    fn assign(
        &mut self,
        table: &mut Diseases,
        claimed: &mut [Option<Span>],
        benefits: &[&Section],
        (bid, bname): (BenefitId, &str),
        ids: &[DiseaseId],
        span: Span,
    ) -> bool {
        for &id in ids {
            let slot = &mut table.benefit[id.0 as usize];
            match *slot {
                Some(other) if other == bid => {}
                Some(other) => {
                    let other_name = match &benefits[other.0 as usize].header.node {
                        Header::Benefit { name, .. } => name.node.clone(),
                        _ => String::new(),
                    };
                    let mut d = Diagnostic::error(
                        "E205",
                        span,
                        format!(
                            "disease `{}` is covered by two benefits, `{other_name}` and `{}`",
                            table.codes[id.0 as usize], bname
                        ),
                    )
                    .label("covered again here")
                    .help("a disease belongs to one benefit; remove it from one of them");
                    if let Some(first) = claimed[id.0 as usize] {
                        d = d.related(first, format!("covered by `{other_name}` here"));
                    }
                    self.push(d);
                    return false;
                }
                None => {
                    *slot = Some(bid);
                    claimed[id.0 as usize] = Some(span);
                }
            }
        }
        true
    }

    /// Counts `n` more diseases named by a `covers` line at `span`; false,
    /// reported once, past `MAX_COVERED`.
    fn cover(&mut self, n: usize, span: Span) -> bool {
        let before = self.covered;
        self.covered = before.saturating_add(n as u64);
        if self.covered <= MAX_COVERED {
            return true;
        }
        if before <= MAX_COVERED {
            self.push(
                Diagnostic::error(
                    "E211",
                    span,
                    format!(
                        "the `covers` lines name more than {MAX_COVERED_WORDS} diseases in all"
                    ),
                )
                .label("too many diseases covered")
                .help(
                    "a list or a range counts every time a `covers` line names it: name each once",
                ),
            );
        }
        false
    }

    fn unknown_code(&mut self, span: Span, code: &str, prefixes: &Prefixes) {
        // A code one digit away is another disease: name what the lists hold instead.
        let prefix = &code[..code.len()
            - code
                .trim_start_matches(|c: char| c.is_ascii_uppercase())
                .len()];
        let help = match prefixes.get(prefix).filter(|_| !prefix.is_empty()) {
            Some((count, first, last)) => format!(
                "the disease lists hold {count} `{prefix}` codes, from `{first}` to `{last}`; list `{code}` under a `diseases NAME` section to cover it",
            ),
            None => "list it under a `diseases NAME` section first".to_string(),
        };
        self.push(
            Diagnostic::error(
                "E207",
                span,
                format!("disease `{code}` is in no disease list"),
            )
            .label("unknown disease code")
            .help(help),
        );
    }

    fn code_range(
        &mut self,
        from: &crate::ast::Name,
        to: &crate::ast::Name,
        table: &Diseases,
    ) -> Option<Vec<DiseaseId>> {
        let (Some(a), Some(b)) = (split_code(&from.node), split_code(&to.node)) else {
            self.push(
                Diagnostic::error(
                    "E207",
                    from.span.to(to.span),
                    "not a range of disease codes",
                )
                .label("bad range"),
            );
            return None;
        };
        if a.0 != b.0 || a.2 != b.2 || a.1 > b.1 {
            self.push(
                Diagnostic::error(
                    "E304",
                    from.span.to(to.span),
                    format!("`{} to {}` is not a range of codes", from.node, to.node),
                )
                .label("empty or mixed range")
                .help(
                    "both ends share a prefix and a width, the first no larger: `CI001 to CI028`",
                ),
            );
            return None;
        }
        let mut ids = Vec::new();
        let mut ok = true;
        for n in a.1..=b.1 {
            if !self.cover(1, from.span.to(to.span)) {
                return None;
            }
            let code = format!("{}{:0width$}", a.0, n, width = a.2);
            match table.lookup(&code) {
                Some(id) => ids.push(id),
                None => {
                    ok = false;
                    self.push(
                        Diagnostic::error("E207", from.span.to(to.span), format!("the range includes `{code}`, which is in no disease list"))
                            .label("range with a missing code")
                            .help("list every code of the range under `diseases NAME`, or shorten the range"),
                    );
                    break;
                }
            }
        }
        ok.then_some(ids)
    }
}
