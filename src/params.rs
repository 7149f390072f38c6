//! Scenario parameters: what a scenario declares it takes, and the resolved
//! values one run receives.
//!
//! A scenario declares its parameters once, as data, so that `avalanche
//! scenarios`, the sweep validator and the Parquet schema all read the same
//! single source. Built-in declarations are literals; those a sweep file
//! makes own their strings.

use std::borrow::Cow;
use std::marker::PhantomData;

use crate::value::{Names, Text, Value};

/// The type and admissible range of a parameter.
#[derive(Clone, Debug)]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Int {
        min: i64,
        max: i64,
    },
    /// A finite float in `min..=max`.
    Float {
        min: f64,
        max: f64,
    },
    /// One of a fixed list of names.
    Choice(Names),
    Bool,
}

/// A parameter a scenario takes.
#[derive(Clone, Debug)]
pub struct ParamSpec {
    pub name: Text,
    pub kind: ParamKind,
    /// The value used when the sweep file does not set it; `None` means the
    /// sweep must set it.
    pub default: Option<Value>,
    /// One line saying what it means, shown by `avalanche scenarios`.
    pub doc: Text,
    /// The parameter has an effect only where another (choice) parameter
    /// takes one of these values; elsewhere any value gives the same
    /// distribution of results, so sweeping it there only repeats runs.
    pub matters_when: Option<MattersWhen>,
    /// The parameter was added after datasets were written: at its default
    /// it is left out of a run's identity, so every run that does not move
    /// it keeps the `run_id` and seed it had before (and resumes).
    pub unhashed_at_default: bool,
}

/// Where a parameter has an effect: `param` is one of `one_of`.
#[derive(Clone, Copy, Debug)]
pub struct MattersWhen {
    pub param: &'static str,
    pub one_of: &'static [&'static str],
}

impl ParamSpec {
    pub const fn int(name: &'static str, min: i64, max: i64, default: i64, doc: &'static str) -> Self {
        ParamSpec {
            name: Cow::Borrowed(name),
            kind: ParamKind::Int { min, max },
            default: Some(Value::Int(default)),
            doc: Cow::Borrowed(doc),
            matters_when: None,
            unhashed_at_default: false,
        }
    }
    pub const fn float(name: &'static str, min: f64, max: f64, default: f64, doc: &'static str) -> Self {
        ParamSpec {
            name: Cow::Borrowed(name),
            kind: ParamKind::Float { min, max },
            default: Some(Value::Float(default)),
            doc: Cow::Borrowed(doc),
            matters_when: None,
            unhashed_at_default: false,
        }
    }
    pub const fn choice(
        name: &'static str,
        choices: &'static [&'static str],
        default: &'static str,
        doc: &'static str,
    ) -> Self {
        ParamSpec {
            name: Cow::Borrowed(name),
            kind: ParamKind::Choice(Names::Literal(choices)),
            default: Some(Value::Str(Cow::Borrowed(default))),
            doc: Cow::Borrowed(doc),
            matters_when: None,
            unhashed_at_default: false,
        }
    }
    pub const fn boolean(name: &'static str, default: bool, doc: &'static str) -> Self {
        ParamSpec {
            name: Cow::Borrowed(name),
            kind: ParamKind::Bool,
            default: Some(Value::Bool(default)),
            doc: Cow::Borrowed(doc),
            matters_when: None,
            unhashed_at_default: false,
        }
    }

    /// Declares that the parameter only has an effect where the choice
    /// parameter `param` is one of `one_of`.
    pub const fn only_when(mut self, param: Key<Choice>, one_of: &'static [&'static str]) -> Self {
        self.matters_when = Some(MattersWhen { param: param.name, one_of });
        self
    }

    /// Declares that the parameter, at its default, is left out of run
    /// identities: for a parameter added to a scenario whose default is the
    /// scenario as it was, so that existing runs keep their identity.
    pub const fn unhashed_at_default(mut self) -> Self {
        self.unhashed_at_default = true;
        self
    }

    /// Whether `value` of this parameter enters a run's identity.
    pub fn hashed(&self, value: &Value) -> bool {
        // `Value`'s equality takes -0.0 for 0.0, as the identity hash does.
        !(self.unhashed_at_default && self.default.as_ref() == Some(value))
    }

    /// Whether the parameter has an effect at the point `params`.
    pub fn matters_at(&self, params: &Params) -> bool {
        self.matters_when.is_none_or(|when| when.one_of.contains(&params.get(Key::<Choice>::new(when.param))))
    }

    /// A short description of the type and range, for listings and errors.
    pub fn type_description(&self) -> String {
        match &self.kind {
            &ParamKind::Int { min, max } if max == i64::MAX => format!("int >= {min}"),
            &ParamKind::Int { min, max } => format!("int in [{min}, {max}]"),
            &ParamKind::Float { min, max } if min <= -f64::MAX && max >= f64::MAX => "float".to_string(),
            &ParamKind::Float { min, max } if max >= f64::MAX && min == f64::MIN_POSITIVE => {
                "float > 0".to_string()
            }
            &ParamKind::Float { min, max } if max >= f64::MAX => format!("float >= {}", short(min)),
            &ParamKind::Float { min, max } => format!("float in [{}, {}]", short(min), short(max)),
            ParamKind::Choice(choices) => format!("one of {}", choices.join(", ")),
            ParamKind::Bool => "bool".to_string(),
        }
    }
}

/// A float as people write it: plain when moderate, scientific otherwise.
fn short(v: f64) -> String {
    if v == 0.0 || (1e-4..1e6).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

/// A parameter's name together with the type of its value. A scenario
/// declares each parameter through its key and reads it through the same
/// key, so the name is spelled once and a misspelt or mistyped read does
/// not compile.
pub struct Key<T> {
    name: &'static str,
    kind: PhantomData<fn() -> T>,
}

impl<T> Clone for Key<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Key<T> {}

impl<T> std::fmt::Debug for Key<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Key({})", self.name)
    }
}

impl<T> Key<T> {
    /// The key of the parameter called `name`.
    pub const fn new(name: &'static str) -> Self {
        Key { name, kind: PhantomData }
    }

    /// The parameter's name.
    pub const fn name(self) -> &'static str {
        self.name
    }
}

/// The value type of a choice parameter's key: reads give the choice's name.
#[derive(Clone, Copy, Debug)]
pub enum Choice {}

/// The types a parameter's value is read as.
pub trait Read {
    /// What a read gives.
    type Out<'a>;
    /// The value, when it has this type.
    fn read(value: &Value) -> Option<Self::Out<'_>>;
}

impl Read for i64 {
    type Out<'a> = i64;
    fn read(value: &Value) -> Option<i64> {
        match *value {
            Value::Int(v) => Some(v),
            _ => None,
        }
    }
}

impl Read for f64 {
    type Out<'a> = f64;
    fn read(value: &Value) -> Option<f64> {
        match *value {
            Value::Float(v) => Some(v),
            _ => None,
        }
    }
}

impl Read for bool {
    type Out<'a> = bool;
    fn read(value: &Value) -> Option<bool> {
        match *value {
            Value::Bool(v) => Some(v),
            _ => None,
        }
    }
}

impl Read for Choice {
    type Out<'a> = &'a str;
    fn read(value: &Value) -> Option<&str> {
        match value {
            Value::Str(v) => Some(v),
            _ => None,
        }
    }
}

impl Key<i64> {
    /// An integer parameter in `min..=max`.
    pub const fn declare(self, min: i64, max: i64, default: i64, doc: &'static str) -> ParamSpec {
        ParamSpec::int(self.name, min, max, default, doc)
    }
}

impl Key<f64> {
    /// A finite float parameter in `min..=max`.
    pub const fn declare(self, min: f64, max: f64, default: f64, doc: &'static str) -> ParamSpec {
        ParamSpec::float(self.name, min, max, default, doc)
    }
}

impl Key<bool> {
    /// A boolean parameter.
    pub const fn declare(self, default: bool, doc: &'static str) -> ParamSpec {
        ParamSpec::boolean(self.name, default, doc)
    }
}

impl Key<Choice> {
    /// A parameter that is one of `choices`.
    pub const fn declare(
        self,
        choices: &'static [&'static str],
        default: &'static str,
        doc: &'static str,
    ) -> ParamSpec {
        ParamSpec::choice(self.name, choices, default, doc)
    }
}

/// A resolved parameter point: one value for every parameter the scenario
/// declares, in declaration order.
#[derive(Clone, Copy, Debug)]
pub struct Params<'a> {
    pub specs: &'a [ParamSpec],
    pub values: &'a [Value],
}

impl<'a> Params<'a> {
    fn value(&self, name: &str) -> &'a Value {
        let index = self
            .specs
            .iter()
            .position(|spec| spec.name == name)
            .unwrap_or_else(|| panic!("scenario reads undeclared parameter `{name}`"));
        &self.values[index]
    }

    /// The value of the parameter `key` names. Panics if the scenario did
    /// not declare it (with its key, so with its type): a bug in the
    /// scenario, caught by its tests, which run every scenario.
    pub fn get<T: Read>(&self, key: Key<T>) -> T::Out<'a> {
        let value = self.value(key.name);
        T::read(value)
            .unwrap_or_else(|| panic!("parameter `{}` is {value:?}, not of its key's type", key.name))
    }

    /// The defaults of every parameter, for tests and benches that run a
    /// scenario directly. Panics on a parameter without a default.
    pub fn defaults(specs: &[ParamSpec]) -> Vec<Value> {
        specs
            .iter()
            .map(|spec| spec.default.clone().unwrap_or_else(|| panic!("`{}` has no default", spec.name)))
            .collect()
    }

    /// Defaults with some values overridden by name, for tests and benches.
    pub fn with(specs: &[ParamSpec], overrides: &[(&str, Value)]) -> Vec<Value> {
        let mut values = Self::defaults(specs);
        for (name, value) in overrides {
            let index = specs
                .iter()
                .position(|spec| spec.name == *name)
                .unwrap_or_else(|| panic!("no parameter `{name}`"));
            values[index] = value.clone();
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOISE: Key<f64> = Key::new("noise");
    const SAMPLES: Key<i64> = Key::new("samples");
    const VERIFIER: Key<Choice> = Key::new("verifier");
    const SORTED: Key<bool> = Key::new("sorted");

    static SPECS: &[ParamSpec] = &[
        NOISE.declare(0.0, 1.0, 0.25, "").only_when(VERIFIER, &["oracle"]),
        SAMPLES.declare(1, 10, 3, ""),
        VERIFIER.declare(&["none", "oracle"], "none", ""),
        SORTED.declare(true, ""),
    ];

    #[test]
    fn a_key_declares_its_type_and_reads_its_value() {
        assert!(matches!(SPECS[0].kind, ParamKind::Float { min: 0.0, max: 1.0 }));
        assert!(matches!(SPECS[1].kind, ParamKind::Int { min: 1, max: 10 }));
        assert!(matches!(&SPECS[2].kind, ParamKind::Choice(c) if c.iter().eq(["none", "oracle"])));
        assert!(matches!(SPECS[3].kind, ParamKind::Bool));
        assert_eq!(SPECS[0].matters_when.map(|w| w.param), Some("verifier"));
        let values =
            Params::with(SPECS, &[("verifier", Value::Str("oracle".into())), ("samples", Value::Int(7))]);
        let params = Params { specs: SPECS, values: &values };
        assert_eq!((params.get(NOISE), params.get(SAMPLES)), (0.25, 7));
        assert_eq!((params.get(VERIFIER), params.get(SORTED)), ("oracle", true));
    }

    #[test]
    #[should_panic(expected = "undeclared parameter `other`")]
    fn a_key_the_scenario_did_not_declare_is_a_bug() {
        let values = Params::defaults(SPECS);
        Params { specs: SPECS, values: &values }.get(Key::<f64>::new("other"));
    }
}
