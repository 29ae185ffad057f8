//! `synack board` over a serial port, as a user runs it against an Arty
//! (SPEC A1, D1, S4): the board is `synack virtual-board` (ArtyTop in
//! Verilator, its USB-UART a pseudo-terminal, its Ethernet a TAP in a
//! namespace of its own), and Linux tools in that namespace are the peers.
//! Nothing here knows the board is co-simulated but the `--patience` the
//! slow board needs.
//!
//! One test, in order, as a session goes: bring-up at the power-on rate,
//! then 12 Mbaud; curl fetches a page and a body; the PC side stops and
//! sets the board back to 3 Mbaud; a second session finds the board there,
//! brings it up again and serves echo; the virtual board removes its link,
//! TAP and namespace. Root is needed (`SYNACK_SKIP_NETNS=1` leaves it out).
mod common;

use std::time::Duration;

use common::live::*;

fn board_args<'a>(link: &'a str, serve: &'a str) -> Vec<&'a str> {
    vec![
        "--serial",
        link,
        "--addr",
        "192.0.2.2/24",
        "--baud",
        "12000000",
        "--patience",
        "10000",
        "--serve",
        serve,
        "--seconds",
        "300",
    ]
}

#[test]
fn board_over_a_serial_port_serves_linux_then_hands_over_to_a_second_session() {
    if !privileged() {
        return;
    }
    let link = temp("arty-uart");
    let link = link.to_str().unwrap();
    let mut board = Synack::start_command("virtual-board", &["--link", link, "--seconds", "600"]);
    assert!(!board.netns.is_empty(), "{}", board.output());
    assert!(
        std::fs::symlink_metadata(link).is_ok_and(|m| m.file_type().is_symlink()),
        "the link to the board's UART is there"
    );

    // First session: HTTP.
    let mut pc = Synack::start_command("board", &board_args(link, "http"));
    let up = pc.output();
    assert!(up.contains("TI DP83848J") && up.contains("link up"), "{up}");
    assert!(
        up.contains("16 RX buffers"),
        "the board's configuration: {up}"
    );
    let body = board.exec(
        120,
        &[
            "curl",
            "-sS",
            "-m",
            "110",
            &format!("http://{SYNACK}/bytes/20000"),
        ],
    );
    assert!(
        body.status.success(),
        "curl: {}\n{}\n{}",
        String::from_utf8_lossy(&body.stderr),
        pc.output(),
        board.output()
    );
    assert_eq!(sha(&body.stdout), sha(&http_body(20000)));
    let page = board.exec(
        60,
        &["curl", "-sS", "-m", "50", &format!("http://{SYNACK}/")],
    );
    let page = String::from_utf8_lossy(&page.stdout);
    assert!(
        page.contains("LISTEN") && page.contains("http: 2 requests"),
        "{page}"
    );
    board.wait_for("12 Mbaud", Duration::from_secs(30));
    let log = pc.stop();
    assert!(
        log.contains("SYN-RECEIVED") && log.contains("TIME-WAIT"),
        "{log}"
    );
    assert!(log.contains("board left at 3 Mbaud"), "{log}");
    assert!(
        log.contains("(0 resent"),
        "no request needed resending: {log}"
    );

    // Second session: the board is found at 3 Mbaud, brought up again, echo.
    let mut pc = Synack::start_command("board", &board_args(link, "echo"));
    let data = payload(3000, 7);
    let input = temp("board-echo.in");
    std::fs::write(&input, &data).unwrap();
    let echoed = board.exec(
        120,
        &[
            "sh",
            "-c",
            &format!("nc -N -w 100 {SYNACK} 7 < {}", input.display()),
        ],
    );
    assert!(
        echoed.status.success(),
        "nc: {}\n{}",
        String::from_utf8_lossy(&echoed.stderr),
        pc.output()
    );
    assert_eq!(sha(&echoed.stdout), sha(&data), "echoed bytes");
    pc.stop();

    let out = board.stop();
    assert!(out.contains("the PC closed the UART"), "{out}");
    assert!(
        std::fs::symlink_metadata(link).is_err(),
        "the link is removed on exit"
    );
}
