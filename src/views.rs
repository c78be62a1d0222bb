//! The app's views beside the playground, and the `?view=` parameter that
//! opens them: `?view=validate` (Brink checks itself against theory) and
//! `?view=hysteresis` (offered load swept up then down, over the scenario
//! given by the other parameters) and `?view=tipping` (trigger size ×
//! duration → the share of seeds not recovered).

use crate::url::pairs;

/// A page of the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The live playground.
    Playground,
    /// The validation table, run in front of the user.
    Validate,
    /// The hysteresis sweep.
    Hysteresis,
    /// The tipping-point map.
    Tipping,
}

impl View {
    /// Every view, in menu order.
    pub const ALL: [View; 4] = [View::Playground, View::Hysteresis, View::Validate, View::Tipping];

    /// The value of `?view=`.
    pub fn param(self) -> &'static str {
        match self {
            View::Playground => "playground",
            View::Validate => "validate",
            View::Hysteresis => "hysteresis",
            View::Tipping => "tipping",
        }
    }

    /// Its name in the menu.
    pub fn label(self) -> &'static str {
        match self {
            View::Playground => "Playground",
            View::Validate => "Brink checks itself",
            View::Hysteresis => "Hysteresis: load up, then down",
            View::Tipping => "Tipping points: trigger size × duration",
        }
    }

    /// Parses a `view=` value.
    pub fn parse(text: &str) -> Result<View, String> {
        let t = text.trim();
        View::ALL.into_iter().find(|v| v.param() == t).ok_or_else(|| {
            let known: Vec<&str> = View::ALL.iter().map(|v| v.param()).collect();
            format!("unknown view \"{t}\"; known views are {}", known.join(", "))
        })
    }

    /// The view a query string asks for; the playground when it names none
    /// or one that does not exist (the playground then reports it).
    pub fn from_query(query: &str) -> View {
        pairs(query)
            .into_iter()
            .rev()
            .find(|(k, _)| k == "view")
            .and_then(|(_, v)| View::parse(&v).ok())
            .unwrap_or(View::Playground)
    }

    /// `query` without its `view` parameter, as `?a=1&b=2` (empty when
    /// nothing is left): the scenario alone.
    pub fn without_view(query: &str) -> String {
        let rest: Vec<&str> = query
            .trim_start_matches('?')
            .split('&')
            .filter(|p| !p.is_empty() && *p != "view" && !p.starts_with("view="))
            .collect();
        if rest.is_empty() {
            String::new()
        } else {
            format!("?{}", rest.join("&"))
        }
    }

    /// The link to this view over the scenario of `share_query` (the
    /// playground's share link, `?a=1&b=2` or empty).
    pub fn link(self, share_query: &str) -> String {
        let rest = share_query.trim_start_matches('?');
        match (self, rest.is_empty()) {
            (View::Playground, true) => "?".to_string(),
            (View::Playground, false) => format!("?{rest}"),
            (_, true) => format!("?view={}", self.param()),
            (_, false) => format!("?view={}&{rest}", self.param()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults::app_defaults;
    use crate::url::parse_query;

    #[test]
    fn views_round_trip_through_the_query() {
        for v in View::ALL {
            assert_eq!(View::from_query(&v.link("?queue=256")), v);
            assert_eq!(View::parse(v.param()), Ok(v));
        }
        assert_eq!(View::from_query("?rate=12000"), View::Playground);
        assert_eq!(View::from_query("?view=nope"), View::Playground);
        assert_eq!(View::Hysteresis.link(""), "?view=hysteresis");
        assert_eq!(View::Tipping.link("?s=abc"), "?view=tipping&s=abc");
        assert_eq!(View::Validate.link("?queue=256&seed=3"), "?view=validate&queue=256&seed=3");
        assert_eq!(View::without_view("?view=hysteresis&queue=256"), "?queue=256");
        assert_eq!(View::without_view("?view=hysteresis"), "");
        assert_eq!(View::Playground.link(&View::without_view("?queue=1&view=validate&seed=2")), "?queue=1&seed=2");
    }

    #[test]
    fn the_playground_accepts_a_view_and_names_a_bad_one() {
        let (s, errors) = parse_query("?view=hysteresis&queue=256", &app_defaults());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(s.config.nodes.queue_capacity, 256);
        let (_, errors) = parse_query("?view=nope", &app_defaults());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].to_string().contains("view") && errors[0].message.contains("validate"), "{}", errors[0]);
    }
}
