//! The password for a database from `~/.pgpass` (or `PGPASSFILE`), as libpq
//! reads it: `hostname:port:database:username:password` per line, `*`
//! matching anything, `\:` and `\\` escaped, the first matching line wins,
//! and a file others can read is ignored.

use std::path::PathBuf;

/// The password `~/.pgpass` gives for `host`, `port`, `database`, `user`.
pub(super) fn lookup(host: &str, port: u16, database: &str, user: &str) -> Option<String> {
    let path = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pgpass")))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).ok()?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(
                "{} is readable by others; it is ignored (chmod 0600 it)",
                path.display()
            );
            return None;
        }
    }
    let text = std::fs::read_to_string(&path).ok()?;
    find(&text, host, &port.to_string(), database, user)
}

/// The first line of `text` matching the four keys.
fn find(text: &str, host: &str, port: &str, database: &str, user: &str) -> Option<String> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .map(fields)
        .find(|f| {
            f.len() == 5
                && [host, port, database, user]
                    .iter()
                    .zip(f)
                    .all(|(want, got)| got == "*" || got == want)
        })
        .and_then(|mut f| f.pop())
}

/// The fields of one line, `\`-escapes undone.
fn fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let (Some(next), Some(last)) = (chars.next(), out.last_mut()) {
                    last.push(next);
                }
            }
            ':' if out.len() < 5 => out.push(String::new()),
            c => {
                if let Some(last) = out.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_matching_line_with_wildcards_and_escapes() {
        let text =
            "# comment\nother:5432:*:*:no\nlocalhost:*:audit:reader:se\\:cret\n*:*:*:*:fallback\n";
        assert_eq!(
            find(text, "localhost", "5433", "audit", "reader").as_deref(),
            Some("se:cret")
        );
        assert_eq!(
            find(text, "db.example", "5432", "x", "y").as_deref(),
            Some("fallback")
        );
        assert_eq!(find("", "h", "1", "d", "u"), None);
    }
}
