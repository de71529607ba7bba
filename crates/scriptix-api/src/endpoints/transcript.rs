use crate::error::{ApiError, RouteKind};
use crate::models::transcript::{Transcript, TranscriptQuery};
use crate::page::Page;
use crate::transport::Call;
use crate::Client;

impl Client {
    /// Documented; `q` and the date range are extensions a server may ignore.
    pub async fn customer_transcripts(
        &self,
        id: i64,
        q: &TranscriptQuery,
    ) -> Result<Page<Transcript>, ApiError> {
        let call = Call::get(
            "/api/v3/reseller/customer/{id}/transcript",
            format!("/api/v3/reseller/customer/{id}/transcript"),
            RouteKind::Documented,
        )
        .with_query(q.to_pairs());
        self.fetch_page(call).await
    }
}
