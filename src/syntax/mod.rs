//! From plan text to the AST: pest parses each line, `lower` builds the nodes
//! and `assemble` groups lines into sections and tables.

mod assemble;
mod lower;
mod messages;
mod parser;
mod shape;

pub use assemble::comment_start;
pub(crate) use assemble::lines;
pub use assemble::parse_file;
pub(crate) use messages::is_disease_code;
pub(crate) use parser::{PlanParser, Rule};
pub(crate) use shape::first_line_foreign;
pub use shape::{MAX_BROKEN_LINES, NOT_A_PLAN, is_not_a_plan};
