use super::RegionClients;
use super::call::traced;
use super::error::AwsError;
use crate::model::CallerIdentity;

/// Reads the account and principal the credentials resolve to.
pub async fn caller_identity(clients: &RegionClients) -> Result<CallerIdentity, AwsError> {
    let output = traced(
        "sts:GetCallerIdentity",
        &clients.region,
        None,
        clients.sts.get_caller_identity().send(),
    )
    .await?;
    Ok(CallerIdentity {
        account: output.account().map(str::to_string),
        arn: output.arn().map(str::to_string),
        user_id: output.user_id().map(str::to_string),
    })
}
