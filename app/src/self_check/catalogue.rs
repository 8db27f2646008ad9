//! Which instruments this server offers: the shipped ones, plus licensed definitions an
//! operator installs as JSON files in `<data-dir>/instruments/`. A file that does not
//! validate is skipped with a warning naming the file and every problem.

use super::Instruments;
use anxin_screening::{Instrument, shipped};
use std::{path::Path, sync::Arc};

/// The folder under the data directory where operators put licensed definitions.
pub fn installed_dir(data_dir: &Path) -> std::path::PathBuf {
    data_dir.join("instruments")
}

/// Reads one definition file, validated.
pub fn read(path: &Path) -> Result<Instrument, Vec<String>> {
    let text = std::fs::read_to_string(path).map_err(|e| vec![e.to_string()])?;
    Instrument::from_json(&text).map_err(|errors| errors.iter().map(ToString::to_string).collect())
}

pub fn load(data_dir: &Path) -> Instruments {
    let mut all = shipped();
    let mut files: Vec<_> = std::fs::read_dir(installed_dir(data_dir))
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "json"));
    files.sort();
    for path in files {
        match read(&path) {
            Ok(instrument) if all.iter().any(|i| i.id == instrument.id) => {
                tracing::warn!(file = %path.display(), id = %instrument.id, "skipped: an instrument with this id is already loaded");
            }
            Ok(instrument) => {
                tracing::info!(file = %path.display(), id = %instrument.id, "installed instrument loaded");
                all.push(instrument);
            }
            Err(problems) => {
                tracing::warn!(file = %path.display(), ?problems, "skipped an invalid instrument definition");
            }
        }
    }
    Instruments(Arc::new(all))
}
