"""vCenter's SOAP API (``/sdk``, vim25): the managed objects of the one world as pyVmomi, govc and
the monitoring exporters read them. pyVmomi's own type system and serializer write the wire."""
