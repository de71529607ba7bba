//! The API calls, one file per area, as `impl Client` blocks. Each call says whether its
//! route is documented or a gap (a 404/405 on a gap means "not available").

mod account;
mod branding;
mod customer;
mod dashboard;
mod subscription;
mod token;
mod transcript;
mod usage;
mod user;
