//! What people read, kept apart from the engine: the live progress of a
//! run (`progress`, an [`crate::engine::options::Observer`]), what `run`
//! prints when it ends (`closing`), the `plan` and `scenarios` listings
//! (`describe`), how quantities read (`human`: durations, sizes, UTC times)
//! and how the binary was started, so that every command a message
//! suggests can be pasted as printed (`invocation`). Nothing here decides
//! what runs or what is written.

pub mod closing;
pub mod describe;
pub(crate) mod human;
pub mod invocation;
pub mod progress;
