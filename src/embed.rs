//! Embed mode (`?embed`): the compact view for an `<iframe>` in a wiki page.
//!
//! This module is the framework-free part: which knobs `&knobs=` lists (by
//! their catalogue URL parameter, so a knob added to the catalogue can be
//! listed without an edit here), whether the view starts playing (`&play`),
//! the embed's own link (the full playground's link plus these parameters)
//! and the `<iframe>` snippet of "Copy embed code". The component is
//! `components/embed.rs`.

use crate::knobs::{by_param, Control};
use crate::url::{pairs, ParamError};

/// Most knobs an embed lists: a compact view has room for a handful, and a
/// link cannot make the page build hundreds of controls.
pub const MAX_KNOBS: usize = 12;

/// Default size of the `<iframe>` "Copy embed code" writes, CSS pixels:
/// the smallest size the compact view is laid out for (600×400) with room
/// for two rows of knobs.
pub const SNIPPET_SIZE: (u32, u32) = (640, 480);

/// What `?embed` asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    /// The listed knobs, in the order given, without repeats.
    pub knobs: Vec<&'static Control>,
    /// `&play`: start running at once (an embed starts paused otherwise).
    pub play: bool,
}

impl Embed {
    /// The listed knobs' URL parameters, as `&knobs=` writes them.
    pub fn params(&self) -> Vec<&'static str> {
        self.knobs.iter().map(|c| c.param()).collect()
    }
}

/// The embed `query` asks for (`None` without `embed`), and a notice for
/// each listed knob the catalogue does not know.
pub fn from_query(query: &str) -> (Option<Embed>, Vec<ParamError>) {
    let all = pairs(query);
    if !all.iter().any(|(k, _)| k == "embed") {
        return (None, Vec::new());
    }
    let mut e = Embed { play: all.iter().any(|(k, _)| k == "play"), knobs: Vec::new() };
    let mut errors = Vec::new();
    let listed = all.iter().filter(|(k, _)| k == "knobs").flat_map(|(_, v)| v.split(','));
    for name in listed.map(str::trim).filter(|n| !n.is_empty()) {
        match by_param(name) {
            Some(c) if e.knobs.len() >= MAX_KNOBS => {
                errors.push(notice(format!(
                    "lists more than {MAX_KNOBS} knobs; \"{}\" and later are left out",
                    c.param()
                )));
                break;
            }
            Some(c) if !e.knobs.iter().any(|k| std::ptr::eq(*k, c)) => e.knobs.push(c),
            Some(_) => {}
            None => errors.push(notice(format!(
                "\"{}\" is not a knob; list knobs by their URL parameter (rate, attempts, backoff, …)",
                clip(name)
            ))),
        }
    }
    (Some(e), errors)
}

fn notice(message: String) -> ParamError {
    ParamError { param: "knobs".into(), message }
}

/// At most 40 characters of a name, so a notice never repeats a long parameter.
fn clip(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The embed's own query: `base` (the full playground's link query, as
/// `share::link_query` writes it) with `embed`, `knobs` and `play` added.
/// "Open in Brink" links to `base` itself.
pub fn query(base: &str, e: &Embed) -> String {
    let mut parts = vec!["embed".to_string()];
    if !e.knobs.is_empty() {
        parts.push(format!("knobs={}", e.params().join(",")));
    }
    if e.play {
        parts.push("play".into());
    }
    let sep = if base.is_empty() { '?' } else { '&' };
    format!("{base}{sep}{}", parts.join("&"))
}

/// The knobs an embed made from the full playground's link `query` lists:
/// the knobs its readable parameters change (what the scenario is about,
/// at most four), else the arrival rate and the retry attempts.
pub fn default_knobs(query: &str) -> Vec<&'static Control> {
    let mut k: Vec<&'static Control> = Vec::new();
    for c in pairs(query).iter().filter_map(|(name, _)| by_param(name)) {
        if matches!(c, Control::Knob(_)) && k.len() < 4 && !k.iter().any(|x| std::ptr::eq(*x, c)) {
            k.push(c);
        }
    }
    if k.is_empty() {
        k = ["rate", "attempts"].iter().filter_map(|p| by_param(p)).collect();
    }
    k
}

/// The `<iframe>` snippet "Copy embed code" gives for the page at `page`
/// (origin and path) showing `query` (from [`query`]).
pub fn snippet(page: &str, query: &str, title: &str) -> String {
    let (w, h) = SNIPPET_SIZE;
    format!(
        "<iframe src=\"{}\" width=\"{w}\" height=\"{h}\" loading=\"lazy\" title=\"{}\" style=\"border:0\"></iframe>",
        attr(&format!("{page}{query}")),
        attr(title)
    )
}

/// `s` escaped for a double-quoted HTML attribute.
fn attr(s: &str) -> String {
    s.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_embed_links_are_embeds() {
        assert_eq!(from_query("?rate=50&play"), (None, vec![]));
        let (e, errors) = from_query("?embed");
        assert_eq!(e, Some(Embed::default()));
        assert!(errors.is_empty());
    }

    #[test]
    fn listed_knobs_are_read_in_order_and_unknown_ones_named() {
        let (e, errors) = from_query("?rate=50&embed&knobs=backoff,rate,nonsense,rate&play");
        let e = e.expect("an embed");
        assert_eq!(e.params(), vec!["backoff", "rate"]);
        assert!(e.play);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].param, "knobs");
        assert!(errors[0].message.contains("\"nonsense\" is not a knob"), "{}", errors[0].message);
    }

    #[test]
    fn too_many_knobs_are_cut_with_a_notice() {
        let all: Vec<&str> = crate::knobs::CONTROLS.iter().map(Control::param).collect();
        let (e, errors) = from_query(&format!("?embed&knobs={}", all.join(",")));
        assert_eq!(e.expect("an embed").knobs.len(), MAX_KNOBS.min(all.len()));
        assert_eq!(errors.len(), usize::from(all.len() > MAX_KNOBS));
    }

    #[test]
    fn the_embed_query_round_trips() {
        for base in ["", "?rate=50&attempts=1"] {
            let e = Embed { knobs: vec![by_param("rate").unwrap(), by_param("backoff").unwrap()], play: true };
            let q = query(base, &e);
            assert!(q.starts_with(if base.is_empty() { "?embed" } else { base }), "{q}");
            assert_eq!(from_query(&q), (Some(e.clone()), vec![]));
            let paused = Embed { play: false, ..e };
            assert_eq!(from_query(&query(base, &paused)).0, Some(paused));
        }
    }

    #[test]
    fn the_snippet_is_an_escaped_lazy_iframe() {
        let s = snippet("https://x.test/brink/", "?rate=50&embed&knobs=rate", "Brink: \"retry storm\"");
        assert!(s.starts_with("<iframe src=\"https://x.test/brink/?rate=50&amp;embed&amp;knobs=rate\""), "{s}");
        assert!(s.contains("width=\"640\" height=\"480\" loading=\"lazy\""), "{s}");
        assert!(s.contains("title=\"Brink: &quot;retry storm&quot;\""), "{s}");
    }

    #[test]
    fn default_knobs_prefer_the_changed_ones() {
        let params = |q: &str| default_knobs(q).iter().map(|c| c.param()).collect::<Vec<_>>();
        assert_eq!(params("?backoff_cap=900&speed=2&seed=4&backoff_cap=800"), vec!["backoff_cap"]);
        assert_eq!(params(""), vec!["rate", "attempts"]);
        assert_eq!(params("?speed=3"), vec!["rate", "attempts"]);
    }
}
