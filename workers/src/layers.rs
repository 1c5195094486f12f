//! The code's dependencies point one way: binaries -> `demo/` -> `cli/` ->
//! the workers and their infrastructure -> `shared`. This test reads the
//! sources and fails on an import that points back up.

use std::path::{Path, PathBuf};

/// A module and the only places that may import it.
struct Rule {
    module: &'static str,
    /// Directories under `src/` whose files may import `module`.
    allowed: &'static [&'static str],
}

const RULES: &[Rule] = &[
    Rule {
        module: "crate::cli",
        allowed: &["cli", "demo", "bin"],
    },
    Rule {
        module: "crate::demo",
        allowed: &["demo", "bin"],
    },
    Rule {
        module: "crate::disburser",
        allowed: &["disburser", "cli", "demo", "bin"],
    },
];

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("reading workers/src") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

#[test]
fn imports_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() > 50, "found only {} sources", files.len());
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).expect("under src");
        let top = relative
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .unwrap_or_default()
            .trim_end_matches(".rs");
        let text = std::fs::read_to_string(file).expect("reading a source");
        for rule in RULES {
            if rule.allowed.contains(&top) {
                continue;
            }
            for (number, line) in text.lines().enumerate() {
                let code = line.split("//").next().unwrap_or_default();
                if code.contains(&format!("{}::", rule.module))
                    || code.contains(&format!("{};", rule.module))
                {
                    violations.push(format!(
                        "{}:{}: {}",
                        relative.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "imports that point back up:\n{}",
        violations.join("\n")
    );
}
