//! TLS for every HTTP client of the app: rustls with the ring provider. The updater plugin uses
//! the same reqwest and installs the same provider, so the shipped app carries one HTTP and TLS
//! stack. reqwest (built without a provider of its own) refuses to build a client until one is
//! installed, so every client is made after `install_provider`.

/// Installs ring as the process's TLS provider, unless one is installed already.
pub fn install_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one in between: either way, one is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A plain HTTP client with the app's TLS (tests, tools and benchmarks).
pub fn http_client() -> reqwest::Client {
    install_provider();
    reqwest::Client::new()
}
