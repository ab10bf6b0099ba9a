//! The languages of the text members read: the messages live in Fluent
//! files (`locales/LANG/*.ftl`), built into the binary, one bundle a
//! language. Every message exists in every language (a test checks it).

use fluent_bundle::{FluentArgs, FluentBundle, FluentResource, FluentValue};
use std::collections::BTreeMap;

/// A language of the member view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The language of the environment: Chinese where `LC_ALL`, `LC_MESSAGES`
    /// or `LANG` (the first set) starts with `zh`, else English.
    pub fn from_env() -> Lang {
        let set = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty());
        match set {
            Some(v) if v.starts_with("zh") => Lang::Zh,
            _ => Lang::En,
        }
    }

    /// The Fluent sources of the language's messages: the explanations', the report's.
    pub fn sources(self) -> [&'static str; 2] {
        match self {
            Lang::En => [
                include_str!("../locales/en/explain.ftl"),
                include_str!("../locales/en/report.ftl"),
            ],
            Lang::Zh => [
                include_str!("../locales/zh/explain.ftl"),
                include_str!("../locales/zh/report.ftl"),
            ],
        }
    }

    fn id(self) -> unic_langid::LanguageIdentifier {
        let tag = match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        };
        tag.parse().unwrap_or_default()
    }
}

/// A value given to a message: text, or a number that picks a plural form.
#[derive(Clone, Debug)]
pub enum Arg {
    Text(String),
    Number(f64),
}

/// The messages of one language.
pub struct Messages {
    bundle: FluentBundle<FluentResource>,
}

impl Messages {
    pub fn new(lang: Lang) -> Messages {
        let mut bundle = FluentBundle::new(vec![lang.id()]);
        // No invisible isolation marks around values: the text goes to terminals.
        bundle.set_use_isolating(false);
        for source in lang.sources() {
            let resource = match FluentResource::try_new(source.to_string()) {
                Ok(r) => r,
                Err((r, _)) => r,
            };
            let _ = bundle.add_resource(resource);
        }
        Messages { bundle }
    }

    /// Message `id` with `args`; the id itself where the message is missing.
    pub fn get(&self, id: &str, args: &BTreeMap<String, Arg>) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut fluent = FluentArgs::new();
        for (k, v) in args {
            let value = match v {
                Arg::Text(t) => FluentValue::from(t.as_str()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            fluent.set(k.as_str(), value);
        }
        let mut errors = Vec::new();
        self.bundle
            .format_pattern(pattern, Some(&fluent), &mut errors)
            .into_owned()
    }

    /// Whether the language has message `id`.
    pub fn has(&self, id: &str) -> bool {
        self.bundle.has_message(id)
    }
}

/// The ids of the messages in a Fluent source, in order.
pub fn message_ids(source: &str) -> Vec<String> {
    let Ok(resource) = FluentResource::try_new(source.to_string()) else {
        return Vec::new();
    };
    resource
        .entries()
        .filter_map(|e| match e {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_every_language_and_parses() {
        for (en, zh) in Lang::En.sources().into_iter().zip(Lang::Zh.sources()) {
            let (en, zh) = (message_ids(en), message_ids(zh));
            assert!(en.len() > 20, "the English messages are read: {en:?}");
            assert_eq!(en, zh, "the same messages, in the same order");
        }
        for lang in [Lang::En, Lang::Zh] {
            for source in lang.sources() {
                let parsed = FluentResource::try_new(source.to_string());
                assert!(parsed.is_ok(), "{lang:?} parses");
            }
        }
    }

    #[test]
    fn plural_forms_are_chosen_by_number() {
        let m = Messages::new(Lang::En);
        let mut args = BTreeMap::new();
        for (k, v) in [
            ("cases", "1"),
            ("payouts", "300,000.00"),
            ("fee", "30,000.00"),
            ("pool", "330,000.00"),
        ] {
            args.insert(k.to_string(), Arg::Text(v.to_string()));
        }
        args.insert("cases".to_string(), Arg::Number(1.0));
        assert!(
            m.get("charge-cases", &args)
                .starts_with("One claim was approved")
        );
        args.insert("cases".to_string(), Arg::Number(3.0));
        args.insert("cases_text".to_string(), Arg::Text("3".to_string()));
        assert!(
            m.get("charge-cases", &args)
                .starts_with("3 claims were approved")
        );
        assert_eq!(m.get("no-such-message", &args), "no-such-message");
    }
}
