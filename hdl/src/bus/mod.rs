//! Port bundles shared by the fabric's blocks, as rust-hdl `LogicInterface`s.
//!
//! Each bus is declared once, as a pair: the side that starts transfers
//! (`*Master`: drives valid/address/data, takes ready/response) and the
//! side that answers (`*Slave`: the same fields, directions mirrored).
//! Between sibling blocks a parent writes `X::join(&mut self.a.x, &mut
//! self.b.y)`; from a parent's port of a type to a child's port of the same
//! type, `X::link(&mut self.x, &mut self.child.x)`. Both wire every field
//! in simulation and in Verilog alike, so no pass-through line is written
//! by hand.
//!
//! In Verilog a bundle's fields are named `bundle$field`. Internal blocks
//! keep those names; a design emitted as a top (see [`crate::emit`]) gets
//! flat port names (`m_axi_araddr`, `s_axis_tdata`, …) for Vivado and the
//! Verilator harness.
//!
//! Invariants: a `Master` and its `Slave` have the same fields, in the same
//! order, with opposite directions (their `join`s pair them by name): `bus!`
//! writes both from one list, so they cannot drift apart.

/// Declares a bus once: with two names, as its `Master` (directions as
/// listed) and its `Slave` (every direction flipped), each a `LogicInterface`
/// joinable to the other; with one name, as a bundle with only that side
/// (`Mii`: the PHY is not in the fabric). Fields are written a channel, or a
/// group that moves together, per line.
macro_rules! bus {
    (
        $(#[$m_attr:meta])*
        pub struct $master:ident;
        $(#[$s_attr:meta])*
        pub struct $slave:ident;
        { $( $field:ident: $dir:ident $ty:ty ),* $(,)? }
    ) => {
        bus! { $(#[$m_attr])* pub struct $master; { $( $field: $dir $ty ),* } }

        // What `#[join = "..."]` would write; that attribute takes only a
        // literal, which a macro cannot build from `$slave`.
        impl $master {
            pub fn join(&mut self, other: &mut $slave) {
                $( self.$field.join(&mut other.$field); )*
            }
        }

        $(#[$s_attr])*
        #[derive(LogicInterface, Default)]
        pub struct $slave {
            $( pub $field: Signal<$crate::bus::flip!($dir), $ty>, )*
        }

        impl $slave {
            pub fn join(&mut self, other: &mut $master) {
                $( self.$field.join(&mut other.$field); )*
            }
        }
    };
    (
        $(#[$attr:meta])*
        pub struct $name:ident;
        { $( $field:ident: $dir:ident $ty:ty ),* $(,)? }
    ) => {
        $(#[$attr])*
        #[derive(LogicInterface, Default)]
        pub struct $name {
            $( pub $field: Signal<$dir, $ty>, )*
        }
    };
}

/// The other direction, for a bus's `Slave`.
macro_rules! flip {
    (In) => {
        Out
    };
    (Out) => {
        In
    };
}

pub(crate) use flip;

pub mod arty_pins;
pub mod axi_read;
pub mod axi_write;
pub mod axil;
pub mod axis;
pub mod dma_write;
pub mod frame_write;
pub mod mii;
pub mod ring;
pub mod tap;
