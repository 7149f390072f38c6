//! Which keys differ between two sweep files, for refusing to resume into a
//! dataset made by a different sweep.

use std::collections::BTreeMap;

/// Flattens TOML text into `dotted.key -> value` pairs. Returns `None` when
/// the text is not valid TOML.
fn flatten(text: &str) -> Option<BTreeMap<String, String>> {
    let table: toml::Table = toml::from_str(text).ok()?;
    let mut out = BTreeMap::new();
    walk("", &toml::Value::Table(table), &mut out);
    Some(out)
}

fn walk(prefix: &str, value: &toml::Value, out: &mut BTreeMap<String, String>) {
    match value {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                walk(&key, v, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// The keys whose values differ, were added or were removed, each with a
/// short description; empty when the two sweeps mean the same thing
/// (comments, spacing and key order do not count).
pub fn differing_keys(old: &str, new: &str) -> Vec<String> {
    let (Some(old), Some(new)) = (flatten(old), flatten(new)) else {
        return vec!["(the recorded sweep.toml is not valid TOML)".to_string()];
    };
    let mut out = Vec::new();
    for (key, old_value) in &old {
        match new.get(key) {
            None => out.push(format!("{key}: removed (was {old_value})")),
            Some(new_value) if new_value != old_value => {
                out.push(format!("{key}: {old_value} -> {new_value}"))
            }
            Some(_) => {}
        }
    }
    for (key, new_value) in &new {
        if !old.contains_key(key) {
            out.push(format!("{key}: added ({new_value})"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignores_layout_and_names_changes() {
        let old = "name = \"a\"\nseed = 1 # c\n[grid]\nx = [1, 2]\n";
        assert!(differing_keys(old, "seed = 1\nname = \"a\"\n\n[grid]\nx = [1,2]").is_empty());
        let changes = differing_keys(old, "name = \"a\"\nseed = 2\n[grid]\nx = [1, 2, 3]\ny = [1]\n");
        assert_eq!(changes, vec!["grid.x: [1, 2] -> [1, 2, 3]", "seed: 1 -> 2", "grid.y: added ([1])"]);
    }
}
