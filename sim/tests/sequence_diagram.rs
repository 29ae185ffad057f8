//! The SVG sequence diagram (SPEC S3): well-formed XML, one arrow per
//! segment, states written where they change, lost segments marked.
use synack_sim::sequence_diagram::{Direction, Exchange, TIME_NOTE, render};

fn exchange(
    direction: Direction,
    label: &str,
    delivered: bool,
    left: &str,
    right: &str,
) -> Exchange {
    Exchange {
        direction,
        wire_ns: Some(1_000),
        label: label.into(),
        delivered,
        left_state: left.into(),
        right_state: right.into(),
    }
}

fn handshake_with_a_lost_syn_ack() -> Vec<Exchange> {
    use Direction::*;
    vec![
        exchange(LeftToRight, "SYN seq=0", true, "SYN-SENT", "SYN-RECV"),
        exchange(
            RightToLeft,
            "SYN,ACK seq=0 ack=1",
            false,
            "SYN-SENT",
            "SYN-RECV",
        ),
        exchange(
            RightToLeft,
            "SYN,ACK seq=0 ack=1",
            true,
            "ESTAB",
            "SYN-RECV",
        ),
        exchange(LeftToRight, "ACK seq=1 ack=1 <&>", true, "ESTAB", "ESTAB"),
    ]
}

#[test]
fn the_diagram_is_well_formed_svg_with_one_arrow_per_segment() {
    let svg = render(
        "client 10.0.0.1",
        "server 10.0.0.2",
        &handshake_with_a_lost_syn_ack(),
    );
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    let with_class = |class: &str| {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .count()
    };
    assert_eq!(with_class("segment"), 4);
    assert_eq!(with_class("lost"), 1, "the lost SYN-ACK is crossed out");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    assert!(
        texts.contains(&"ACK seq=1 ack=1 <&>"),
        "labels are escaped and read back"
    );
    assert!(texts.contains(&"client 10.0.0.1"));
}

#[test]
fn each_side_s_state_is_written_once_per_change() {
    let svg = render("a", "b", &handshake_with_a_lost_syn_ack());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let states: Vec<&str> = doc
        .descendants()
        .filter(|n| n.attribute("class") == Some("state"))
        .filter_map(|n| n.text())
        .collect();
    // Left: SYN-SENT, ESTAB; right: SYN-RECV, ESTAB.
    assert_eq!(states, ["SYN-SENT", "SYN-RECV", "ESTAB", "ESTAB"]);
}

#[test]
fn the_diagram_says_its_times_are_wire_times() {
    let mut exchanges = handshake_with_a_lost_syn_ack();
    exchanges[0].wire_ns = Some(1_234_567_000);
    exchanges[3].wire_ns = None;
    let svg = render("a", "b", &exchanges);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let text_of = |class: &str| -> Vec<&str> {
        doc.descendants()
            .filter(|n| n.attribute("class") == Some(class))
            .filter_map(|n| n.text())
            .collect()
    };
    assert_eq!(text_of("time-note"), [TIME_NOTE]);
    assert!(TIME_NOTE.contains("left the sender's MAC") && TIME_NOTE.contains("pcap"));
    assert_eq!(
        text_of("time"),
        [
            "1.234567 s",
            "0.000001 s",
            "0.000001 s",
            "not on the wire yet"
        ]
    );
}
