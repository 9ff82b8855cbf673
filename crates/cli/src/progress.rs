//! Progress on stderr for long work. indicatif draws only when stderr is a
//! terminal, so logs, pipes and CI see nothing of it.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use accessaudit_rules::checks::LogRead;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// One progress bar for a command's stages and steps.
pub(crate) struct Bar {
    bar: ProgressBar,
    started: Instant,
}

impl Bar {
    /// A bar labelled with the command's name; hidden when stderr is not a
    /// terminal or when `ACCESSAUDIT_NO_PROGRESS` is set.
    pub(crate) fn new(label: &str) -> Self {
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
    pub(crate) fn stage(&self, name: &str) {
        self.bar.set_message(name.to_string());
    }

    /// `done` of `total` steps; `count` things so far, with their rate.
    pub(crate) fn step(&self, done: u64, total: u64, count: u64, what: &str) {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        self.bar.set_message(format!(
            "{done}/{total} days, {count} {what} ({:.0} {what}/s)",
            count as f64 / secs
        ));
    }

    /// A line printed above the bar (only when the bar is drawn).
    pub(crate) fn note(&self, line: &str) {
        self.bar.println(line);
    }

    /// Removes the bar.
    pub(crate) fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

/// The audit's rules on a bar: which rule runs, and while it reads the
/// access log, which slice and how many events per second.
pub(crate) struct RuleBar<'b> {
    bar: &'b Bar,
    rule: RefCell<String>,
    started: Cell<Instant>,
    events: Cell<u64>,
}

impl<'b> RuleBar<'b> {
    /// Rules shown on `bar`.
    pub(crate) fn new(bar: &'b Bar) -> Self {
        Self {
            bar,
            rule: RefCell::new(String::new()),
            started: Cell::new(Instant::now()),
            events: Cell::new(0),
        }
    }

    /// Rule `id` starts, `done` of `total` being done.
    pub(crate) fn rule(&self, id: &str, done: usize, total: usize) {
        let label = format!("rules {done}/{total}: {id}");
        self.bar.stage(&label);
        *self.rule.borrow_mut() = label;
        self.started.set(Instant::now());
        self.events.set(0);
    }

    /// The running rule has read a slice of the log.
    pub(crate) fn log(&self, read: LogRead) {
        let label = self.rule.borrow();
        let slices = format!("log {}/{}", read.slice, read.slices);
        match read.events {
            Some(n) => {
                let events = self.events.get() + n;
                self.events.set(events);
                let secs = self.started.get().elapsed().as_secs_f64().max(0.001);
                self.bar.stage(&format!(
                    "{label} · {slices} · {} events, {}/s",
                    human(events as f64),
                    human(events as f64 / secs)
                ));
            }
            None => self.bar.stage(&format!("{label} · {slices}")),
        }
    }
}

/// `12.3 M`, `45.6 k`, `789`.
fn human(n: f64) -> String {
    if n >= 1e6 {
        format!("{:.1} M", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} k", n / 1e3)
    } else {
        format!("{n:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::human;

    #[test]
    fn counts_read_at_a_glance() {
        assert_eq!(human(12_345_678.0), "12.3 M");
        assert_eq!(human(45_600.0), "45.6 k");
        assert_eq!(human(789.0), "789");
    }
}
