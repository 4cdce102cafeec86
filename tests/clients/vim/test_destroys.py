"""Destroy_Task of hosts, clusters, datastores and networks through pyVmomi: what vCenter refuses
(a connected host: InvalidState; a datastore or network a VM uses, a cluster vCloud Director
uses: ResourceInUse; without the privilege: NoPermission), what goes with each (a host's and a
cluster's VMs), each read back over vCenter's REST API at once, and the event each records."""

import pytest
from pyVim.task import WaitForTask
from pyVmomi import vim

from helpers import standalone_host

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

API = "/api/vcenter"
EV = vim.event
TWO_CLUSTERS = """\
inventory:
  datacenters:
    - name: lab
      datastores: [{name: "ds-{s}", count: 2}]
      networks: [prod, spare]
      clusters:
        - name: first
          hosts: [{name: "a-{h}.lab", vms: [{count: 1}]}]
        - name: second
          hosts:
            - {name: "b-1.lab", vms: [{count: 2}]}
            - {name: "b-2.lab", vms: [{count: 2}]}
"""


@pytest.fixture
def lab(server):
    r = server.load(TWO_CLUSTERS)
    assert r.status_code == 200, r.text
    yield
    assert server.load("").status_code == 200  # back to the demo world for the next test


def _datacenter(si):
    return next(e for e in si.content.rootFolder.childEntity if isinstance(e, vim.Datacenter))


def _clusters(si):
    folder = _datacenter(si).hostFolder
    return {e.name: e for e in folder.childEntity if isinstance(e, vim.ClusterComputeResource)}


def _done(si, task):
    assert WaitForTask(task, si=si) == "success"


def _latest(si, event_type):
    (found,) = si.content.eventManager.QueryEvents(EV.EventFilterSpec(type=[event_type], maxCount=1))
    return found


def test_a_host_deleted_over_rest_is_an_event_over_soap(connect, vc):
    moid = standalone_host(vc, "gone.lab")
    assert vc.delete(f"{API}/host/{moid}").status_code == 204
    removed = _latest(connect(), EV.HostRemovedEvent)
    assert removed.host.host._moId == moid and removed.host.name == "gone.lab"
    assert removed.userName == "VSPHERE.LOCAL\\administrator" and removed.chainId == removed.key


def test_a_standalone_host_is_removed_once_disconnected(connect, vc):
    moid = standalone_host(vc, "alone.lab")
    vm = vc.post(f"{API}/vm", json={"name": "on-alone", "guest_OS": "UBUNTU_64", "placement": {"host": moid}})
    assert vm.status_code == 201, vm.text
    si = connect()
    host = vim.HostSystem(moid, si._stub)
    with pytest.raises(vim.fault.InvalidState):
        WaitForTask(host.Destroy_Task(), si=si)
    assert [h["host"] for h in vc.get(f"{API}/host", params={"hosts": moid}).json()] == [moid]
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.HostSystem(moid, viewer._stub).Destroy_Task()
    assert caught.value.privilegeId == "Host.Inventory.DeleteCluster"
    assert vc.post(f"{API}/host/{moid}/disconnect").status_code == 204
    _done(si, host.Destroy_Task())
    assert vc.get(f"{API}/host", params={"hosts": moid}).json() == []
    assert vc.get(f"{API}/vm/{vm.json()}").status_code == 404
    removed = _latest(si, EV.HostRemovedEvent)
    dc = _datacenter(si)
    assert (
        removed.host.host == host and removed.host.name == "alone.lab" and removed.datacenter.datacenter == dc
    )
    assert removed.fullFormattedMessage == f"Removed host alone.lab in {dc.name}"


def test_vcloud_director_keeps_its_cluster(connect, vc):
    si = connect()
    (cluster,) = _clusters(si).values()  # the demo org's VDC is on it
    with pytest.raises(vim.fault.ResourceInUse) as caught:
        WaitForTask(cluster.Destroy_Task(), si=si)
    assert (caught.value.type, caught.value.name) == (vim.ClusterComputeResource, cluster.name)
    assert vc.get(f"{API}/cluster/{cluster._moId}").status_code == 200


def test_clusters_and_their_hosts(lab, connect, vc):
    si = connect()
    dc, second = _datacenter(si), _clusters(si)["second"]
    host = next(h for h in second.host if h.name == "b-1.lab")
    on_it = [v["vm"] for v in vc.get(f"{API}/vm", params={"hosts": host._moId}).json()]
    with pytest.raises(vim.fault.InvalidState):
        WaitForTask(host.Destroy_Task(), si=si)
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.HostSystem(host._moId, viewer._stub).Destroy_Task()
    assert caught.value.privilegeId == "Host.Inventory.RemoveHostFromCluster"
    assert vc.post(f"{API}/host/{host._moId}/disconnect").status_code == 204
    _done(si, host.Destroy_Task())
    assert len(on_it) == 2 and all(vc.get(f"{API}/vm/{vm}").status_code == 404 for vm in on_it)
    assert [h.name for h in second.host] == ["b-2.lab"]
    assert _latest(si, EV.HostRemovedEvent).computeResource.computeResource == second
    # the cluster, with its last host and that host's VMs
    rest = vc.get(f"{API}/vm", params={"clusters": second._moId}).json()
    _done(si, second.Destroy_Task())
    assert vc.get(f"{API}/cluster", params={"clusters": second._moId}).json() == []
    assert vc.get(f"{API}/host", params={"names": "b-2.lab"}).json() == []
    assert len(rest) == 2 and all(vc.get(f"{API}/vm/{v['vm']}").status_code == 404 for v in rest)
    destroyed = _latest(si, EV.ClusterDestroyedEvent)
    assert destroyed.computeResource.computeResource == second and destroyed.computeResource.name == "second"
    assert destroyed.fullFormattedMessage == f"Removed cluster second in datacenter {dc.name}"
    assert list(_clusters(si)) == ["first"]


def test_datastores_and_networks_in_use_stay(lab, connect, vc):
    si = connect()
    dc = _datacenter(si)
    used = max(dc.datastore, key=lambda d: len(d.vm))
    other = next(d for d in dc.datastore if d != used)
    name = used.name
    assert used.vm
    with pytest.raises(vim.fault.ResourceInUse) as caught:
        WaitForTask(used.Destroy_Task(), si=si)
    assert (caught.value.type, caught.value.name) == (vim.Datastore, name)
    assert caught.value.msg == f"The resource '{name}' is in use."
    assert vc.get(f"{API}/datastore/{used._moId}").status_code == 200
    for vm in used.vm:
        _done(si, vm.RelocateVM_Task(spec=vim.vm.RelocateSpec(datastore=other)))
    _done(si, used.Destroy_Task())
    assert vc.get(f"{API}/datastore/{used._moId}").status_code == 404
    destroyed = _latest(si, EV.DatastoreDestroyedEvent)
    assert destroyed.ds.datastore == used and destroyed.ds.name == name
    assert destroyed.fullFormattedMessage == f"Removed unconfigured datastore {name}"
    # a network
    network = max(dc.network, key=lambda n: len(n.vm))
    assert network.vm
    viewer = connect(user="viewer@vsphere.local")
    with pytest.raises(vim.fault.NoPermission) as caught:
        vim.Network(network._moId, viewer._stub).Destroy_Task()
    assert caught.value.privilegeId == "Network.Delete"
    with pytest.raises(vim.fault.ResourceInUse) as caught:
        WaitForTask(network.Destroy_Task(), si=si)
    assert (caught.value.type, caught.value.name) == (vim.Network, network.name)
    for vm in network.vm:
        vc.post(f"{API}/vm/{vm._moId}/power?action=stop")
        assert vc.delete(f"{API}/vm/{vm._moId}").status_code == 204
    _done(si, network.Destroy_Task())
    assert vc.get(f"{API}/network", params={"networks": network._moId}).json() == []
