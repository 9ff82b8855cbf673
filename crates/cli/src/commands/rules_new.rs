//! `rules new ID --kind sql`: the skeleton of a rule file and its two
//! fixture cases, for an author to fill in (docs/writing-rules.md).

use std::path::Path;
use std::process::ExitCode;

use accessaudit_rules::Area;

use super::CommandError;

/// The rule file: it loads as written, and every `TODO` marks what the
/// author fills in.
const RULE: &str = r#"id = "{ID}"
name = "todo-short-name"
area = "{AREA}"
title = "TODO One-line title"
severity = "medium"
check = "sql"
# The returned columns that identify one finding: the finding_id hashes them.
grain = ["system", "account_id"]
description = """
TODO What the rule checks and why, for a compliance reviewer.
"""
remediation = """
TODO What to do about a finding.
"""
references = []
# {column} is a returned column; a [...] segment is left out when its value is empty.
message = "[{person_name}'s |The ][{system} ]account[ {account_id}] TODO says what is wrong."
# One returned row is one finding. Tables, views and placeholders:
# docs/writing-rules.md.
query = """
SELECT a.system,
       a.account_id,
       a.person_id,
       e.name AS person_name
FROM accounts a
LEFT JOIN (SELECT person_id, MIN(name) AS name
           FROM employment WHERE at_as_of GROUP BY person_id) e
       ON e.person_id = a.person_id
WHERE a.kind = 'personal'
  AND a.created_at <= :as_of
  AND (a.closed_at IS NULL OR a.closed_at > :as_of)
  AND a.last_login_at IS NULL          -- TODO the condition of a finding
  AND a.created_at < :as_of - INTERVAL '1 day' * :min_age_days
"""

# Each parameter's default; its TOML type is its type (:name in the query).
[params]
min_age_days = 30

[et]
title = "TODO Pealkiri"
description = """
TODO Mida reegel kontrollib ja miks.
"""
remediation = """
TODO Mida leiuga teha.
"""
references = []
message = "[Isiku {person_name} ][{system} ]konto[ {account_id}] TODO."
"#;

const FIRES: &str = r#"description = """
TODO The story of the case: what makes {ID} fire.
"""
base = "../../../base"
"#;

const NEAR_MISS: &str = r#"description = """
TODO The story of the near miss: what almost fires {ID}, and why it must not.
"""
base = "../../../base"
"#;

/// The header of a case's expected findings: the columns compared.
const EXPECTED: &str = "rule_id,system,account_id,person_id,severity,message\n";

/// Writes `rules/<ID>.toml` and `<fixtures>/<ID>/{fires,near-miss}/`,
/// refusing to overwrite anything.
pub(super) fn new(id: &str, rules: &Path, fixtures: &Path) -> Result<ExitCode, CommandError> {
    let id = id.trim().to_ascii_uppercase();
    let area = Area::ALL
        .into_iter()
        .find(|a| {
            id.strip_prefix(a.as_str())
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        })
        .ok_or_else(|| {
            CommandError::Usage(format!(
                "{id:?} is not a rule id: an area ({}), a dash and a number, e.g. ACC-90",
                Area::ALL.map(Area::as_str).join(", ")
            ))
        })?;
    let rule_file = rules.join(format!("{id}.toml"));
    let case_dir = fixtures.join(&id);
    for path in [&rule_file, &case_dir] {
        if path.exists() {
            return Err(CommandError::Usage(format!(
                "{} exists already: choose another id",
                path.display()
            )));
        }
    }
    let fill = |text: &str| text.replace("{ID}", &id).replace("{AREA}", area.as_str());
    let write = |path: &Path, text: String| -> Result<(), CommandError> {
        let io = |source| CommandError::Read {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(path, text).map_err(io)
    };
    write(&rule_file, fill(RULE))?;
    for (case, text) in [("fires", FIRES), ("near-miss", NEAR_MISS)] {
        write(&case_dir.join(case).join("case.toml"), fill(text))?;
        write(
            &case_dir.join(case).join("expected.csv"),
            EXPECTED.to_string(),
        )?;
    }
    println!("wrote {}", rule_file.display());
    println!(
        "wrote {}/fires/ and near-miss/ (case.toml, expected.csv)",
        case_dir.display()
    );
    println!(
        "next: fill in the TODOs, add the tables each case changes, then\n  accessaudit rules test --rules {} --rule {id}",
        rules.display()
    );
    Ok(ExitCode::SUCCESS)
}
