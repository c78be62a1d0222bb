//! The diagram packed into a small box: embed mode's diagram column, about
//! 240 × 300 px in a 600×400 frame, where neither the layers side by side
//! (about 500 px for three) nor the stacked column (cards of 120 px and more
//! with their calls in words) fit. Layers run top to bottom and the services
//! of a layer side by side, so a chain is a column, a fan-out a row and a
//! shared dependency a diamond. A card holds its name, its nodes as small
//! squares and their states counted in words (so colour never carries the
//! meaning alone); the arrows carry no labels, since the chart beside the
//! diagram gives the rates. An arrow between neighbouring rows runs straight
//! down the gap between them; one that skips rows leaves through the gap
//! below its caller, runs down its own lane right of the cards and comes
//! back through the gap above its callee, so that it never crosses a card.

use super::{degrees, lanes, EdgeView, ServiceBox, Topology, MARGIN};
use sim_core::Snapshot;

/// Node square side for up to [`MANY`] nodes, px.
const SQUARE: f64 = 8.0;
/// Node square side for more, px: the least that still reads as a thing.
const SQUARE_MIN: f64 = 6.0;
/// Above this many nodes a card draws the smaller squares.
const MANY: u32 = 16;
/// Room between two squares, px (`.svc__squares` gap).
const SQUARE_GAP: f64 = 2.0;
/// Card frame: 3 px padding and a 1 px border, both sides (`.svc--dense`).
const FRAME: f64 = 8.0;
/// The name line, px (11 px type at a 13 px line-height).
const NAME_LINE: f64 = 13.0;
/// The states line, px (10 px type at a 12 px line-height).
const STATES_LINE: f64 = 12.0;
/// Flex gap between a card's rows, px.
const ROW_GAP: f64 = 2.0;
/// Widest card, px: a chain's cards need no more.
const CARD_W_MAX: f64 = 150.0;
/// Least card width before a layer wraps onto another row, px: a name of
/// about ten letters at 11 px, or "●4 4/4" below it.
pub const DENSE_CARD_W_MIN: f64 = 64.0;
/// Room between two cards of a row, px.
const GAP_X: f64 = 8.0;
/// Room between two rows, px: an arrow's head (at most 10 px) and the
/// detours of the arrows that skip rows.
const GAP_Y: f64 = 16.0;
/// The most room between two rows when the box has height to spare, px.
const GAP_Y_MAX: f64 = 44.0;
/// Where a detour leaves through the gap below its caller, px below it.
const DETOUR_BELOW: f64 = 8.0;
/// Where a detour comes back through the gap above its callee, px above it:
/// more than the arrowhead, so the head sits on a straight last stretch.
const DETOUR_ABOVE: f64 = 12.0;
/// Room above the entry for the clients' arrow, px.
const CLIENTS_H: f64 = 16.0;
/// Room between two lanes right of the cards, px.
const LANE: f64 = 6.0;

/// Side of a node square in a dense card of `n` nodes, px: never under 6.
pub fn dense_square(n: u32) -> f64 {
    if n <= MANY {
        SQUARE
    } else {
        SQUARE_MIN
    }
}

/// Height of a dense card `w` px wide with `n` nodes, px: its frame, the
/// name line, the rows of squares and the states line, as `.svc--dense`
/// lays them out.
pub fn dense_card_height(n: u32, w: f64) -> f64 {
    let side = dense_square(n);
    let per_row = ((w - FRAME + SQUARE_GAP) / (side + SQUARE_GAP)).floor().max(1.0);
    let rows = (n.max(1) as f64 / per_row).ceil();
    FRAME + NAME_LINE + ROW_GAP + rows * (side + SQUARE_GAP) - SQUARE_GAP + ROW_GAP + STATES_LINE
}

/// The rows of cards: each layer in turn, split into rows of at most
/// `per_row` cards.
fn rows(layers: &[Vec<usize>], per_row: usize) -> Vec<Vec<usize>> {
    layers.iter().flat_map(|l| l.chunks(per_row.max(1)).map(<[usize]>::to_vec)).collect()
}

/// The diagram of `now`, with rates since `base`, packed into a box of
/// `avail_w` × `avail_h` px: every card inside its width; the cards that do
/// not fit its height are counted in [`Topology::hidden`] (the component
/// then says so, and the box scrolls).
pub fn layout_dense(now: &Snapshot, base: Option<&Snapshot>, avail_w: f64, avail_h: f64) -> Topology {
    let (mut topo, mut services, mut edges) = super::unplaced(now, base);
    let fit = |room: f64| ((room + GAP_X) / (DENSE_CARD_W_MIN + GAP_X)).floor().max(1.0) as usize;
    let mut per_row = fit(avail_w - 2.0 * MARGIN);
    // Wrapping a layer may add lanes, whose gutter may leave room for fewer
    // cards a row: settle on the widest rows whose cards still fit.
    let (rows, lanes, gutter) = loop {
        let (rows, lanes, gutter) = rows_and_lanes(&topo.layers, &edges, per_row);
        if per_row == 1 || fit(avail_w - 2.0 * MARGIN - gutter) >= per_row {
            break (rows, lanes, gutter);
        }
        per_row -= 1;
    };
    let inner = (avail_w - 2.0 * MARGIN - gutter).max(DENSE_CARD_W_MIN);
    let mut y = MARGIN + CLIENTS_H;
    for row in &rows {
        y += place_row(&mut services, row, inner, y) + GAP_Y;
    }
    // Height to spare lengthens the arrows between rows, up to GAP_Y_MAX,
    // so that their dots and directions read.
    let spare = avail_h - (y - GAP_Y + MARGIN);
    if rows.len() > 1 && spare > 0.0 {
        let more = (spare / (rows.len() - 1) as f64).min(GAP_Y_MAX - GAP_Y);
        for (r, row) in rows.iter().enumerate() {
            row.iter().for_each(|&i| services[i].y += r as f64 * more);
        }
        y += (rows.len() - 1) as f64 * more;
    }
    route(&mut edges, &lanes, &services, MARGIN + inner + 4.0);
    let entry = &services[0];
    let cx = entry.x + entry.w / 2.0;
    topo.clients = vec![(cx, MARGIN), (cx, entry.y)];
    topo.clients_label = (cx + 6.0, MARGIN + 10.0);
    topo.width = 2.0 * MARGIN + inner + gutter;
    topo.height = y - GAP_Y + MARGIN;
    topo.hidden = services.iter().filter(|s| s.y + s.h > avail_h).count();
    topo.dense = true;
    topo.services = services;
    topo.edges = edges;
    topo
}

/// The rows of at most `per_row` cards, each edge's lane (none between
/// neighbouring rows) and the width the lanes take right of the cards.
fn rows_and_lanes(
    layers: &[Vec<usize>],
    edges: &[EdgeView],
    per_row: usize,
) -> (Vec<Vec<usize>>, Vec<Option<usize>>, f64) {
    let rows = rows(layers, per_row);
    let mut pos = vec![0usize; rows.iter().map(Vec::len).sum()];
    for (r, row) in rows.iter().enumerate() {
        row.iter().for_each(|&i| pos[i] = r);
    }
    let lanes = lanes(edges, &pos, |from, to| pos[to] == pos[from] + 1);
    let lane_count = lanes.iter().flatten().max().map_or(0, |m| m + 1);
    let gutter = if lane_count == 0 { 0.0 } else { 4.0 + lane_count as f64 * LANE };
    (rows, lanes, gutter)
}

/// Places the cards of one row side by side, centred in `inner` px, all as
/// tall as the tallest; returns that height.
fn place_row(services: &mut [ServiceBox], row: &[usize], inner: f64, y: f64) -> f64 {
    let k = row.len() as f64;
    let w = ((inner - (k - 1.0) * GAP_X) / k).min(CARD_W_MAX);
    let x0 = MARGIN + (inner - k * w - (k - 1.0) * GAP_X) / 2.0;
    let h = row.iter().map(|&i| dense_card_height(services[i].total, w)).fold(0.0, f64::max);
    for (j, &i) in row.iter().enumerate() {
        let s = &mut services[i];
        s.square = dense_square(s.total);
        (s.x, s.y, s.w, s.h) = (x0 + j as f64 * (w + GAP_X), y, w, h);
    }
    h
}

/// Sets each arrow's course: out of its caller's bottom and into its
/// callee's top, the arrows of one card spread along that side (those
/// through a lane on the right, nearer the lanes); between neighbouring rows
/// straight, else through the gaps and down lane `k` at `lanes_x + k·LANE`.
fn route(edges: &mut [EdgeView], lanes: &[Option<usize>], services: &[ServiceBox], lanes_x: f64) {
    let n = services.len();
    let (outs, ins) = degrees(edges, n);
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_by_key(|&k| lanes[k].is_some());
    let (mut out_k, mut in_k) = (vec![0usize; n], vec![0usize; n]);
    for k in order {
        let e = &mut edges[k];
        let (a, b) = (&services[e.from], &services[e.to]);
        out_k[e.from] += 1;
        in_k[e.to] += 1;
        e.x0 = a.x + a.w * out_k[e.from] as f64 / (outs[e.from] + 1) as f64;
        e.y0 = a.y + a.h;
        e.x1 = b.x + b.w * in_k[e.to] as f64 / (ins[e.to] + 1) as f64;
        e.y1 = b.y;
        e.label_at = None;
        e.path = match lanes[k] {
            None => vec![(e.x0, e.y0), (e.x1, e.y1)],
            Some(lane) => {
                let x = lanes_x + lane as f64 * LANE;
                let (ya, yb) = (e.y0 + DETOUR_BELOW, e.y1 - DETOUR_ABOVE);
                vec![(e.x0, e.y0), (e.x0, ya), (x, ya), (x, yb), (e.x1, yb), (e.x1, e.y1)]
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::super::{crosses, Pt};
    use super::*;
    use crate::templates::TEMPLATES;
    use sim_core::{Config, Simulation};

    /// The embed's diagram column at 600×400 with two knobs listed, about.
    const BOX: (f64, f64) = (230.0, 260.0);

    fn snapshot(c: Config) -> Snapshot {
        Simulation::new(c).unwrap().snapshot()
    }

    use super::super::tests::system;

    /// Everything wrong with `t` in a box of `w` × `h`: cards outside it or
    /// overlapping, squares under 6 px, arrows not from their caller's
    /// bottom to their callee's top or running through another card.
    fn problems(t: &Topology, (w, h): (f64, f64)) -> Vec<String> {
        let mut out = Vec::new();
        for (k, a) in t.services.iter().enumerate() {
            if a.x < 0.0 || a.y < 0.0 || a.x + a.w > w || a.y + a.h > h {
                out.push(format!("{} lies outside {w}×{h}: {a:?}", a.name));
            }
            if a.square < 6.0 || a.w < DENSE_CARD_W_MIN {
                out.push(format!("{} is too small: {a:?}", a.name));
            }
            for b in &t.services[k + 1..] {
                let apart = a.x + a.w + 4.0 <= b.x
                    || b.x + b.w + 4.0 <= a.x
                    || a.y + a.h + 4.0 <= b.y
                    || b.y + b.h + 4.0 <= a.y;
                if !apart {
                    out.push(format!("{} overlaps {}", a.name, b.name));
                }
            }
        }
        for e in &t.edges {
            let (a, b) = (&t.services[e.from], &t.services[e.to]);
            let (p, q): (Pt, Pt) = (e.path[0], *e.path.last().unwrap());
            if p.1 != a.y + a.h || p.0 <= a.x || p.0 >= a.x + a.w || q.1 != b.y || q.0 <= b.x || q.0 >= b.x + b.w {
                out.push(format!("{} → {} does not join them: {:?}", a.name, b.name, e.path));
            }
            for s in t.services.iter().filter(|s| s.index != e.from && s.index != e.to) {
                if e.path.windows(2).any(|seg| crosses(seg[0], seg[1], s)) {
                    out.push(format!("{} → {} crosses {}", a.name, b.name, s.name));
                }
            }
        }
        let entry = &t.services[0];
        if t.clients.last() != Some(&(entry.x + entry.w / 2.0, entry.y)) || t.clients[0].1 < 0.0 {
            out.push(format!("the clients' arrow misses the entry: {:?}", t.clients));
        }
        out
    }

    #[test]
    fn every_template_fits_the_embeds_diagram_column() {
        for tpl in TEMPLATES.iter() {
            let c = (tpl.build)();
            let t = layout_dense(&snapshot(c.clone()), None, BOX.0, BOX.1);
            assert!(t.dense && t.edges.iter().all(|e| e.label_at.is_none()), "{}", tpl.param);
            if c.services.len() > 1 {
                assert_eq!(t.services.len(), c.services.len(), "{}", tpl.param);
                assert_eq!(t.hidden, 0, "{}: {} px tall", tpl.param, t.height);
                assert!(t.height <= BOX.1 && t.width <= BOX.0, "{}: {}×{}", tpl.param, t.width, t.height);
                assert_eq!(problems(&t, BOX), Vec::<String>::new(), "{}", tpl.param);
            }
        }
    }

    #[test]
    fn a_chain_is_a_column_and_a_fan_out_a_row() {
        let names = ["gateway", "auth", "orders", "ledger"];
        let chain = [("gateway", "auth"), ("auth", "orders"), ("orders", "ledger")];
        let t = layout_dense(&snapshot(system(&names, &chain, 4)), None, BOX.0, BOX.1);
        assert_eq!((t.hidden, problems(&t, BOX)), (0, vec![]), "{}", t.height);
        assert!(t.services.windows(2).all(|p| p[0].y + p[0].h < p[1].y), "top to bottom");
        let fan = [("gateway", "auth"), ("gateway", "orders"), ("gateway", "ledger")];
        let t = layout_dense(&snapshot(system(&names, &fan, 4)), None, BOX.0, BOX.1);
        assert_eq!((t.hidden, problems(&t, BOX)), (0, vec![]));
        let row = &t.services[1..];
        assert!(row.iter().all(|s| s.y == row[0].y) && row.windows(2).all(|p| p[0].x + p[0].w < p[1].x));
    }

    #[test]
    fn an_arrow_that_skips_rows_runs_down_a_lane_right_of_the_cards() {
        let calls = [("gateway", "api"), ("gateway", "db"), ("api", "db"), ("gateway", "cache")];
        let t = layout_dense(&snapshot(system(&["gateway", "api", "db", "cache"], &calls, 8)), None, BOX.0, BOX.1);
        assert_eq!(problems(&t, BOX), Vec::<String>::new());
        let skip = t.edges.iter().find(|e| e.from == 0 && e.to == 2).unwrap();
        let right = t.services.iter().map(|s| s.x + s.w).fold(0.0, f64::max);
        assert_eq!(skip.path.len(), 6);
        assert!(skip.path[2].0 > right && skip.path[3].0 > right, "{:?}", skip.path);
    }

    #[test]
    fn a_wide_layer_wraps_and_many_nodes_get_the_least_squares() {
        let names = ["api", "a", "b", "c", "d", "e"];
        let calls: Vec<(&str, &str)> = names[1..].iter().map(|n| ("api", *n)).collect();
        let t = layout_dense(&snapshot(system(&names, &calls, 32)), None, BOX.0, 400.0);
        assert_eq!(problems(&t, (BOX.0, 400.0)), Vec::<String>::new());
        let rows: std::collections::BTreeSet<u64> = t.services.iter().map(|s| s.y as u64).collect();
        assert!(rows.len() >= 3, "the entry, then five callees in two rows or more: {rows:?}");
        assert!(t.services.iter().all(|s| s.square == SQUARE_MIN));
    }

    #[test]
    fn a_long_chain_says_how_many_cards_are_below_the_box() {
        let names = ["s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8"];
        let calls: Vec<(&str, &str)> = names.windows(2).map(|w| (w[0], w[1])).collect();
        let t = layout_dense(&snapshot(system(&names, &calls, 4)), None, BOX.0, BOX.1);
        let below = t.services.iter().filter(|s| s.y + s.h > BOX.1).count();
        assert!(below >= 2 && t.hidden == below, "{} hidden, {below} below", t.hidden);
        assert!(t.height > BOX.1);
        assert_eq!(problems(&t, (BOX.0, t.height)), Vec::<String>::new(), "whole when scrolled");
    }

    #[test]
    fn height_to_spare_lengthens_the_arrows() {
        let c = system(&["a", "b"], &[("a", "b")], 4);
        let tight = layout_dense(&snapshot(c.clone()), None, BOX.0, 0.0);
        let roomy = layout_dense(&snapshot(c), None, BOX.0, 1000.0);
        let gap = |t: &Topology| t.services[1].y - t.services[0].y - t.services[0].h;
        assert_eq!((gap(&tight), gap(&roomy)), (GAP_Y, GAP_Y_MAX));
        assert_eq!(tight.hidden, 2, "nothing fits a box of no height");
        assert_eq!(roomy.height, tight.height + GAP_Y_MAX - GAP_Y);
    }

    #[test]
    fn card_heights_follow_the_rows_of_squares() {
        // 4 nodes of 8 px in one row; 32 nodes of 6 px, 8 a row in 70 px.
        assert_eq!(dense_card_height(4, 150.0), FRAME + NAME_LINE + 2.0 + 8.0 + 2.0 + STATES_LINE);
        assert_eq!(dense_card_height(32, 70.0), FRAME + NAME_LINE + 2.0 + 4.0 * 8.0 - 2.0 + 2.0 + STATES_LINE);
    }
}
