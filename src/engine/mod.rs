pub mod golang;
