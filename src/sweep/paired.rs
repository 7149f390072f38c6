//! `paired = [...]`: the swept axes a sweep pairs its runs across. Runs
//! that differ only on them share their seed (see `grid.rs` and `seed.rs`);
//! this reads and checks the list, so that a pairing that could never pair
//! anything (a misspelt, fixed or half-zipped axis) is an error, not a
//! silently unpaired dataset.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::error::{suggestion, Source, SweepError};
use super::parsed::Factor;
use crate::scenario::Scenario;

/// The parameter indices `paired = [...]` names: each a swept parameter,
/// named once, and naming every member of its `[[zip]]` block (a partner
/// left out would still tell the runs apart, so they would never share a
/// seed).
pub(super) fn axes(
    src: &Source,
    top: &DeTable,
    scenario: &Scenario,
    factors: &[Factor],
) -> Result<Vec<usize>, SweepError> {
    let key = crate::dataset::names::PAIRED;
    let Some(value) = top.get(key) else { return Ok(Vec::new()) };
    let specs = &scenario.params;
    let swept: Vec<&str> =
        factors.iter().flat_map(|f| f.params.iter()).map(|&i| specs[i].name.as_ref()).collect();
    let axes = if swept.is_empty() { "none".to_string() } else { swept.join(", ") };
    let DeValue::Array(items) = value.get_ref() else {
        return Err(src.error_at(
            Some(value.span()),
            format!("`{key}` takes a list of swept parameters, e.g. {key} = [\"verifier\"]"),
        ));
    };
    if items.is_empty() {
        return Err(src.error_at(
            Some(value.span()),
            format!("`{key}` names no axis: name the swept parameters to pair across (here: {axes}), or remove it"),
        ));
    }
    let mut indices: Vec<(usize, Range<usize>)> = Vec::new();
    for item in items {
        let DeValue::String(name) = item.get_ref() else {
            return Err(src.error_at(Some(item.span()), format!("`{key}` takes parameter names, as strings")));
        };
        let name = name.as_ref();
        let Some(index) = specs.iter().position(|p| p.name == name) else {
            return Err(src.error_at(
                Some(item.span()),
                format!(
                    "`{key}` names `{name}`, which is not a parameter of scenario `{}`; {}swept axes: {axes}",
                    scenario.name,
                    suggestion(name, swept.iter().copied().chain(specs.iter().map(|p| p.name.as_ref())))
                ),
            ));
        };
        if !swept.contains(&name) {
            return Err(src.error_at(
                Some(item.span()),
                format!(
                    "`{key}` names `{name}`, which is not swept (every run has the same value); runs can only \
                     be paired across an axis of [grid] or [[zip]]; {}swept axes: {axes}",
                    suggestion(name, swept.iter().copied())
                ),
            ));
        }
        if indices.iter().any(|(i, _)| *i == index) {
            return Err(src.error_at(Some(item.span()), format!("`{name}` is named twice in `{key}`")));
        }
        indices.push((index, item.span()));
    }
    let named: Vec<usize> = indices.iter().map(|(i, _)| *i).collect();
    for (index, span) in indices {
        let Some(factor) = factors.iter().find(|f| f.params.contains(&index)) else { continue };
        let left_out: Vec<&str> =
            factor.params.iter().filter(|p| !named.contains(p)).map(|&p| specs[p].name.as_ref()).collect();
        if !left_out.is_empty() {
            let name = &specs[index].name;
            return Err(src.error_at(
                Some(span),
                format!(
                    "`{key}` names `{name}`, which is zipped with {}: runs that differ in `{name}` differ \
                     there too, so they would never share a seed; add {} to `{key}` to pair across the whole \
                     [[zip]] block",
                    quoted(&left_out),
                    quoted(&left_out)
                ),
            ));
        }
    }
    Ok(named)
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}
