//! Showing a harvest while it goes: on a terminal, a live block of one line
//! per source and a bar over all of them, redrawn in place; otherwise one
//! plain line each time a source's status changes; nothing for `--output
//! json`, which prints one document at the end.

use std::collections::HashMap;
use std::io::Write;

use datazone_runs::model::harvest::{Harvest, SourceRecord, Stage};
use datazone_runs::model::timestamp::Timestamp;

/// Sources a live block shows; the rest are counted.
const SHOWN: usize = 20;
const BAR_WIDTH: usize = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Live,
    Lines,
    Silent,
}

pub struct Progress {
    mode: Mode,
    /// Lines of the live block last drawn.
    drawn: usize,
    /// What each source's last plain line said.
    said: HashMap<String, String>,
}

/// Where a source stands: its run's status, or its outcome once done.
fn state(source: &SourceRecord) -> String {
    match (&source.tracking.outcome, source.tracking.stage) {
        (Some(outcome), Stage::Done) => outcome.to_string(),
        (Some(outcome), _) => format!("{outcome}, GENERATING_METADATA"),
        (None, Stage::ToStart) => "STARTING".to_owned(),
        (None, _) => source
            .status
            .as_ref()
            .map_or("?".to_owned(), |status| status.to_string()),
    }
}

/// A source's line: where it stands, how long its run has gone, and the
/// assets it has added, updated and failed so far.
fn line(source: &SourceRecord, now: Timestamp) -> String {
    let elapsed = source
        .duration_seconds
        .or_else(|| source.began_at.map(|began| began.seconds_until(now)))
        .map(|seconds| format!("{}m{:02}s", seconds.max(0) / 60, seconds.max(0) % 60))
        .unwrap_or_default();
    let assets = source
        .asset_statistics
        .map(|s| format!("+{} ~{} !{}", s.added, s.updated, s.failed))
        .unwrap_or_default();
    format!(
        "{:<24} {:<36} {elapsed:>8} {assets}",
        source.data_source_id.as_str(),
        state(source)
    )
}

impl Progress {
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            drawn: 0,
            said: HashMap::new(),
        }
    }

    pub fn show(&mut self, harvest: &Harvest) {
        let now = Timestamp::now();
        match self.mode {
            Mode::Silent => {}
            Mode::Lines => {
                for source in &harvest.sources {
                    // Elapsed time changes every round: a new state is news.
                    let now_state = state(source);
                    let id = source.data_source_id.to_string();
                    if self.said.get(&id) != Some(&now_state) {
                        println!("{}", line(source, now));
                        self.said.insert(id, now_state);
                    }
                }
            }
            Mode::Live => {
                let mut out = std::io::stdout().lock();
                if self.drawn > 0 {
                    // Back to the block's first line, and clear below.
                    let _ = write!(out, "\x1b[{}A\x1b[J", self.drawn);
                }
                let mut lines = 0;
                for source in harvest.sources.iter().take(SHOWN) {
                    let _ = writeln!(out, "{}", line(source, now));
                    lines += 1;
                }
                if harvest.sources.len() > SHOWN {
                    let _ = writeln!(out, "… and {} more", harvest.sources.len() - SHOWN);
                    lines += 1;
                }
                let total = harvest.sources.len().max(1);
                let done = harvest.sources.len() - harvest.pending();
                let filled = done * BAR_WIDTH / total;
                let _ = writeln!(
                    out,
                    "[{}{}] {done}/{} done",
                    "#".repeat(filled),
                    ".".repeat(BAR_WIDTH - filled),
                    harvest.sources.len()
                );
                self.drawn = lines + 1;
                let _ = out.flush();
            }
        }
    }
}
