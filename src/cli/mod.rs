pub mod branch;
pub mod pr;
