//! The network learner: `model` (the network, its forward and backward
//! passes and its position encodings), `training` (supervised training and
//! the rounds' Adam steps, compiled into the sampler's tables), `kernel`
//! (the fixed-order matrix products they run on, so a network's bits are the
//! same on every CPU), `softmax` (the batch's softmax, likewise) and
//! `aligned` (the 64-byte aligned buffers they read and write).

mod aligned;
pub mod kernel;
pub mod model;
mod softmax;
pub mod training;
