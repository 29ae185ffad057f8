//! `ConstBits<N, V>` and `ConstBit<V>`: rust-hdl `Constant`s whose value is
//! part of their type, so a block holding them can `#[derive(Default)]`.
//!
//! Why: a `Constant` has no `Default` (its value is given to `Constant::new`),
//! so every block with one needed a hand-written `Default` listing all its
//! fields. With the value in the type, `flag: ConstBits<8, { tx_flags::TSO as
//! u64 }>` both documents where the value comes from and builds itself.
//!
//! Emitted Verilog is unchanged: each is visited as the `Constant` it wraps,
//! a `localparam` of width `N` named after the field, read in `hdl_gen` code
//! with `.val()` as before.
//!
//! `ConstTopBit<N, NP1>` is `2^N` in `N + 1` bits, the depth of a FIFO whose
//! size is a type parameter (a value computed from a const generic cannot be
//! a const generic argument on stable Rust).
//!
//! Invariants: `V` fits in `N` bits and `NP1 = N + 1` (both checked when the
//! constant is built); `N` is at most 64.
use rust_hdl::prelude::*;

/// `Logic` and `Block` for a wrapper of a `Constant`: it is visited as the
/// constant itself (a `localparam` named after the field) and never changes.
macro_rules! constant_wrapper {
    ($ty:ident < $(const $g:ident: $gt:ty),* >, $value:ty) => {
        impl<$(const $g: $gt),*> $ty<$($g),*> {
            /// The value, in `hdl_gen` code as in simulation.
            pub fn val(&self) -> $value {
                self.0.val()
            }
        }

        impl<$(const $g: $gt),*> Logic for $ty<$($g),*> {
            fn update(&mut self) {}
        }

        impl<$(const $g: $gt),*> Block for $ty<$($g),*> {
            fn connect_all(&mut self) {}
            fn update_all(&mut self) {}
            fn has_changed(&self) -> bool {
                false
            }
            fn accept(&self, name: &str, probe: &mut dyn Probe) {
                self.0.accept(name, probe);
            }
        }
    };
}

/// An `N`-bit constant of value `V`.
#[derive(Clone, Copy, Debug)]
pub struct ConstBits<const N: usize, const V: u64>(Constant<Bits<N>>);

impl<const N: usize, const V: u64> Default for ConstBits<N, V> {
    fn default() -> Self {
        assert!(
            N <= 64 && (N == 64 || V >> N == 0),
            "ConstBits: {V:#x} needs more than {N} bits"
        );
        Self(Constant::new(V.to_bits()))
    }
}

constant_wrapper!(ConstBits<const N: usize, const V: u64>, Bits<N>);

/// A one-bit constant of value `V`.
#[derive(Clone, Copy, Debug)]
pub struct ConstBit<const V: bool>(Constant<Bit>);

impl<const V: bool> Default for ConstBit<V> {
    fn default() -> Self {
        Self(Constant::new(V))
    }
}

constant_wrapper!(ConstBit<const V: bool>, Bit);

/// `2^N` in `NP1 = N + 1` bits (only the top bit set): the depth of a FIFO of
/// `2^N` entries in the width of its pointers, which carry one extra bit.
#[derive(Clone, Copy, Debug)]
pub struct ConstTopBit<const N: usize, const NP1: usize>(Constant<Bits<NP1>>);

impl<const N: usize, const NP1: usize> Default for ConstTopBit<N, NP1> {
    fn default() -> Self {
        assert_eq!(N + 1, NP1, "ConstTopBit<N, NP1>: NP1 must be N + 1");
        Self(Constant::new((1u64 << N).to_bits()))
    }
}

constant_wrapper!(ConstTopBit<const N: usize, const NP1: usize>, Bits<NP1>);

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(LogicBlock, Default)]
    struct AddK {
        pub a: Signal<In, Bits<8>>,
        pub y: Signal<Out, Bits<8>>,
        pub z: Signal<Out, Bit>,
        k: ConstBits<8, 42>,
        one: ConstBit<true>,
        depth: ConstTopBit<3, 4>,
    }

    impl Logic for AddK {
        #[hdl_gen]
        fn update(&mut self) {
            self.y.next = self.a.val() + self.k.val();
            self.z.next = self.one.val();
        }
    }

    #[test]
    fn values_come_from_the_type_in_simulation_and_verilog() {
        let mut block = AddK::default();
        block.connect_all();
        block.a.next = 1.into();
        // Signals settle over a few passes, as in rust-hdl's simulator.
        for _ in 0..3 {
            block.update_all();
        }
        assert_eq!(block.y.val(), 43);
        assert!(block.z.val());
        let verilog = generate_verilog(&block);
        assert!(verilog.contains("localparam  k = 8'h2a;"), "{verilog}");
        assert!(verilog.contains("localparam  one = 1'b1;"), "{verilog}");
        assert!(verilog.contains("localparam  depth = 4'h8;"), "{verilog}");
    }
}
