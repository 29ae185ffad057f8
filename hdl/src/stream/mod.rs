//! Stream plumbing shared by the fabric's blocks.
pub mod axis_frame_fifo;
pub mod axis_register;
