//! The dataset on disk, owned here: how its parts are named
//! ([`part_name`]), how files appear in it whole ([`files`]), what it has
//! committed and what a killed writer left ([`scan`]), what damage it can
//! carry ([`integrity`]) and its mending ([`mod@repair`]), how complete it is
//! against its sweep ([`completion`]), and the dataset opened once for
//! `report`, `status` and `repair` ([`Opened`]); the names of its folders,
//! files, reserved columns and statuses are spelled once in [`names`].
//!
//! The sink writes parts through these definitions; nothing else formats
//! or parses a part name.

pub mod completion;
pub mod files;
pub mod integrity;
pub mod names;
pub mod opened;
pub mod part_name;
pub mod repair;
pub mod scan;

pub use completion::Completion;
pub use integrity::{Integrity, IntegrityError};
pub use opened::Opened;
pub use part_name::PartName;
pub use repair::{repair, Repaired};
pub use scan::{part_files, Committed};
