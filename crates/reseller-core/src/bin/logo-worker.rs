//! The logo worker on its own, for this crate's tests (`CARGO_BIN_EXE_logo-worker`). The app
//! does not ship it: it starts its own executable with `--logo-worker` instead (the same
//! `serve`).

fn main() {
    std::process::exit(reseller_core::logo::worker::serve(
        std::env::args_os().skip(1),
    ));
}
