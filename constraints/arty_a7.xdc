## Digilent Arty A7-35T / A7-100T: every port of ArtyTop (hdl/src/board/arty.rs),
## with pins and I/O standards per Digilent's reference constraints for the board,
## and the design's clocks, clock-domain crossings and I/O timing.
## Read by constraints/build.tcl (listed in constraints/arty_files.txt); checked by
## tests/vivado_flow.rs (every port here is an ArtyTop port, and the other way round).

## Configuration: the bank voltages are 3.3 V; the bitstream may go to the QSPI flash.
set_property CFGBVS VCCO [current_design]
set_property CONFIG_VOLTAGE 3.3 [current_design]
set_property BITSTREAM.CONFIG.SPI_BUSWIDTH 4 [current_design]
set_property BITSTREAM.GENERAL.COMPRESS TRUE [current_design]

## 100 MHz oscillator
set_property -dict { PACKAGE_PIN E3  IOSTANDARD LVCMOS33 } [get_ports { clk100 }]
create_clock -name sys_clk -period 10.000 [get_ports { clk100 }]

## Reset button (ck_rst: low while pressed)
set_property -dict { PACKAGE_PIN C2  IOSTANDARD LVCMOS33 } [get_ports { ck_rst_n }]

## LEDs LD4..LD7: link, activity, error, heartbeat
set_property -dict { PACKAGE_PIN H5  IOSTANDARD LVCMOS33 } [get_ports { led[0] }]
set_property -dict { PACKAGE_PIN J5  IOSTANDARD LVCMOS33 } [get_ports { led[1] }]
set_property -dict { PACKAGE_PIN T9  IOSTANDARD LVCMOS33 } [get_ports { led[2] }]
set_property -dict { PACKAGE_PIN T10 IOSTANDARD LVCMOS33 } [get_ports { led[3] }]

## USB-UART bridge (FT2232H channel B): D10 to the PC, A9 from the PC
set_property -dict { PACKAGE_PIN D10 IOSTANDARD LVCMOS33 } [get_ports { uart_rxd_out }]
set_property -dict { PACKAGE_PIN A9  IOSTANDARD LVCMOS33 } [get_ports { uart_txd_in }]

## Ethernet PHY (TI DP83848J), MII
set_property -dict { PACKAGE_PIN G18 IOSTANDARD LVCMOS33 } [get_ports { eth_ref_clk }]
set_property -dict { PACKAGE_PIN C16 IOSTANDARD LVCMOS33 } [get_ports { eth_rstn }]
set_property -dict { PACKAGE_PIN F15 IOSTANDARD LVCMOS33 } [get_ports { eth_rx_clk }]
set_property -dict { PACKAGE_PIN G16 IOSTANDARD LVCMOS33 } [get_ports { eth_rx_dv }]
set_property -dict { PACKAGE_PIN C17 IOSTANDARD LVCMOS33 } [get_ports { eth_rxerr }]
set_property -dict { PACKAGE_PIN D18 IOSTANDARD LVCMOS33 } [get_ports { eth_rxd[0] }]
set_property -dict { PACKAGE_PIN E17 IOSTANDARD LVCMOS33 } [get_ports { eth_rxd[1] }]
set_property -dict { PACKAGE_PIN E18 IOSTANDARD LVCMOS33 } [get_ports { eth_rxd[2] }]
set_property -dict { PACKAGE_PIN G17 IOSTANDARD LVCMOS33 } [get_ports { eth_rxd[3] }]
set_property -dict { PACKAGE_PIN H16 IOSTANDARD LVCMOS33 } [get_ports { eth_tx_clk }]
set_property -dict { PACKAGE_PIN H15 IOSTANDARD LVCMOS33 } [get_ports { eth_tx_en }]
set_property -dict { PACKAGE_PIN H14 IOSTANDARD LVCMOS33 } [get_ports { eth_txd[0] }]
set_property -dict { PACKAGE_PIN J14 IOSTANDARD LVCMOS33 } [get_ports { eth_txd[1] }]
set_property -dict { PACKAGE_PIN J13 IOSTANDARD LVCMOS33 } [get_ports { eth_txd[2] }]
set_property -dict { PACKAGE_PIN H17 IOSTANDARD LVCMOS33 } [get_ports { eth_txd[3] }]
set_property -dict { PACKAGE_PIN D17 IOSTANDARD LVCMOS33 } [get_ports { eth_col }]
set_property -dict { PACKAGE_PIN G14 IOSTANDARD LVCMOS33 } [get_ports { eth_crs }]
set_property -dict { PACKAGE_PIN F16 IOSTANDARD LVCMOS33 } [get_ports { eth_mdc }]
set_property -dict { PACKAGE_PIN K13 IOSTANDARD LVCMOS33 } [get_ports { eth_mdio }]

## Clocks. The MMCM's outputs (the 100 MHz core clock, the PHY's 25 MHz) are
## generated from sys_clk by Vivado; the forwarded reference clock leaves
## through an ODDR. The MII clocks come from the PHY: 25 MHz at 100 Mb/s.
create_generated_clock -name eth_ref_clk -divide_by 1 \
    -source [get_pins -hier -filter {NAME =~ */phy_ref_oddr/C}] [get_ports { eth_ref_clk }]
create_clock -name eth_rx_clk -period 40.000 [get_ports { eth_rx_clk }]
create_clock -name eth_tx_clk -period 40.000 [get_ports { eth_tx_clk }]

## The oscillator's domain (with the MMCM's clocks) and each MII clock are
## asynchronous: they meet only through synchronisers and the MAC's FIFOs.
set_clock_groups -asynchronous \
    -group [get_clocks -include_generated_clocks sys_clk] \
    -group [get_clocks -include_generated_clocks eth_rx_clk] \
    -group [get_clocks -include_generated_clocks eth_tx_clk]

## Clock-domain crossings. Every single-bit crossing lands in a `sync_bit`
## (prim/sync_bit.rs: `sync_reg`, ASYNC_REG in its source); the rust-hdl
## asynchronous FIFOs of the MAC cross through handshake synchronisers
## (`sync/dff0`, `sync/dff1`), marked here. Each crossing's data path is
## bounded to one period of the faster clock. (Between the asynchronous
## groups above the clock groups take precedence; the bound matters for the
## crossings inside the oscillator's group: sys_clk to the core clock.)
set_property ASYNC_REG TRUE [get_cells -hier -filter {NAME =~ */sync/dff0/* && IS_SEQUENTIAL}]
set_property ASYNC_REG TRUE [get_cells -hier -filter {NAME =~ */sync/dff1/* && IS_SEQUENTIAL}]
set_max_delay -datapath_only 10.000 -to [get_cells -hier -filter {NAME =~ *sync_reg_reg[0] && IS_SEQUENTIAL}]
set_max_delay -datapath_only 10.000 -to [get_cells -hier -filter {NAME =~ */sync/dff0/* && IS_SEQUENTIAL}]

## MII pins: registers in the I/O blocks (xilinx::IobRegs), and the PHY's
## timing: RX data valid 10..30 ns after RX_CLK rises; TX data sampled by the
## PHY with 10 ns setup and 0 ns hold at TX_CLK's rising edge.
set_property IOB TRUE [get_ports { eth_txd[*] eth_tx_en eth_rxd[*] eth_rx_dv eth_rxerr }]
set_input_delay -clock eth_rx_clk -max 30.000 [get_ports { eth_rxd[*] eth_rx_dv eth_rxerr }]
set_input_delay -clock eth_rx_clk -min 10.000 [get_ports { eth_rxd[*] eth_rx_dv eth_rxerr }]
set_output_delay -clock eth_tx_clk -max 10.000 [get_ports { eth_txd[*] eth_tx_en }]
set_output_delay -clock eth_tx_clk -min 0.000 [get_ports { eth_txd[*] eth_tx_en }]

## Asynchronous inputs (each through a synchroniser) and slow or static
## outputs: no timing relation to any clock.
set_false_path -from [get_ports { ck_rst_n uart_txd_in eth_col eth_crs eth_mdio }]
set_false_path -to [get_ports { led[*] eth_rstn uart_rxd_out eth_mdc eth_mdio }]
