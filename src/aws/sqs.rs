//! SQS reads: whether an event source queue has a redrive policy.

use aws_sdk_sqs::types::QueueAttributeName;

use super::call::traced;
use super::error::AwsError;

/// Returns the queue name and owner account of an SQS queue ARN
/// (`arn:aws:sqs:REGION:ACCOUNT:NAME`), or `None` for any other shape.
pub fn queue_name_and_owner(arn: &str) -> Option<(&str, &str)> {
    let fields: Vec<&str> = arn.split(':').collect();
    match fields.as_slice() {
        ["arn", _, "sqs", _, account, name] if !account.is_empty() && !name.is_empty() => {
            Some((name, account))
        }
        _ => None,
    }
}

/// Reads whether the queue behind `queue_arn` has a `RedrivePolicy`, which
/// moves a message that keeps failing to a dead-letter queue.
pub async fn queue_has_redrive(
    region: &str,
    client: &aws_sdk_sqs::Client,
    queue_arn: &str,
) -> Result<bool, AwsError> {
    let Some((name, owner)) = queue_name_and_owner(queue_arn) else {
        return Err(AwsError {
            kind: super::ErrorKind::Other,
            action: "sqs:GetQueueUrl".to_string(),
            code: None,
            message: Some(format!("{queue_arn} is not an SQS queue ARN")),
            status: None,
            request_id: None,
        });
    };
    let url = traced(
        "sqs:GetQueueUrl",
        region,
        None,
        client
            .get_queue_url()
            .queue_name(name)
            .queue_owner_aws_account_id(owner)
            .send(),
    )
    .await?;
    let Some(url) = url.queue_url() else {
        return Err(AwsError {
            kind: super::ErrorKind::Other,
            action: "sqs:GetQueueUrl".to_string(),
            code: None,
            message: Some(format!("no queue URL returned for {queue_arn}")),
            status: None,
            request_id: None,
        });
    };
    let attributes = traced(
        "sqs:GetQueueAttributes",
        region,
        None,
        client
            .get_queue_attributes()
            .queue_url(url)
            .attribute_names(QueueAttributeName::RedrivePolicy)
            .send(),
    )
    .await?;
    Ok(attributes
        .attributes()
        .and_then(|map| map.get(&QueueAttributeName::RedrivePolicy))
        .is_some_and(|policy| !policy.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::queue_name_and_owner;

    #[test]
    fn queue_arn_fields() {
        assert_eq!(
            queue_name_and_owner("arn:aws:sqs:us-east-1:123456789012:refunds"),
            Some(("refunds", "123456789012"))
        );
        assert_eq!(
            queue_name_and_owner("arn:aws:kinesis:us-east-1:123456789012:stream/x"),
            None
        );
        assert_eq!(queue_name_and_owner("arn:aws:sqs:us-east-1::refunds"), None);
    }
}
