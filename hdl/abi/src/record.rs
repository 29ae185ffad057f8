//! How a record in host memory is declared once for both sides: [`crate::record!`]
//! writes the `#[repr(C)]` struct the host uses, a module of [`Field`]
//! positions the fabric checks its literals against, and the struct's
//! `to_bytes`/`from_bytes` through those positions.
//!
//! Invariants: every position is computed from the struct (`offset_of!`,
//! `size_of` of the declared type) and checked at compile time to tile it
//! exactly, in order, with no gap; records are little-endian.

/// Where a field lies in a record read as one little-endian integer (byte 0
/// in bits 0..8), which is how the fabric holds it: `offset` and `width` in
/// bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    /// The field's lowest bit: 8 × its byte offset.
    pub offset: usize,
    /// 8 × its size in bytes.
    pub width: usize,
}

impl Field {
    /// The field at `byte_offset`, `size` bytes long.
    pub const fn bytes(byte_offset: usize, size: usize) -> Self {
        Self {
            offset: 8 * byte_offset,
            width: 8 * size,
        }
    }

    /// True if the field starts at bit `offset` and is `width` bits wide: for
    /// `const` checks beside positions written as literals.
    pub const fn is(self, offset: usize, width: usize) -> bool {
        self.offset == offset && self.width == width
    }

    /// The field's byte range in the record.
    pub const fn byte_range(self) -> core::ops::Range<usize> {
        self.offset / 8..(self.offset + self.width) / 8
    }

    /// Writes the low `width` bits of `value` into `record`, little-endian.
    pub fn put(self, record: &mut [u8], value: u64) {
        let bytes = value.to_le_bytes();
        record[self.byte_range()].copy_from_slice(&bytes[..self.width / 8]);
    }

    /// Reads the field from `record`, little-endian.
    pub fn get(self, record: &[u8]) -> u64 {
        let mut bytes = [0u8; 8];
        bytes[..self.width / 8].copy_from_slice(&record[self.byte_range()]);
        u64::from_le_bytes(bytes)
    }
}

/// True if `fields` are in order, each starting where the one before ends,
/// at most 64 bits wide, and together fill `bytes`.
pub const fn tiles(fields: &[Field], bytes: usize) -> bool {
    let mut end = 0;
    let mut i = 0;
    while i < fields.len() {
        if fields[i].offset != end || fields[i].width == 0 || fields[i].width > 64 {
            return false;
        }
        end += fields[i].width;
        i += 1;
    }
    end == 8 * bytes
}

/// Declares a record: `pub struct $name in $positions { pub field: type =>
/// POSITION, … }` writes the struct (`#[repr(C)]`, fields in order, every
/// type an unsigned integer of at most 64 bits), `mod $positions` with a
/// [`Field`] per field and `BYTES`, the record's size, and
/// `$name::to_bytes` / `$name::from_bytes`.
#[macro_export]
macro_rules! record {
    (
        $(#[$attr:meta])*
        pub struct $name:ident in $positions:ident {
            $( $(#[$field_attr:meta])* pub $field:ident: $ty:ty => $position:ident, )*
        }
    ) => {
        $(#[$attr])*
        #[repr(C)]
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name {
            $( $(#[$field_attr])* pub $field: $ty, )*
        }

        #[doc = concat!("Bit positions of [`", stringify!($name), "`]'s fields (`record!`).")]
        pub mod $positions {
            use super::$name;
            use $crate::record::Field;

            $(
                #[doc = concat!("[`", stringify!($name), "::", stringify!($field), "`].")]
                pub const $position: Field =
                    Field::bytes(core::mem::offset_of!($name, $field), size_of::<$ty>());
            )*
            /// The record's size in bytes.
            pub const BYTES: usize = size_of::<$name>();
            const _: () = assert!($crate::record::tiles(&[$($position),*], BYTES));
        }

        impl $name {
            /// The record's bytes, as they lie in host memory.
            pub fn to_bytes(&self) -> [u8; size_of::<$name>()] {
                let mut b = [0u8; size_of::<$name>()];
                $( $positions::$position.put(&mut b, self.$field.into()); )*
                b
            }

            /// The record from its bytes in host memory.
            pub fn from_bytes(b: [u8; size_of::<$name>()]) -> Self {
                // Each field's width is its type's (checked), so `as` drops only zeros.
                Self { $( $field: $positions::$position.get(&b) as $ty, )* }
            }
        }
    };
}
