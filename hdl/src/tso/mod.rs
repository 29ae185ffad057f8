//! TCP segmentation offload (SPEC F5): one TX buffer with a header template
//! becomes MSS-sized TCP segments, each with its own header.
pub mod tso_segmenter;
