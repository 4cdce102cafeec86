"""``CancelRetrievePropertiesEx``: the rest of a paged retrieval is discarded, so its tokens no
longer continue (InvalidArgument ``token``, as a token of no retrieval), in the session that
cancelled it, whichever server answers; other retrievals page on."""

import pytest
from pyVmomi import vim, vmodl

pytestmark = pytest.mark.every_backend  # see tests/conftest.py

PC = vmodl.query.PropertyCollector


def _spec(si):
    """Every VM's name, through a container view."""
    content = si.content
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    traversal = PC.TraversalSpec(name="v", type=vim.view.ContainerView, path="view", skip=False)
    return PC.FilterSpec(
        objectSet=[PC.ObjectSpec(obj=view, skip=True, selectSet=[traversal])],
        propSet=[PC.PropertySpec(type=vim.VirtualMachine, pathSet=["name"])],
    )


def _vms(si, spec=None):
    """A retrieval of every VM's name, two a page: its first page."""
    spec = spec or _spec(si)
    first = si.content.propertyCollector.RetrievePropertiesEx([spec], PC.RetrieveOptions(maxObjects=2))
    assert first.token and len(first.objects) == 2
    return first


def _refused(pc, token):
    with pytest.raises(vmodl.fault.InvalidArgument) as caught:
        pc.ContinueRetrievePropertiesEx(token)
    assert caught.value.invalidProperty == "token"


def test_a_cancelled_retrieval_does_not_continue(connect):
    si = connect()
    pc = si.content.propertyCollector
    first = _vms(si)
    second = pc.ContinueRetrievePropertiesEx(first.token)
    assert second.token and len(second.objects) == 2
    other = _vms(si)  # another retrieval of the same session
    pc.CancelRetrievePropertiesEx(second.token)
    _refused(pc, second.token)
    _refused(pc, first.token)  # any page of that retrieval
    pc.CancelRetrievePropertiesEx(second.token)  # cancelled again: nothing more
    assert len(pc.ContinueRetrievePropertiesEx(other.token).objects) == 2
    # another session can neither cancel nor continue this session's retrieval
    stranger = connect().content.propertyCollector
    with pytest.raises(vmodl.fault.InvalidArgument):
        stranger.CancelRetrievePropertiesEx(other.token)
    assert len(pc.ContinueRetrievePropertiesEx(other.token).objects) == 2
    # a session knows its newest cancelled retrievals (100): cancelling more never fails
    spec = _spec(si)
    for _ in range(100):
        pc.CancelRetrievePropertiesEx(_vms(si, spec).token)
    pc.CancelRetrievePropertiesEx(other.token)
    _refused(pc, other.token)


def test_a_retrieval_cancelled_on_one_server_ends_on_the_other(shared_servers):
    on_a, join_b = shared_servers
    first = _vms(on_a)
    on_b = join_b()
    assert len(on_b.content.propertyCollector.ContinueRetrievePropertiesEx(first.token).objects) == 2
    on_b.content.propertyCollector.CancelRetrievePropertiesEx(first.token)
    _refused(on_a.content.propertyCollector, first.token)
