//! The hardware/software contract of synack: register offsets, descriptor and
//! completion layouts, shared by `synack-hdl` (which implements them) and
//! `synack-host` (which drives them). Everything here is plain data; layouts
//! are pinned with compile-time size asserts.
#![no_std]
