//! `addition`: placeholder until the self-training scenario lands.
