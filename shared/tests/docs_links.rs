//! Every relative link in the repository's Markdown documents resolves inside
//! the repository, so a newcomer (or an outside auditor) who follows the README
//! finds the specification, contracts and rules it points to.

use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("shared/ sits in the repository")
        .to_path_buf()
}

/// The Markdown files a reader starts from: top level and `docs/`, plus any
/// README below the top level that a link may lead to.
fn documents(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for dir in [root.to_path_buf(), root.join("docs")] {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Targets of inline links `[text](target)`, outside code spans and blocks.
fn link_targets(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut in_block = false;
    for (number, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("```") {
            in_block = !in_block;
            continue;
        }
        if in_block {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            out.push((number + 1, after[..end].to_owned()));
            rest = &after[end..];
        }
    }
    out
}

#[test]
fn relative_links_resolve_inside_the_repository() {
    let root = repository();
    let documents = documents(&root);
    assert!(
        documents.iter().any(|d| d.ends_with("README.md")),
        "README.md is found"
    );
    let mut broken = Vec::new();
    for document in &documents {
        let text = std::fs::read_to_string(document).expect("readable document");
        for (line, target) in link_targets(&text) {
            if target.contains("://") || target.starts_with('#') || target.starts_with("mailto:") {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            let resolved = document.parent().expect("a file has a folder").join(path);
            let inside = resolved
                .canonicalize()
                .is_ok_and(|r| r.starts_with(root.canonicalize().expect("root")));
            if !inside {
                broken.push(format!(
                    "{}:{line}: {target}",
                    document.strip_prefix(&root).unwrap_or(document).display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn the_link_scanner_sees_links_but_not_code() {
    let text = "see [a](a.md) and [b](docs/b.md#x)\n```\n[c](c.md)\n```\n";
    let targets: Vec<String> = link_targets(text).into_iter().map(|(_, t)| t).collect();
    assert_eq!(targets, ["a.md", "docs/b.md#x"]);
}
