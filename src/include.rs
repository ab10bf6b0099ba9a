//! Where an `include` may read: a regular file inside the folder of the plan
//! being checked (or a folder under it), and nothing else. A plan may come
//! from anyone; its includes must not read `/etc/passwd`, `../secret.txt`,
//! a link to elsewhere, a pipe that never ends or a device.

use std::path::{Component, Path, PathBuf};

/// Why an include is refused, or cannot be read.
#[derive(Debug)]
pub enum Refusal {
    /// `/etc/passwd`
    Absolute,
    /// `../secret.txt`: the path itself leaves the folder.
    LeavesFolder,
    /// Inside by its name, but a link leads outside.
    LinksOutside,
    /// A folder, a pipe, a device, a socket: what it is, in words.
    NotAFile(&'static str),
    /// The plan itself.
    ItsOwnPlan,
    /// The path cannot be followed (no such file, permission denied).
    Unreadable(std::io::Error),
}

/// The folder of the plan being checked, as given and with links resolved.
pub struct Folder {
    /// As given: empty for a plan named without a folder.
    given: PathBuf,
    canonical: PathBuf,
    plan: PathBuf,
}

impl Folder {
    /// The folder of the plan at `plan`.
    pub fn of(plan: &Path) -> std::io::Result<Folder> {
        let given = plan.parent().unwrap_or(Path::new("")).to_path_buf();
        let here = if given.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &given
        };
        let canonical = here.canonicalize()?;
        // A plan not saved yet (open in an editor) has no file to resolve.
        let plan = match plan.canonicalize() {
            Ok(p) => p,
            Err(_) => canonical.join(plan.file_name().unwrap_or_default()),
        };
        Ok(Folder {
            canonical,
            plan,
            given,
        })
    }

    /// The name an included file is shown by: `plans/common/diseases.plan`.
    pub fn display_name(&self, rel: &str) -> String {
        self.given.join(rel).display().to_string()
    }

    /// The file `include "rel"` names, resolved, when it may be read.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf, Refusal> {
        lexically_inside(Path::new(rel))?;
        let path = self
            .given
            .join(rel)
            .canonicalize()
            .map_err(Refusal::Unreadable)?;
        if !path.starts_with(&self.canonical) {
            return Err(Refusal::LinksOutside);
        }
        if path == self.plan {
            return Err(Refusal::ItsOwnPlan);
        }
        match crate::read::not_a_file(&path) {
            Ok(Some(what)) => Err(Refusal::NotAFile(what)),
            Ok(None) => Ok(path),
            Err(e) => Err(Refusal::Unreadable(e)),
        }
    }
}

/// Refuses an absolute path, or one whose `..` climb above where it starts.
fn lexically_inside(rel: &Path) -> Result<(), Refusal> {
    let mut depth = 0usize;
    for c in rel.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => return Err(Refusal::Absolute),
            Component::ParentDir => {
                depth = depth.checked_sub(1).ok_or(Refusal::LeavesFolder)?;
            }
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inside(rel: &str) -> bool {
        lexically_inside(Path::new(rel)).is_ok()
    }

    #[test]
    fn a_path_may_go_down_and_back_but_not_above() {
        assert!(inside("common/diseases.plan"));
        assert!(inside("./common/../diseases.plan"));
        assert!(!inside("../secret.txt"));
        assert!(!inside("common/../../secret.txt"));
        assert!(!inside("/etc/passwd"));
    }
}
