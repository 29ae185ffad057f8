//! A sequence diagram of one connection as SVG (SPEC S3), drawn like the
//! source article's handshake and close figures: two lifelines, one slanted
//! arrow per segment labelled with its flags, seq and ack, and each side's
//! TCP state written beside its lifeline whenever it changes.
//!
//! Rows follow the order of events, not a time scale, so a 60 s TIME-WAIT
//! does not stretch the picture; each arrow carries its time instead: when
//! the segment left the sender's MAC onto the wire, in simulated seconds —
//! the pcap's timestamp for that frame, so the diagram and Wireshark agree.
//! A note at the foot says so. A lost segment's arrow stops half
//! way and ends in a cross.
use std::fmt::Write;

/// Which way a segment goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    LeftToRight,
    RightToLeft,
}

/// One segment on the wire, with both sides' states once it was handled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Exchange {
    pub direction: Direction,
    /// Simulated time the segment left the sender's MAC onto the wire (the
    /// pcap's timestamp), in nanoseconds; `None` if it had not yet.
    pub wire_ns: Option<u64>,
    /// "SYN seq=0", "ACK seq=1 ack=1"…
    pub label: String,
    /// False when the wire lost it.
    pub delivered: bool,
    pub left_state: String,
    pub right_state: String,
}

const WIDTH: i64 = 760;
const LEFT_X: i64 = 190;
const RIGHT_X: i64 = 570;
const TOP: i64 = 70;
const ROW: i64 = 56;
const SLANT: i64 = 36;

/// What the time under each arrow is.
pub const TIME_NOTE: &str = "time under each arrow: when the segment left the sender's MAC (the pcap's timestamp), simulated s";

/// Escapes text for SVG.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The states both sides end in, shown below the last segment (the
/// article's figures end with CLOSED after TIME-WAIT).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ending {
    pub at_ns: u64,
    pub left_state: String,
    pub right_state: String,
}

/// Writes each side's state beside its lifeline at height `y` where it
/// differs from the one last shown there.
fn state_labels(svg: &mut String, y: i64, states: [&String; 2], shown: &mut [String; 2]) {
    for ((state, shown), (x, anchor)) in states
        .into_iter()
        .zip(shown.iter_mut())
        .zip([(LEFT_X - 10, "end"), (RIGHT_X + 10, "start")])
    {
        if state != shown {
            let _ = writeln!(
                svg,
                r##"<text class="state" x="{x}" y="{y}" text-anchor="{anchor}" fill="#0645ad">{}</text>"##,
                escape(state)
            );
            *shown = state.clone();
        }
    }
}

/// Draws the diagram; `left` and `right` name the two hosts.
pub fn render(left: &str, right: &str, exchanges: &[Exchange]) -> String {
    render_with_ending(left, right, exchanges, None)
}

/// [`render`], plus a last row with the states both sides end in.
pub fn render_with_ending(
    left: &str,
    right: &str,
    exchanges: &[Exchange],
    ending: Option<&Ending>,
) -> String {
    let rows = exchanges.len() as i64 + i64::from(ending.is_some());
    let height = TOP + ROW * rows + 60;
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="monospace" font-size="12">"#
    );
    let _ = writeln!(
        svg,
        r#"<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z"/></marker></defs>"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="{WIDTH}" height="{height}" fill="white"/>"#
    );
    for (x, name) in [(LEFT_X, left), (RIGHT_X, right)] {
        let _ = writeln!(
            svg,
            r#"<text x="{x}" y="30" text-anchor="middle" font-weight="bold">{}</text>"#,
            escape(name)
        );
        let _ = writeln!(
            svg,
            r#"<line x1="{x}" y1="40" x2="{x}" y2="{}" stroke="black" stroke-width="2"/>"#,
            height - 20
        );
    }
    let _ = writeln!(
        svg,
        r##"<text class="time-note" x="{}" y="{}" text-anchor="middle" fill="#666" font-size="10">{}</text>"##,
        WIDTH / 2,
        height - 6,
        escape(TIME_NOTE)
    );
    let mut shown = [String::new(), String::new()];
    for (i, e) in exchanges.iter().enumerate() {
        let y = TOP + ROW * i as i64;
        let (x1, x2) = match e.direction {
            Direction::LeftToRight => (LEFT_X, RIGHT_X),
            Direction::RightToLeft => (RIGHT_X, LEFT_X),
        };
        let (end_x, end_y) = if e.delivered {
            (x2, y + SLANT)
        } else {
            ((x1 + x2) / 2, y + SLANT / 2)
        };
        let style = if e.delivered {
            ""
        } else {
            r#" stroke-dasharray="4,3""#
        };
        let _ = writeln!(
            svg,
            r#"<line class="segment" x1="{x1}" y1="{y}" x2="{end_x}" y2="{end_y}" stroke="black"{style} marker-end="url(#arrow)"/>"#
        );
        if !e.delivered {
            let _ = writeln!(
                svg,
                r#"<path class="lost" d="M{},{} l8,8 m0,-8 l-8,8" stroke="red" stroke-width="2"/>"#,
                end_x - 4,
                end_y - 4
            );
        }
        let label_y = y + SLANT / 2 - 6;
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="{label_y}" text-anchor="middle">{}</text>"#,
            (LEFT_X + RIGHT_X) / 2,
            escape(&e.label)
        );
        let time = e.wire_ns.map_or_else(
            || "not on the wire yet".to_string(),
            |ns| format!("{:.6} s", ns as f64 / 1e9),
        );
        let _ = writeln!(
            svg,
            r##"<text class="time" x="{}" y="{}" text-anchor="middle" fill="#666" font-size="10">{time}</text>"##,
            (LEFT_X + RIGHT_X) / 2,
            label_y + 30,
        );
        state_labels(
            &mut svg,
            y + SLANT,
            [&e.left_state, &e.right_state],
            &mut shown,
        );
    }
    if let Some(end) = ending {
        let y = TOP + ROW * exchanges.len() as i64;
        let _ = writeln!(
            svg,
            r##"<text x="{}" y="{}" text-anchor="middle" fill="#666" font-size="10">{:.6} s</text>"##,
            (LEFT_X + RIGHT_X) / 2,
            y + SLANT,
            end.at_ns as f64 / 1e9
        );
        state_labels(
            &mut svg,
            y + SLANT,
            [&end.left_state, &end.right_state],
            &mut shown,
        );
    }
    svg.push_str("</svg>\n");
    svg
}
