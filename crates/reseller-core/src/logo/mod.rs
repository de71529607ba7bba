//! The logo pipeline: a file the user picked becomes a PNG of at most 512x512 under the API's
//! 2 MB limit (`process`), or a `LogoError` that says in plain words why not (`error`), within
//! the limits in `limits`, `raster_limits` and `svg_limits`. Images are decoded only in the logo
//! worker (`worker`: a child process with memory, CPU and time limits).
//!
//! Branding uses it; it knows nothing of branding, the cache or the server.

pub mod error;
pub mod limits;
pub mod process;
pub mod raster_limits;
pub mod svg_limits;
pub mod worker;

pub use error::{LogoError, Unsafe};
pub use process::{fit, process_bytes, process_path, Logo};
pub use worker::{JobTicket, LogoJob, LogoWorker};
