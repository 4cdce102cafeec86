"""Scenario files: what a file parses into, and the line and words of each complaint."""

import textwrap

import pytest

from localsphere.settings import InventorySpec
from localsphere.world.plan import (
    ClusterGroup,
    DatacenterGroup,
    DatastoreGroup,
    HostGroup,
    IdentityPlan,
    InventoryPlan,
    NetworkGroup,
    PowerMix,
    Scenario,
    VmGroup,
    VmSize,
)
from localsphere.world.scenario import MAX_NODES, MAX_SCENARIO_BYTES, MAX_VMS, ScenarioError, parse

FULL = textwrap.dedent(
    """\
    base: empty
    settings:
      access_token_ttl: 600
      lockout_failures: 3
    identity:
      password: "VMware1!"
      users:
        - name: alice
          password: "Secret!234"
          roles: {sddc: ADMIN, vcenter: Admin, operations: ReadOnly}
        - name: bob
          domain: local
          enabled: no
      groups:
        - name: admins
          members: [alice, bob]
          roles: {vcenter: ReadOnly}
      service_users:
        - name: ci-bot
          api_key: "0123456789abcdef-key"
          roles: {sddc: OPERATOR}
      roles:
        - name: VmOperator
          family: vcenter
          privileges: [System.View, VirtualMachine.Interact.PowerOn]
          description: Runs VMs
      tenants:
        - name: acme
          full_name: ACME Corp
        - name: beta
    inventory:
      datacenters:
        - name: "dc-{d:02d}"
          count: 2
          datastores:
            - {name: "ds-{d}-{s}", count: 2, capacity_gib: 4096}
          networks:
            - prod
            - {name: "dev-{k}", count: 2}
          clusters:
            - name: "gold-{d}"
              hosts:
                - name: "esx-{d}-{h}.lab"
                  count: 4
                  cpus: 16
                  memory_mib: 131072
                  vms:
                    - {name: "web-{h}", cpus: 2, memory_mib: 4096, power: on, guest: OTHER_LINUX_64}
                    - name: "app-{h}-{n}"
                      count: 10
                      sizes: [{cpus: 4, memory_mib: 8192}]
                      power: {on: 9, off: 1}
    """
)


def line_of(text: str, words: str) -> int:
    """The 1-based line of the first line holding ``words``, so tests survive edits of FULL."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if words in line)


def error(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        parse(text)
    return caught.value


@pytest.mark.parametrize("text", ["", "{}", "# nothing but a comment\n", "---\n"])
def test_an_empty_document_is_the_default_scenario(text):
    assert parse(text) == Scenario(source=text)


def test_an_empty_section_counts_as_absent():
    text = "identity:\ninventory:\n"
    assert parse(text) == Scenario(identity=IdentityPlan(), inventory=None, source=text)


def test_the_error_names_its_line_unless_there_is_none():
    assert str(ScenarioError(3, "bad")) == "line 3: bad"
    assert str(ScenarioError(0, "bad")) == "bad"
    assert isinstance(ScenarioError(1, "x"), ValueError)
    assert (ScenarioError(4, "why").line, ScenarioError(4, "why").message) == (4, "why")


def test_the_full_example_parses_into_the_plan():
    scenario = parse(FULL)
    assert scenario.source == FULL
    assert scenario.base == "empty"
    assert scenario.settings == {"access_token_ttl": 600, "lockout_failures": 3}
    identity = scenario.identity
    assert identity.password == "VMware1!"
    alice, bob = identity.users
    assert (alice.name, alice.domain, alice.password) == ("alice", "vsphere.local", "Secret!234")
    assert alice.enabled is True
    assert alice.roles == {"sddc": "ADMIN", "vcenter": "Admin", "operations": "ReadOnly"}
    assert alice.line == line_of(FULL, "name: alice")
    assert (bob.domain, bob.password, bob.enabled) == ("local", None, False)
    assert bob.line == line_of(FULL, "name: bob")
    (admins,) = identity.groups
    assert (admins.members, admins.roles) == (("alice", "bob"), {"vcenter": "ReadOnly"})
    assert admins.line == line_of(FULL, "name: admins")
    (bot,) = identity.service_users
    assert (bot.name, bot.api_key, bot.roles) == ("ci-bot", "0123456789abcdef-key", {"sddc": "OPERATOR"})
    (role,) = identity.roles
    assert (role.family, role.privileges, role.description) == (
        "vcenter",
        ("System.View", "VirtualMachine.Interact.PowerOn"),
        "Runs VMs",
    )
    assert role.line == line_of(FULL, "name: VmOperator")
    acme, beta = identity.tenants
    assert (acme.full_name, beta.full_name, beta.description) == ("ACME Corp", None, None)  # beta: as named


def test_the_full_example_plans_its_inventory_with_lines():
    (dc,) = parse(FULL).inventory.datacenters
    assert (dc.count, dc.name, dc.line) == (2, "dc-{d:02d}", line_of(FULL, 'name: "dc-{d:02d}"'))
    assert dc.datastores == (DatastoreGroup(2, "ds-{d}-{s}", 4096, line_of(FULL, "ds-{d}-{s}")),)
    assert dc.networks == (
        NetworkGroup(1, "prod", line_of(FULL, "- prod")),
        NetworkGroup(2, "dev-{k}", line_of(FULL, "dev-{k}")),
    )
    (cluster,) = dc.clusters
    (host,) = cluster.hosts
    assert (cluster.name, cluster.count, cluster.line) == ("gold-{d}", 1, line_of(FULL, "gold-{d}"))
    assert (host.count, host.cpus, host.memory_mib, host.line) == (4, 16, 131072, line_of(FULL, "esx-{d}"))
    web, app = host.vms
    single, on = (VmSize(2, 4096, 40, 1),), PowerMix(1.0, 0.0, 0.0)
    assert web == VmGroup(1, "web-{h}", single, on, "OTHER_LINUX_64", line_of(FULL, "web-{h}"))
    assert (app.count, app.name, app.sizes) == (10, "app-{h}-{n}", (VmSize(4, 8192),))
    assert app.line == line_of(FULL, "app-{h}-{n}")
    assert app.power == pytest.approx(PowerMix(0.9, 0.1, 0.0))
    assert parse(FULL).inventory.vm_count == 2 * 1 * 4 * 11


def test_the_counts_form_is_the_plan_of_those_counts():
    text = textwrap.dedent(
        """\
        inventory:
          datacenters: 2
          clusters: 2
          hosts: 4
          vms: 50
          vm_sizes:
            - {cpus: 2, memory_mib: 4096, weight: 3}
            - {cpus: 8, memory_mib: 32768, disk_gib: 200}
          power: {on: 3, off: 1}
        """
    )
    sizes = (VmSize(2, 4096, 40, 3), VmSize(8, 32768, 200, 1))
    spec = InventorySpec(datacenters=2, clusters=2, hosts=4, vms=50)
    assert parse(text).inventory == InventoryPlan.from_counts(spec, sizes, PowerMix(0.75, 0.25, 0.0))


def test_counts_not_given_keep_the_defaults():
    assert parse("inventory: {vms: 7}").inventory == InventoryPlan.from_counts(InventorySpec(vms=7))
    assert parse("inventory: {}").inventory == InventoryPlan.from_counts(InventorySpec())


def test_a_power_mix_is_normalised_to_fractions():
    power = parse("inventory: {power: {on: 70, off: 25, suspended: 5}}").inventory.datacenters[0]
    mix = power.clusters[0].hosts[0].vms[0].power
    assert mix == pytest.approx(PowerMix(0.7, 0.25, 0.05))
    assert mix.on + mix.off + mix.suspended == pytest.approx(1.0)
    only_off = parse("inventory: {power: {off: 0.5}}").inventory.datacenters[0].clusters[0].hosts[0].vms[0]
    assert only_off.power == PowerMix(0.0, 1.0, 0.0)


def test_the_explicit_form_keeps_counts_and_templates_and_defaults():
    text = textwrap.dedent(
        """\
        inventory:
          datacenters:
            - count: 3
              clusters:
                - count: 2
                  hosts:
                    - count: 5
                      vms:
                        - {count: 4}
                        - {name: "big-{vm}", count: 2, power: suspended}
        """
    )
    plan = parse(text).inventory
    (dc,) = plan.datacenters
    assert (dc.count, dc.name, dc.line, dc.datastores, dc.networks) == (3, DatacenterGroup.name, 3, (), ())
    (cluster,) = dc.clusters
    assert (cluster.count, cluster.name, cluster.line) == (2, ClusterGroup.name, 5)
    (host,) = cluster.hosts
    assert (host.count, host.name, host.cpus, host.line) == (5, HostGroup.name, HostGroup.cpus, 7)
    assert host.vms == (
        VmGroup(count=4, line=9),
        VmGroup(count=2, name="big-{vm}", power=PowerMix(0.0, 0.0, 1.0), line=10),
    )
    assert plan.vm_count == 3 * 2 * 5 * 6


def test_the_same_name_may_live_in_two_domains_and_a_role_in_two_families():
    text = textwrap.dedent(
        """\
        identity:
          users: [{name: root, domain: local}, {name: root}]
          roles:
            - {name: Viewer, family: sddc, privileges: []}
            - {name: Viewer, family: vcenter}
        """
    )
    identity = parse(text).identity
    assert [u.domain for u in identity.users] == ["local", "vsphere.local"]
    assert [(r.family, r.privileges) for r in identity.roles] == [("sddc", ()), ("vcenter", ())]


DEEP_VMS = "inventory:\n  datacenters:\n    - clusters:\n        - hosts:\n            - vms:\n"

ERRORS = [
    # (what, text, line, words of the message)
    ("YAML syntax", "base: demo\nsettings: {lockout_failures: 3\nidentity: {}\n", 3, "invalid YAML"),
    ("a raw control character", "base: demo\nidentity: \x00\n", 2, "the character #x0000 is not allowed"),
    (
        "an escaped NUL (PostgreSQL text cannot hold one)",
        'identity:\n  groups:\n    - name: "g\\0"\n',
        3,
        "must not contain the NUL character",
    ),
    ("a second document", "base: demo\n---\nbase: empty\n", 2, "single document"),
    (
        "unknown key",
        "base: demo\nidentity:\n  uesrs: []\n",
        3,
        "identity: unknown key 'uesrs'; allowed keys: password, users,",
    ),
    (
        "wrong type",
        textwrap.dedent(
            """\
            identity:
              users:
                - name: a
                - name: b
                - name: c
                  roles:
                    vcenter: [Admin]
            """
        ),
        7,
        "identity.users[2].roles.vcenter: expected a string, got a list",
    ),
    ("top level not a mapping", "- base\n", 1, "expected a mapping, got a list"),
    ("duplicate key", "settings:\n  lockout_failures: 3\n  lockout_failures: 4\n", 3, "duplicate key"),
    (
        "duplicate user",
        "identity:\n  users:\n    - name: Alice\n    - name: bob\n    - name: alice\n",
        5,
        "identity.users[2]: 'alice' is already defined on line 3",
    ),
    (
        "duplicate role in a family",
        "identity:\n  roles:\n    - {name: R, family: sddc}\n    - {name: r, family: sddc}\n",
        4,
        "identity.roles[1]: 'r' is already defined",
    ),
    (
        "bad template placeholder",
        "inventory:\n  datacenters:\n    - clusters:\n        - name: 'c-{h}'\n",
        4,
        "inventory.datacenters[0].clusters[0].name: bad name template 'c-{h}': unknown placeholder {h}; "
        "allowed placeholders: {n}, {d}, {c}",
    ),
    (
        "broken template",
        "inventory:\n  datacenters:\n    - name: 'dc-{d'\n",
        3,
        "bad name template",
    ),
    (
        "count above one without a placeholder",
        "inventory:\n  datacenters:\n    - name: dc\n      count: 2\n",
        3,
        "needs a placeholder such as {n} when count is more than 1",
    ),
    (
        "too many VMs",
        f"base: demo\ninventory:\n  hosts: 100\n  vms: {MAX_VMS // 100 + 1}\n",
        2,
        f"at most {MAX_VMS}",
    ),
    ("bool for an int", "settings:\n  lockout_failures: yes\n", 2, "expected an integer, got a boolean"),
    ("count too large", "inventory: {vms: 1000001}", 1, "inventory.vms: must be between 0 and 1000000"),
    ("no datacenter", "inventory: {datacenters: 0}", 1, "must be between 1 and"),
    ("missing name", "identity:\n  groups:\n    - members: [a]\n", 3, "identity.groups[0]: name is required"),
    ("bad user name", "identity:\n  users: [{name: a@b}]\n", 2, "identity.users[0].name: must be"),
    ("short api key", "identity:\n  service_users: [{name: s, api_key: short}]\n", 2, "16 to 128"),
    ("unknown family", "identity:\n  users: [{name: a, roles: {nsx: Admin}}]\n", 2, "unknown key 'nsx'"),
    ("base", "base: full\n", 1, "base: must be 'demo' or 'empty'"),
    ("explicit form and counts", "inventory:\n  datacenters: []\n  vms: 3\n", 3, "vms: not allowed"),
    (
        "size twice",
        DEEP_VMS + "                - {cpus: 1, memory_mib: 2, sizes: [{cpus: 1, memory_mib: 2}]}\n",
        6,
        "give either sizes or cpus and memory_mib",
    ),
    ("bad power state", DEEP_VMS + "                - {power: halted}\n", 6, "expected on, off, suspended"),
    ("no power at all", "inventory: {power: {on: 0, off: 0}}", 1, "inventory.power: the shares must add up"),
    ("nested too deep", "a: " + "[" * 100 + "]" * 100, 1, "nested more than"),
    ("a string quoted", "identity: {password: 1234}", 1, "expected a string, got an integer; quote it"),
    (
        "a VM name repeated on every host",
        "inventory:\n  datacenters:\n    - clusters:\n        - hosts:\n            - count: 2\n"
        "              vms: [{name: web}]\n",
        6,
        "VM name 'web' would repeat on every host",
    ),
    (
        "a VM name repeated on every cluster",
        "inventory:\n  datacenters:\n    - clusters:\n        - name: 'c{c}'\n          count: 2\n"
        "          hosts: [{vms: [{name: db}]}]\n",
        6,
        "VM name 'db' would repeat on every cluster",
    ),
]


def test_a_vm_name_may_use_its_hosts_indexes():
    text = "inventory:\n  datacenters:\n    - clusters:\n        - hosts:\n            - count: 2\n"
    text += "              vms: [{name: 'web-{d}-{c}-{h}'}]\n"
    host = parse(text).inventory.datacenters[0].clusters[0].hosts[0]
    assert host.count == 2 and host.vms[0].name == "web-{d}-{c}-{h}"


@pytest.mark.parametrize(("what", "text", "line", "words"), ERRORS, ids=[e[0] for e in ERRORS])
def test_each_mistake_is_named_at_its_line(what, text, line, words):
    found = error(text)
    assert found.line == line, found
    assert words in found.message, found
    assert str(found) == f"line {line}: {found.message}"


def test_an_alias_bomb_is_refused():
    text = 'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]\n'
    for level in "bcdefghi":
        text += f"{level}: &{level} [{', '.join([f'*{chr(ord(level) - 1)}'] * 10)}]\n"
    text += "identity: {password: *i}\n"
    assert f"more than {MAX_NODES}" in error(text).message


def test_too_large_a_text_is_refused_before_parsing():
    text = "# " + "x" * MAX_SCENARIO_BYTES
    found = error(text)
    assert found.line == 0
    assert str(found) == found.message and str(MAX_SCENARIO_BYTES) in found.message
    assert parse("#" + "é" * ((MAX_SCENARIO_BYTES - 1) // 2)).source  # characters are counted as UTF-8 bytes
    assert error("#" + "é" * (MAX_SCENARIO_BYTES // 2)).line == 0
