"""The official VCF Operations client (``vcf-operations`` 9.1.1.0, REST), unmodified: acquire a token,
list adapter and resource kinds, page through resources, read one, read, roll up and push stats,
follow relationships, release the token."""

import pytest
from vcf.operations.api.adapterkinds_client import Resourcekinds
from vcf.operations.api.auth.token_client import Release
from vcf.operations.api.resources.stats_client import Latest, Query
from vcf.operations.api.resources_client import Relationships, Statkeys, Stats
from vcf.operations.api.versions_client import Current
from vcf.operations.api_client import Adapterkinds, Resources
from vcf.operations.model_client import StatContent, StatContents, StatQuery
from vmware.vapi.bindings.error import UnresolvedError

from helpers import DEMO_VMS

pytestmark = pytest.mark.every_backend  # see tests/conftest.py


def test_token_kinds_resources_and_release(connect):
    token, config = connect()
    assert token.token and token.validity and token.roles == ["Administrator"]
    assert Current(config).get_current_version_of_server().major == 9
    adapters = Adapterkinds(config).get_adapter_types().adapter_kind
    assert "VMWARE" in {a.key for a in adapters}
    kinds = Resourcekinds(config).get_resource_types_for_adapter_type("VMWARE").resource_kind
    assert "VirtualMachine" in {k.key for k in kinds}
    resources = Resources(config)
    seen, page = [], 0
    while True:
        result = resources.get_resources(resource_kind=["VirtualMachine"], page=page, page_size=4)
        assert result.page_info.total_count == DEMO_VMS
        seen += [r.identifier for r in result.resource_list]
        if len(seen) >= result.page_info.total_count:
            break
        page += 1
    assert len(set(seen)) == DEMO_VMS
    one = resources.get_resource(seen[0])
    assert one.resource_key.resource_kind_key == "VirtualMachine"
    Release(config).release_token()
    with pytest.raises(UnresolvedError) as caught:
        Adapterkinds(config).get_adapter_types()
    body = caught.value.get_error_value()
    assert body.get_field("apiErrorCode").value == 1512


def test_wrong_password(connect):
    with pytest.raises(UnresolvedError) as caught:
        connect(password="wrong")
    assert caught.value.get_error_value().get_field("httpStatusCode").value == 401


def test_stats(connect):
    _, config = connect()
    hosts = Resources(config).get_resources(resource_kind=["HostSystem"]).resource_list
    host = hosts[0].identifier
    assert "cpu|usagemhz_average" in {k.key for k in Statkeys(config).get_stat_keys(host).stat_key}
    (values,) = Stats(config).get_stats_of_resource(host, stat_key=["cpu|usagemhz_average"]).values
    (stat,) = values.stat_list.stat
    assert values.resource_id == host and stat.stat_key.key == "cpu|usagemhz_average"
    assert len(stat.timestamps) == len(stat.data) >= 288  # a day of five-minute samples

    hourly = Query(config).get_stats_for_resources(
        StatQuery(
            resource_id=[h.identifier for h in hosts],
            stat_key=["cpu|usage_average"],
            roll_up_type="AVG",
            interval_type="HOURS",
        )
    )
    assert len(hourly.values) == 3
    for one in hourly.values:
        (stat,) = one.stat_list.stat
        assert stat.roll_up_type == "AVG" and all(t % 3_600_000 == 0 for t in stat.timestamps)
        assert all(0 < v < 100 for v in stat.data)

    at = stat.timestamps[-1]
    Stats(config).add_stats(
        host,
        StatContents(stat_content=[StatContent(stat_key="custom|temperature", timestamps=[at], data=[41.5])]),
    )
    (latest,) = Latest(config).get_latest_stats(host, stat_key=["custom|temperature"]).values
    assert latest.stat_list.stat[0].data == [41.5]

    children = Relationships(config).get_relationships(host, relationship_type="CHILD").resource_list
    assert {c.resource_key.resource_kind_key for c in children} == {"VirtualMachine"}
