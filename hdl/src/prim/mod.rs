//! Primitives the blocks are built from, where rust-hdl's own widgets cost
//! LUTs under hierarchical synthesis (see each file's notes).
pub mod const_bits;
pub mod dff_en;
pub mod lut_ram;
pub mod sync_bit;
