"""The official client (``vcf-operations`` 9.1.1.0) on the resources section's queries: page the
VMs through ``Query.get_matching_resources`` as the integration SDK does, filter by property
conditions, and read the latest properties."""

from vcf.operations.api.resources.properties.latest_client import Query as LatestProperties
from vcf.operations.api.resources_client import Query
from vcf.operations.model_client import (
    PropertiesQuery,
    ResourceQuery,
    StatOrPropertyCondition,
    StatOrPropertyConditionQuery,
)

from helpers import DEMO_VMS


def test_paging_resources_through_the_query(connect):
    _, config = connect()
    query = Query(config)
    spec = ResourceQuery(adapter_kind=["VMWARE"], resource_kind=["VirtualMachine"])
    seen, page = [], 0
    while True:
        result = query.get_matching_resources(spec, page=page, page_size=3)
        assert result.page_info.total_count == DEMO_VMS
        seen += [r.identifier for r in result.resource_list]
        if len(seen) >= result.page_info.total_count:
            break
        page += 1
    assert len(set(seen)) == DEMO_VMS
    powered_on = StatOrPropertyCondition(
        key="summary|runtime|powerState", operator="EQ", string_value="Powered On"
    )
    spec = ResourceQuery(
        resource_kind=["VirtualMachine"],
        property_conditions=StatOrPropertyConditionQuery(conjunction_operator="AND", conditions=[powered_on]),
    )
    on = query.get_matching_resources(spec).resource_list
    assert on and all(r.resource_health == "GREEN" for r in on)
    assert len(on) < DEMO_VMS
    grey = query.get_matching_resources(ResourceQuery(resource_health=["GREY"])).resource_list
    assert {r.identifier for r in grey} == set(seen) - {r.identifier for r in on}
    latest = LatestProperties(config).query_latest_properties_of_resources(
        PropertiesQuery(resource_ids=[on[0].identifier], property_keys=["config|name"])
    )
    (one,) = latest.values
    assert one.property_contents.property_content[0].values == [on[0].resource_key.name]
