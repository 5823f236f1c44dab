//! Helpers of the tests that run against the sandbox endpoint, which
//! `sandbox/test` starts and exports as AWS_ENDPOINT_URL with dummy
//! credentials.

use anshin::aws::{self, AwsContext, AwsOptions, RegionClients};
use anshin::model::Fleet;
use anshin::poll::PollConfig;
use anshin::snapshot;

pub const NEEDS_SANDBOX: &str = "needs the sandbox endpoint: run sandbox/test";
/// The region the sandbox seeds most of its fleet in.
pub const SEEDED_REGION: &str = "us-east-1";

/// Returns the sandbox endpoint and rejects any address but loopback, so
/// these tests cannot touch a real account.
pub fn endpoint() -> String {
    let endpoint = std::env::var("AWS_ENDPOINT_URL").expect(NEEDS_SANDBOX);
    assert!(
        endpoint.starts_with("http://127.0.0.1:") || endpoint.starts_with("http://localhost:"),
        "AWS_ENDPOINT_URL must be a loopback address, found {endpoint}"
    );
    endpoint
}

pub async fn context(region: &str) -> AwsContext {
    let options = AwsOptions {
        regions: vec![region.to_string()],
        endpoint_url: Some(endpoint()),
        ..AwsOptions::default()
    };
    aws::load(&options).await.expect("sandbox config loads")
}

pub async fn clients(region: &str) -> RegionClients {
    context(region).await.regions.remove(0)
}

/// Reads the region once, as `anshin snapshot` does.
pub async fn collect(region: &str) -> Fleet {
    snapshot::collect(&context(region).await, PollConfig::default(), |_| {}).await
}
