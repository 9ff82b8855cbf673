//! Progress on stderr for long work. indicatif draws only when stderr is a
//! terminal, so logs, pipes and CI see nothing of it.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One progress bar for a command's stages and steps.
pub struct Bar {
    bar: ProgressBar,
    started: Instant,
}

impl Bar {
    /// A bar labelled with the command's name; hidden when stderr is not a
    /// terminal or when `ACCESSAUDIT_NO_PROGRESS` is set.
    pub fn new(label: &str) -> Self {
        let target = if std::env::var_os("ACCESSAUDIT_NO_PROGRESS").is_some() {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let style =
            ProgressStyle::with_template("{prefix:.bold} {spinner} [{elapsed_precise}] {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(label.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Self {
            bar,
            started: Instant::now(),
        }
    }

    /// A new stage begins.
    pub fn stage(&self, name: &str) {
        self.bar.set_message(name.to_string());
    }

    /// `done` of `total` steps; `count` things so far, with their rate.
    pub fn step(&self, done: u64, total: u64, count: u64, what: &str) {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        self.bar.set_message(format!(
            "{done}/{total} days, {count} {what} ({:.0} {what}/s)",
            count as f64 / secs
        ));
    }

    /// A line printed above the bar (only when the bar is drawn).
    pub fn note(&self, line: &str) {
        self.bar.println(line);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
