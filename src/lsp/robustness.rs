//! Every feature at every byte of every seed plan and broken plan: no
//! panic, whatever the cursor is on.

use super::analysis::{Analysis, path_uri};
use super::{actions, completion, hover, navigate};
use crate::read::OpenTexts;
use std::path::PathBuf;

fn plans() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    ["plans", "plans/common", "tests/plans/broken"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).expect("a folder"))
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "plan"))
        .collect()
}

#[test]
fn every_feature_answers_at_every_offset_without_panicking() {
    let plans = plans();
    assert!(plans.len() > 20, "the corpus is there");
    let mut hovers = 0;
    for path in plans {
        let path = path.canonicalize().expect("exists");
        let uri = path_uri(&path).expect("a file address");
        let analysis = Analysis::of(&path, uri, &OpenTexts::new());
        let Some(id) = analysis.file(&path) else {
            continue;
        };
        let len = analysis.source(id).text.len() as u32;
        for offset in 0..=len {
            hovers += usize::from(hover::hover(&analysis, id, offset).is_some());
            navigate::definition(&analysis, id, offset);
            navigate::references(&analysis, id, offset, true);
            completion::complete(&analysis, id, offset);
            actions::quick_fixes(&analysis, id, offset, offset + 1);
        }
    }
    assert!(hovers > 1000, "hovers answer: {hovers}");
}
