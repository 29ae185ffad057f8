#!/usr/bin/env bash
# Installs what synack needs from Debian's packages, if missing: Verilator 5
# (co-simulation), Yosys (synthesis figures), tshark (pcap checks), and the
# Linux tools `synack tap` is tested with (iproute2 for namespaces, curl,
# netcat, socat, iperf3, hping3, nftables, tcpdump, ping), and for the Arty board tclsh
# (the Vivado script's dry run) and openFPGALoader (programming).
set -euo pipefail

need=()
command -v verilator >/dev/null || need+=(verilator)
command -v yosys >/dev/null || need+=(yosys)
command -v tshark >/dev/null || need+=(tshark)
command -v c++ >/dev/null || need+=(g++)
command -v make >/dev/null || need+=(make)
command -v ip >/dev/null || need+=(iproute2)
command -v curl >/dev/null || need+=(curl)
command -v nc >/dev/null || need+=(netcat-openbsd)
command -v socat >/dev/null || need+=(socat)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v hping3 >/dev/null || need+=(hping3)
command -v nft >/dev/null || need+=(nftables)
command -v tcpdump >/dev/null || need+=(tcpdump)
command -v ping >/dev/null || need+=(iputils-ping)
# The Arty flow: tclsh for the Vivado script's dry run, openFPGALoader to program the board.
command -v tclsh >/dev/null || need+=(tcl)
command -v openFPGALoader >/dev/null || need+=(openfpgaloader)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing ${need[*]} from Debian's packages" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

major=$(verilator --version | awk '{print $2}' | cut -d. -f1)
if [ "${major:-0}" -lt 5 ]; then
  echo "setup: Verilator 5 or newer is needed, found $(verilator --version)" >&2
  exit 1
fi
