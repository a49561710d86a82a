//! The handler: the request, then the metadata generation run it names.

use datazone_runs::Error;
use datazone_runs::port::DataZone;
use datazone_runs::usecase::polling::PollingPolicy;
use datazone_runs::usecase::status::{MetadataOutcome, check_metadata_run};
use function_runtime::datazone_events::read_metadata_status_input;
use function_runtime::payload::Payload;
use function_runtime::serve::{Handler, Invocation};
use tracing::Instrument;

pub struct MetadataStatus<D> {
    datazone: D,
    polling: PollingPolicy,
}

impl<D: DataZone> MetadataStatus<D> {
    pub fn new(datazone: D, polling: PollingPolicy) -> Self {
        Self { datazone, polling }
    }
}

impl<D: DataZone> Handler for MetadataStatus<D> {
    type Output = MetadataOutcome;

    async fn handle(
        &self,
        payload: Payload,
        _invocation: &Invocation,
    ) -> Result<MetadataOutcome, Error> {
        let request = read_metadata_status_input(payload)?;
        let span = request.span();
        check_metadata_run(
            &self.datazone,
            &request.domain,
            &request.run,
            request.origin,
            &self.polling,
        )
        .instrument(span)
        .await
    }
}
