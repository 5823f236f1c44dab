//! EC2 reads: the Availability Zone of each subnet that the fleet's VPC
//! configurations name.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::Filter;

use super::call::traced_page;
use super::error::AwsError;

/// Values per filter that DescribeSubnets accepts.
const MAX_FILTER_VALUES: usize = 200;

/// Reads the Availability Zone of each subnet in `subnet_ids`, by subnet id.
///
/// The ids go in a `subnet-id` filter rather than `SubnetIds`, because
/// `SubnetIds` fails the whole call when one subnet no longer exists. A
/// subnet missing from the response is missing from the map, and the rule
/// reports that subnet's zone as unknown.
pub async fn describe_subnet_zones(
    region: &str,
    client: &aws_sdk_ec2::Client,
    subnet_ids: &[String],
) -> Result<BTreeMap<String, String>, AwsError> {
    let mut zones = BTreeMap::new();
    for chunk in subnet_ids.chunks(MAX_FILTER_VALUES) {
        let filter = Filter::builder()
            .name("subnet-id")
            .set_values(Some(chunk.to_vec()))
            .build();
        let mut pages = client
            .describe_subnets()
            .filters(filter)
            .into_paginator()
            .send();
        while let Some(page) = traced_page("ec2:DescribeSubnets", region, None, pages.next()).await
        {
            for subnet in page?.subnets() {
                if let (Some(id), Some(zone)) = (subnet.subnet_id(), subnet.availability_zone()) {
                    zones.insert(id.to_string(), zone.to_string());
                }
            }
        }
    }
    Ok(zones)
}
