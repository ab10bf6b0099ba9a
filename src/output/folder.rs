//! The output folder: its files change together, as one run.
//!
//! A run takes a lock on the folder itself (elsewhere than on Unix, on a
//! file `.mutual.lock` in it), so that two runs never write into one folder
//! at once; a second run exits saying so. Its files are
//! written into a staging folder inside the output folder
//! (`.mutual-staging-XXXXXX`) and made durable. Then:
//!
//! 1. the manifest `mutual-run.json` is removed: from here until step 4 the
//!    folder holds no manifest, and a reader knows that a run is being put
//!    in place;
//! 2. the previous run's files are moved aside into the staging folder;
//! 3. the new files are renamed into place;
//! 4. the new manifest, naming the run and each of its files with its size,
//!    is written (atomically, by rename).
//!
//! Whenever the manifest exists, the files it names are all of one run. If
//! any step fails, the files moved so far are moved back and the previous
//! manifest is restored: the folder is as it was before the run.
//!
//! The new manifest is staged before step 1: a run killed during steps 1–4
//! leaves a staging folder holding its manifest, and the next run into the
//! folder completes what it began before anything else (the killed run's
//! files were complete and on disk). A run killed earlier left the folder
//! untouched; its staging folder is removed.
//!
//! Only files the tool wrote are ever removed: a previous run's output that
//! this run does not write (`charges.csv` without `--charges`) is removed only
//! when the previous manifest names it, and staging folders left by a killed
//! run only under the lock.

use super::OutputError;
use std::fs::File;
use std::path::{Path, PathBuf};

/// The manifest naming the run that the folder's files belong to.
pub const MANIFEST: &str = "mutual-run.json";
/// The lock file held while a run writes into the folder, where a folder
/// itself cannot be locked.
#[cfg(not(unix))]
pub const LOCK: &str = ".mutual.lock";
/// The prefix of the staging folders.
const STAGING: &str = ".mutual-staging-";

fn err(path: &Path, reason: impl Into<String>) -> OutputError {
    OutputError {
        path: path.display().to_string(),
        reason: reason.into(),
    }
}

fn io_err(path: &Path, e: &std::io::Error) -> OutputError {
    err(path, crate::io_reason(e))
}

/// What the manifest says: the run and its files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Manifest {
    pub run: String,
    pub plan: String,
    pub until: String,
    pub files: Vec<ManifestFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ManifestFile {
    pub name: String,
    pub bytes: u64,
}

impl Manifest {
    /// The manifest in `dir`, if there is one that can be read.
    pub fn read(dir: &Path) -> Option<Manifest> {
        let text = std::fs::read_to_string(dir.join(MANIFEST)).ok()?;
        serde_json::from_str(&text).ok()
    }
}

/// An output folder, locked for one run, with the files staged so far.
pub struct Folder {
    dir: PathBuf,
    staging: tempfile::TempDir,
    staged: Vec<(String, u64)>,
    /// Held until the folder is dropped.
    _lock: File,
}

impl Folder {
    /// Creates `dir` if needed, locks it and makes a staging folder in it.
    pub fn open(dir: &Path) -> Result<Folder, OutputError> {
        std::fs::create_dir_all(dir).map_err(|e| io_err(dir, &e))?;
        let lock = lock(dir)?;
        recover(dir)?;
        let staging = tempfile::Builder::new()
            .prefix(STAGING)
            .tempdir_in(dir)
            .map_err(|e| io_err(dir, &e))?;
        Ok(Folder {
            dir: dir.to_path_buf(),
            staging,
            staged: Vec::new(),
            _lock: lock,
        })
    }

    /// Writes one file into the staging folder with `fill`, durably.
    pub fn stage(
        &mut self,
        name: &str,
        fill: impl FnOnce(&mut (dyn std::io::Write + Send)) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let target = self.dir.join(name);
        let path = self.staging.path().join(name);
        let file = File::create(&path).map_err(|e| io_err(&target, &e))?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
        fill(&mut w).map_err(|e| io_err(&target, &e))?;
        let file = w.into_inner().map_err(|e| io_err(&target, e.error()))?;
        file.sync_all().map_err(|e| io_err(&target, &e))?;
        let bytes = file.metadata().map_err(|e| io_err(&target, &e))?.len();
        self.staged.push((name.to_string(), bytes));
        Ok(())
    }

    /// Puts the staged files in place of the previous run's, as one change.
    pub fn commit(self, plan: &str, until: &str) -> Result<(), OutputError> {
        let mut stop = stop_after_renames();
        self.commit_with(plan, until, &mut |from, to| {
            std::fs::rename(from, to)?;
            if let Some(left) = stop.as_mut() {
                *left = left.saturating_sub(1);
                if *left == 0 {
                    std::process::abort();
                }
            }
            Ok(())
        })
    }

    /// `commit`, moving files with `rename`: a rename that fails part-way
    /// (as a test makes it) leaves the folder as it was.
    pub fn commit_with(
        self,
        plan: &str,
        until: &str,
        rename: &mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
    ) -> Result<(), OutputError> {
        let manifest = Manifest {
            run: run_id(),
            plan: plan.to_string(),
            until: until.to_string(),
            files: self
                .staged
                .iter()
                .map(|(name, bytes)| ManifestFile {
                    name: name.clone(),
                    bytes: *bytes,
                })
                .collect(),
        };
        // From here on, the staging folder holds a whole run and its
        // manifest: a run killed part-way is completed by the next (`recover`).
        write_manifest(self.staging.path(), &manifest)?;
        let mut moves = Moves::new(&self.dir, self.staging.path(), rename);
        if let Err(e) = moves.put_in_place(&manifest) {
            moves.undo();
            let _ = std::fs::remove_file(self.staging.path().join(MANIFEST));
            return Err(e);
        }
        sync_dir(&self.dir);
        Ok(())
    }
}

/// The renames of one commit, recorded so that they can be undone.
struct Moves<'a> {
    dir: &'a Path,
    staging: &'a Path,
    aside: PathBuf,
    rename: &'a mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
    /// (from, to) in the order done.
    done: Vec<(PathBuf, PathBuf)>,
}

impl<'a> Moves<'a> {
    fn new(
        dir: &'a Path,
        staging: &'a Path,
        rename: &'a mut dyn FnMut(&Path, &Path) -> std::io::Result<()>,
    ) -> Moves<'a> {
        Moves {
            dir,
            staging,
            rename,
            aside: staging.join("previous"),
            done: Vec::new(),
        }
    }

    fn rename(&mut self, from: PathBuf, to: PathBuf, shown: &Path) -> Result<(), OutputError> {
        (self.rename)(&from, &to).map_err(|e| io_err(shown, &e))?;
        self.done.push((from, to));
        Ok(())
    }

    /// Moves the previous run's manifest and files aside, the staged files
    /// in, then the staged manifest. Each step skips what is done already,
    /// so that the steps of a run killed part-way can be taken again.
    fn put_in_place(&mut self, manifest: &Manifest) -> Result<(), OutputError> {
        if !self.aside.is_dir() {
            std::fs::create_dir(&self.aside).map_err(|e| io_err(self.dir, &e))?;
        }
        let manifest_path = self.dir.join(MANIFEST);
        if manifest_path.exists() {
            self.rename(
                manifest_path.clone(),
                self.aside.join(MANIFEST),
                &manifest_path,
            )?;
        }
        sync_dir(self.dir);
        let previous = Manifest::read(&self.aside);
        for name in self.old_outputs(manifest, previous.as_ref()) {
            let target = self.dir.join(&name);
            self.rename(target.clone(), self.aside.join(&name), &target)?;
        }
        for f in manifest.files.iter().filter(|f| is_plain_name(&f.name)) {
            let staged = self.staging.join(&f.name);
            if staged.exists() {
                let target = self.dir.join(&f.name);
                self.rename(staged, target.clone(), &target)?;
            }
        }
        let staged = self.staging.join(MANIFEST);
        self.rename(staged, manifest_path.clone(), &manifest_path)
    }

    /// The outputs in the folder to move aside: those this run replaces (and
    /// has not put in place yet), and those of the previous run (by its
    /// manifest) that this run does not write.
    fn old_outputs(&self, manifest: &Manifest, previous: Option<&Manifest>) -> Vec<String> {
        let ours = |name: &str| manifest.files.iter().any(|f| f.name == name);
        let mut names: Vec<String> = manifest
            .files
            .iter()
            .filter(|f| is_plain_name(&f.name) && self.staging.join(&f.name).exists())
            .map(|f| f.name.clone())
            .collect();
        for f in previous.iter().flat_map(|p| &p.files) {
            if !ours(&f.name) && is_plain_name(&f.name) {
                names.push(f.name.clone());
            }
        }
        names.retain(|n| self.dir.join(n).symlink_metadata().is_ok());
        names
    }

    /// Moves everything back, last move first.
    fn undo(&mut self) {
        for (from, to) in self.done.drain(..).rev() {
            let _ = std::fs::rename(&to, &from);
        }
        sync_dir(self.dir);
    }
}

/// A file name without a folder: a manifest cannot name files elsewhere.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\'])
}

/// Writes the manifest into the staging folder, durably and whole: it
/// appears there, by a rename, only once complete.
fn write_manifest(staging: &Path, manifest: &Manifest) -> Result<(), OutputError> {
    let (tmp, done) = (staging.join("manifest.tmp"), staging.join(MANIFEST));
    let mut text = serde_json::to_string_pretty(manifest).map_err(|e| err(&done, e.to_string()))?;
    text.push('\n');
    let write = || -> std::io::Result<()> {
        let mut f = File::create(&tmp)?;
        std::io::Write::write_all(&mut f, text.as_bytes())?;
        f.sync_all()?;
        std::fs::rename(&tmp, &done)?;
        sync_dir(staging);
        Ok(())
    };
    write().map_err(|e| io_err(&done, &e))
}

/// Takes the folder's lock, or says that another run holds it.
fn lock(dir: &Path) -> Result<File, OutputError> {
    let (file, path) = lock_handle(dir)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(err(
            dir,
            "another `mutual run` is writing to this folder; wait for it to finish, or choose another --out",
        )),
        Err(std::fs::TryLockError::Error(e)) => Err(io_err(&path, &e)),
    }
}

/// What the lock is taken on: the folder itself, where the system can lock
/// a folder (so that no lock file is left in it).
#[cfg(unix)]
fn lock_handle(dir: &Path) -> Result<(File, PathBuf), OutputError> {
    let file = File::open(dir).map_err(|e| io_err(dir, &e))?;
    Ok((file, dir.to_path_buf()))
}

/// Elsewhere, a lock file in the folder.
#[cfg(not(unix))]
fn lock_handle(dir: &Path) -> Result<(File, PathBuf), OutputError> {
    let path = dir.join(LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| io_err(&path, &e))?;
    Ok((file, path))
}

/// Deals with the staging folders of runs that were killed (the lock is
/// held, so no other run is using them): a run killed while putting its
/// files in place (its manifest staged) is completed; anything else staged
/// is removed.
fn recover(dir: &Path) -> Result<(), OutputError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let ours = entry.file_name().to_string_lossy().starts_with(STAGING);
        if !ours || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let staging = entry.path();
        if let Some(manifest) = Manifest::read(&staging) {
            let mut rename = |from: &Path, to: &Path| std::fs::rename(from, to);
            Moves::new(dir, &staging, &mut rename)
                .put_in_place(&manifest)
                .map_err(|e| {
                    err(
                        dir,
                        format!("a run that was interrupted while putting its files in place cannot be completed: {}", e.reason),
                    )
                })?;
            sync_dir(dir);
        }
        let _ = std::fs::remove_dir_all(&staging);
    }
    Ok(())
}

/// For the tests of `recover`: the number of renames after which a commit
/// stops the process at once, as a kill would
/// (`MUTUAL_TEST_ABORT_AFTER_RENAMES`). Only a test sets it: it simulates a
/// crash and must never be set otherwise.
fn stop_after_renames() -> Option<u32> {
    std::env::var("MUTUAL_TEST_ABORT_AFTER_RENAMES")
        .ok()
        .and_then(|v| v.parse().ok())
}

/// A name for a run: the time it committed and the process.
fn run_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.{:09}-{}",
        now.as_secs(),
        now.subsec_nanos(),
        std::process::id()
    )
}

/// Makes the folder's renames durable (where the platform allows).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Refuses a run whose output would replace one of its inputs: compares the
/// files themselves (device and inode), not the spelling of their paths.
pub fn refuse_overwriting(dir: &Path, names: &[&str], inputs: &[&Path]) -> Result<(), OutputError> {
    let ids: Vec<(FileKey, &Path)> = inputs
        .iter()
        .filter_map(|p| file_key(p).map(|k| (k, *p)))
        .collect();
    for name in names.iter().chain([&MANIFEST]) {
        let target = dir.join(name);
        let Some(key) = file_key(&target) else {
            continue;
        };
        if let Some((_, input)) = ids.iter().find(|(k, _)| *k == key) {
            return Err(err(
                &target,
                format!(
                    "this output would replace the input {}; choose another --out folder",
                    input.display()
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(unix)]
type FileKey = (u64, u64);
#[cfg(not(unix))]
type FileKey = PathBuf;

/// What identifies a file, following symbolic links; `None` if it does not exist.
#[cfg(unix)]
fn file_key(path: &Path) -> Option<FileKey> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_key(path: &Path) -> Option<FileKey> {
    path.canonicalize().ok()
}
